import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBin, skipNote } from '../helpers/agents.js';
import { runCli } from '../helpers/cli.js';
import { sessionEvents, startGateway, type Gateway } from '../helpers/gateway.js';

const codex = agentBin('codex');
if (!codex) skipNote('codex');

/** The patch a model writes with Codex's apply_patch tool (its freeform grammar). */
const PATCH = '*** Begin Patch\n*** Add File: hello.txt\n+hello from lodestar\n*** End Patch\n';

let gateway: Gateway;
let work: string;

beforeAll(async () => {
  if (!codex) return;
  gateway = await startGateway();
  work = mkdtempSync(join(tmpdir(), 'lodestar-codex-'));
});
afterAll(async () => {
  await gateway?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A project folder (a git repository, as Codex expects) and a Codex home of its own. */
function project(name: string): { dir: string; env: Record<string, string> } {
  const dir = join(work, name);
  const home = join(work, `${name}-home`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(home, 'codex'), { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  return { dir, env: { HOME: home, CODEX_HOME: join(home, 'codex'), PATH: `${dirname(codex as string)}:${process.env.PATH}`, TERM: 'dumb' } };
}


it('says how to install Codex when there is none, and exits 1', async () => {
  const home = mkdtempSync(join(tmpdir(), 'lodestar-nocodex-'));
  try {
    const result = await runCli(['codex'], { home, env: { PATH: '/usr/bin:/bin' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Codex CLI is not installed');
    expect(result.stderr).toContain('npm install -g @openai/codex');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

describe.skipIf(!codex)('lodestar codex, with the real Codex CLI', () => {
  it('writes a file through lodestar/auto served by a Chat Completions provider: apply_patch goes out as a function and comes back as Codex\'s freeform call', async () => {
    const { dir, env } = project('cx-chat');
    // The agent floor's cheapest model here is DeepSeek's: it answers with the patch, then a last word.
    gateway.deepseek.enqueue({ kind: 'reply', toolCalls: [{ name: 'apply_patch', arguments: JSON.stringify({ input: PATCH }) }], finishReason: 'tool_calls' }, { kind: 'reply', text: 'Created hello.txt.' });
    const summaryFile = join(work, 'cx-chat-summary.json');
    const result = await runCli(['codex', '--summary-file', summaryFile, '--', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'create hello.txt saying hello from lodestar'], {
      home: gateway.home,
      cwd: dir,
      env,
      input: '',
      timeoutMs: 90_000,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hello from lodestar\n');
    // The catalog gave lodestar/auto its metadata: no warning, and apply_patch was offered.
    expect(result.stderr).not.toContain('Model metadata for');
    const first = gateway.deepseek.requests.at(-2)?.body as { tools: Array<{ function: { name: string } }>; messages: Array<{ role: string }> };
    expect(first.tools.map((tool) => tool.function.name)).toContain('apply_patch');
    // Codex's next turn carried the patch's result back as the tool's answer.
    const second = gateway.deepseek.requests.at(-1)?.body as { messages: Array<{ role: string; content?: unknown }> };
    expect(second.messages.at(-1)?.role).toBe('tool');

    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { session: string; requests: number; costUsd: number };
    const events = sessionEvents(gateway.home, summary.session);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(summary.requests).toBe(events.length);
    expect(summary.costUsd).toBeCloseTo(events.reduce((sum, event) => sum + (event.costUsd ?? 0), 0), 12);
    for (const event of events) expect(event).toMatchObject({ tool: 'codex', task: 'agent', model: 'deepseek/deepseek-flash', status: 'ok', project: 'cx-chat' });
    // report --by tool shows Codex's spend apart.
    const byTool = JSON.parse((await runCli(['report', '--month', '--by', 'tool', '--json'], { home: gateway.home })).stdout) as { rows: Array<{ key: string; requests: number }> };
    expect(byTool.rows.find((row) => row.key === 'codex')?.requests).toBeGreaterThanOrEqual(events.length);
    // The catalog is gone once Codex exits.
    expect(existsSync(join(gateway.home, 'codex', `models-${summary.session}.json`))).toBe(false);
  }, 120_000);

  it('writes a file through a pass-through to OpenAI: the body goes as Codex wrote it (only the model named as OpenAI names it), the answer comes back as sent, and its usage is costed', async () => {
    const { dir, env } = project('cx-openai');
    gateway.openai.enqueue({ kind: 'reply', toolCalls: [{ name: 'apply_patch', arguments: PATCH }], usage: { inputTokens: 9000, cacheReadTokens: 8000, outputTokens: 120 } }, { kind: 'reply', text: 'Created hello.txt.', usage: { inputTokens: 9400, cacheReadTokens: 9000, outputTokens: 20 } });
    const summaryFile = join(work, 'cx-openai-summary.json');
    const result = await runCli(['codex', '--model', 'openai/gpt-5', '--summary-file', summaryFile, '--', 'exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'create hello.txt saying hello from lodestar'], {
      home: gateway.home,
      cwd: dir,
      env,
      input: '',
      timeoutMs: 90_000,
    });
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hello from lodestar\n');
    const upstream = gateway.openai.requests.filter((request) => request.path.endsWith('/responses'));
    expect(upstream.length).toBe(2);
    const first = upstream[0]?.body as Record<string, unknown> & { tools: Array<{ type: string; name?: string }> };
    expect(first.model).toBe('gpt-5');
    // What only OpenAI runs went to OpenAI as it was: the freeform apply_patch, hosted web search, store false.
    expect(first.tools.find((tool) => tool.name === 'apply_patch')?.type).toBe('custom');
    expect(first.tools.some((tool) => tool.type === 'web_search')).toBe(true);
    expect(first.store).toBe(false);
    expect(upstream[1]?.rawBody).toContain('"custom_tool_call_output"');

    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { session: string };
    const events = sessionEvents(gateway.home, summary.session);
    expect(events.map((event) => event.usage)).toEqual([
      { inputTokens: 9000, cachedInputTokens: 8000, outputTokens: 120, reasoningTokens: 0 },
      { inputTokens: 9400, cachedInputTokens: 9000, outputTokens: 20, reasoningTokens: 0 },
    ]);
    for (const event of events) expect(event).toMatchObject({ tool: 'codex', model: 'openai/gpt-5', provider: 'openai', status: 'ok' });
    // Cached input is cheaper than fresh input: costed apart, at gpt-5's rates.
    expect(events[0]?.costUsd).toBeGreaterThan(0);
  }, 120_000);
});
