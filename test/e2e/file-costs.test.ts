import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import type { Report } from '../../src/shared/report-facts.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { rawRequest, startGateway, type Gateway } from '../helpers/gateway.js';

/**
 * Cost per file, end to end: each agent's edit, as the model answers it through the daemon
 * (Claude Code's Write in Anthropic's Messages, opencode's edit in Chat Completions, Codex's
 * apply_patch in the Responses API, Aider's SEARCH/REPLACE block in its reply text), streamed
 * and not, lands in the ledger with its files; `report --by file` and /api/usage?by=file give
 * each file its cost, equal to the ledger's.
 */
let gateway: Gateway;
let root: string;
const PROJECT = 'filecosts';
const FAKE_AIDER_BIN = join(ROOT, 'test', 'fixtures', 'aider');

beforeAll(async () => {
  gateway = await startGateway();
  root = join(gateway.home, 'work', PROJECT);
  mkdirSync(root, { recursive: true });
  execFileSync('git', ['init', '-q', root]);
  writeFileSync(join(root, '.lodestarrc'), JSON.stringify({ project: PROJECT }));
  // Any lodestar command run in the project registers its root with the daemon.
  const status = await runCli(['status'], { home: gateway.home, cwd: root });
  expect(status.exitCode, status.stderr).toBe(0);
});
afterAll(async () => {
  await gateway?.stop();
});

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  return rawRequest(gateway.port, { path: `/p/${PROJECT}${path}`, headers: { authorization: `Bearer ${gateway.token}`, 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function ledger(): Array<RequestEvent & { v: number }> {
  const dir = join(gateway.home, 'ledger');
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
    .map((line) => JSON.parse(line) as RequestEvent & { v: number });
}

const PATCH = '*** Begin Patch\n*** Add File: docs/hello.md\n+# Hello\n*** Update File: src/app.ts\n@@\n-old()\n+fresh()\n*** End Patch\n';
const SEARCH_REPLACE = "app.py\n```python\n<<<<<<< SEARCH\nprint('hi')\n=======\nprint('hello')\n>>>>>>> REPLACE\n```\n";

describe('cost per file', () => {
  it('records the files of each agent\'s edits, streamed and not, and reports each file\'s cost equal to the ledger\'s', async () => {
    // Claude Code's Write, passed through to Anthropic: absolute paths, one outside the project (dropped).
    for (const stream of [false, true]) {
      gateway.anthropic.enqueue({
        kind: 'reply',
        text: 'Creating the files.',
        toolCalls: [
          { name: 'Write', arguments: JSON.stringify({ file_path: join(root, 'src', 'hello.ts'), content: 'export const hello = "hi";\n'.repeat(3) }) },
          { name: 'Write', arguments: JSON.stringify({ file_path: '/tmp/scratch.txt', content: 'not the project' }) },
          { name: 'Edit', arguments: JSON.stringify({ file_path: join(root, 'README.md'), old_string: 'a', new_string: 'b' }) },
        ],
        finishReason: 'tool_calls',
      });
      const tools = ['Write', 'Edit'].map((name) => ({ name, description: name, input_schema: { type: 'object', properties: { file_path: { type: 'string' } } } }));
      const answer = await post('/v1/messages', { model: 'claude-sonnet-4-5', max_tokens: 1000, stream, tools, messages: [{ role: 'user', content: 'create src/hello.ts' }] }, { 'anthropic-version': '2023-06-01', 'x-lodestar-session': `claude-${stream}` });
      expect(answer.status, answer.text).toBe(200);
    }

    // opencode's edit, in a Chat Completions answer (an absolute path under the root).
    for (const stream of [false, true]) {
      gateway.openai.enqueue({ kind: 'reply', toolCalls: [{ name: 'edit', arguments: JSON.stringify({ filePath: join(root, 'src', 'app.ts'), oldString: 'old()', newString: 'renewed()' }) }], finishReason: 'tool_calls', chunkSize: 7 });
      const tools = [{ type: 'function', function: { name: 'edit', parameters: { type: 'object', properties: { filePath: { type: 'string' } } } } }];
      const answer = await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', stream, tools, messages: [{ role: 'user', content: 'rename old to renewed' }] }, { 'x-lodestar-session': `opencode-${stream}` });
      expect(answer.status, answer.text).toBe(200);
    }

    // Codex's apply_patch, a custom tool: passed through to OpenAI's Responses API, and translated for DeepSeek.
    const codexTools = [
      { type: 'custom', name: 'apply_patch', description: 'Edit files with a patch.', format: { type: 'grammar', syntax: 'lark', definition: 'start: begin_patch hunk+ end_patch' } },
      { type: 'function', name: 'exec_command', description: 'Run a command.', strict: false, parameters: { type: 'object', properties: { cmd: { type: 'string' } }, required: ['cmd'] } },
    ];
    for (const stream of [false, true]) {
      gateway.openai.enqueue({ kind: 'reply', toolCalls: [{ name: 'apply_patch', arguments: PATCH }], finishReason: 'tool_calls' });
      const answer = await post('/v1/responses', { model: 'openai/gpt-5', stream, store: false, input: 'add docs/hello.md', tools: codexTools }, { 'x-lodestar-session': `codex-${stream}` });
      expect(answer.status, answer.text).toBe(200);
    }
    gateway.deepseek.enqueue({ kind: 'reply', toolCalls: [{ name: 'exec_command', arguments: JSON.stringify({ cmd: "cat > notes.txt <<'EOF'\nremember\nEOF" }) }], finishReason: 'tool_calls' });
    const translated = await post('/v1/responses', { model: 'deepseek/deepseek-flash', stream: true, input: 'write notes', tools: codexTools }, { 'x-lodestar-session': 'codex-translated' });
    expect(translated.status, translated.text).toBe(200);
    expect(translated.text).toContain('"name":"exec_command"');

    // Aider's SEARCH/REPLACE block, diff-fenced and not streamed (the fake Aider streams its own below).
    gateway.openai.enqueue({ kind: 'reply', text: `Here is the change:\n\n\`\`\`python\nlib/util.py\n<<<<<<< SEARCH\n=======\ndef util():\n    pass\n>>>>>>> REPLACE\n\`\`\`\n` });
    const aiderLike = await post('/v1/chat/completions', { model: 'openai/gpt-4o-mini', messages: [{ role: 'system', content: 'All changes to files must use this *SEARCH/REPLACE block* format.' }, { role: 'user', content: 'add util' }] }, { 'x-lodestar-session': 'aider-plain' });
    expect(aiderLike.status, aiderLike.text).toBe(200);

    // The fake Aider through `lodestar aider`: its streamed edit answered with a SEARCH/REPLACE block, then its commit message.
    gateway.openai.enqueue({ kind: 'reply', text: `I will change the greeting.\n\n${SEARCH_REPLACE}`, chunkSize: 5 }, { kind: 'reply', text: 'feat: say hello' });
    const aider = await runCli(['aider', '--title', 'off', '--', '--model', 'openai/openai/gpt-4o-mini', '--weak-model', 'openai/openai/gpt-4o-mini', '--no-auto-commits'], {
      home: gateway.home,
      cwd: root,
      env: { PATH: `${FAKE_AIDER_BIN}:${process.env.PATH}`, FAKE_AIDER_RECORD: join(gateway.home, 'aider-record.json') },
    });
    expect(aider.exitCode, aider.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(gateway.home, 'aider-record.json'), 'utf8')) as { requests: Array<{ stream: boolean; text: string; status: number }> };
    expect(record.requests.map((request) => [request.stream, request.status])).toEqual([
      [true, 200],
      [false, 200],
    ]);
    expect(record.requests[0]?.text).toContain('>>>>>>> REPLACE');

    await gateway.waitForEvents(10);
    const events = ledger().filter((event) => event.project === PROJECT);
    const filesOf = (session: string): RequestEvent['files'][] => events.filter((event) => event.session === session).map((event) => event.files);
    for (const stream of [false, true]) {
      const [claude] = filesOf(`claude-${stream}`);
      expect(claude?.map((file) => file.path)).toEqual(['src/hello.ts', 'README.md']);
      expect(filesOf(`opencode-${stream}`)).toEqual([[{ path: 'src/app.ts', share: 1 }]]);
      const [codex] = filesOf(`codex-${stream}`);
      // docs/hello.md: 8 bytes written + 13 of its path; src/app.ts: 8 + 10.
      expect(codex).toEqual([
        { path: 'docs/hello.md', share: Math.round((21 / 39) * 1e6) / 1e6 },
        { path: 'src/app.ts', share: Math.round((18 / 39) * 1e6) / 1e6 },
      ]);
    }
    expect(filesOf('codex-translated')).toEqual([[{ path: 'notes.txt', share: 1 }]]);
    expect(filesOf('aider-plain')).toEqual([[{ path: 'lib/util.py', share: 1 }]]);
    const aiderEvents = events.filter((event) => event.client?.startsWith('fake-aider'));
    expect(aiderEvents.map((event) => [event.stream, event.files])).toEqual([
      [true, [{ path: 'app.py', share: 1 }]],
      [false, undefined],
    ]);
    for (const event of events) {
      if (event.files) expect(event.files.reduce((sum, file) => sum + file.share, 0)).toBeCloseTo(1, 9);
      // Paths only, never what was written.
      expect(JSON.stringify(event)).not.toContain('export const hello');
    }

    // What each file cost, from the ledger's events, against the report from the rollups.
    const expected = new Map<string, number>();
    let total = 0;
    for (const event of events) {
      if (!event.files) continue;
      total += event.costUsd ?? 0;
      for (const file of event.files) expected.set(file.path, (expected.get(file.path) ?? 0) + (event.costUsd ?? 0) * file.share);
    }
    expect(total).toBeGreaterThan(0);
    const check = (report: Report, key: (path: string) => string): void => {
      expect(report.by).toBe('file');
      expect(new Set(report.rows.map((row) => row.key))).toEqual(new Set([...expected.keys()].map(key)));
      for (const [path, cost] of expected) expect(report.rows.find((row) => row.key === key(path))?.costUsd).toBeCloseTo(cost, 6);
      expect(report.totals.costUsd).toBeCloseTo(total, 6);
      expect(report.totals.requests).toBe(events.filter((event) => event.files).length);
      expect(report.rows.reduce((sum, row) => sum + row.costUsd, 0)).toBeCloseTo(report.totals.costUsd, 6);
      const costs = report.rows.map((row) => row.costUsd);
      expect(costs).toEqual([...costs].sort((a, b) => b - a));
    };
    const cli = await runCli(['report', '--by', 'file', '--json', '--project', PROJECT, '--timezone', 'UTC'], { home: gateway.home });
    expect(cli.exitCode, cli.stderr).toBe(0);
    check(JSON.parse(cli.stdout) as Report, (path) => path);
    const all = await runCli(['report', '--by', 'file', '--json', '--timezone', 'UTC'], { home: gateway.home });
    check(JSON.parse(all.stdout) as Report, (path) => `${PROJECT}/${path}`);
    const usage = await rawRequest(gateway.port, { method: 'GET', path: `/api/usage?by=file&project=${PROJECT}&timezone=UTC`, headers: { authorization: `Bearer ${gateway.token}` } });
    expect(usage.status, usage.text).toBe(200);
    check(JSON.parse(usage.text) as Report, (path) => path);

    const table = await runCli(['report', '--by', 'file', '--project', PROJECT, '--timezone', 'UTC'], { home: gateway.home });
    expect(table.stdout).toContain('src/hello.ts');
    expect(table.stdout).toMatch(/requests edited files/);
  }, 60_000);
});
