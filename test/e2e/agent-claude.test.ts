import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { agentBin, skipNote } from '../helpers/agents.js';
import { BIN, cleanEnv, ROOT, runCli } from '../helpers/cli.js';
import { execa } from 'execa';
import { sessionEvents, startGateway, type Gateway } from '../helpers/gateway.js';
import type { Double } from '../doubles/index.js';

const claude = agentBin('claude');
const DRIVE = join(ROOT, 'test', 'fixtures', 'pty-drive.py');
if (!claude) skipNote('claude');

let gateway: Gateway;
let work: string;

beforeAll(async () => {
  if (!claude) return;
  gateway = await startGateway();
  work = mkdtempSync(join(tmpdir(), 'lodestar-claude-real-'));
});
afterAll(async () => {
  await gateway?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A git repository whose .lodestarrc sends Claude Code's main loop where the test says, and a Claude Code home of its own. */
function project(name: string, main: string, background = 'lodestar/cheap'): { dir: string; env: Record<string, string> } {
  const dir = join(work, name);
  const home = join(work, `${name}-home`);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(home, '.claude'), { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(join(dir, '.lodestarrc'), JSON.stringify({ project: name, claude: { main, background } }));
  return { dir, env: { HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude'), PATH: `${dirname(claude as string)}:${process.env.PATH}` } };
}


/** Claude Code headless through lodestar claude: writes hello.txt with its Write tool, served by `main` through `upstream`. */
async function writeAFile(name: string, main: string, upstream: Double): Promise<{ dir: string; events: RequestEvent[]; stdout: string }> {
  const { dir, env } = project(name, main);
  const target = join(dir, 'hello.txt');
  upstream.enqueue({ kind: 'reply', toolCalls: [{ name: 'Write', arguments: JSON.stringify({ file_path: target, content: `hi from ${name}\n` }) }], finishReason: 'tool_calls' }, { kind: 'reply', text: 'Created hello.txt.' });
  const summaryFile = join(work, `${name}-summary.json`);
  const result = await runCli(['claude', '--summary-file', summaryFile, '--', '-p', 'create hello.txt', '--permission-mode', 'acceptEdits'], { home: gateway.home, cwd: dir, env, input: '', timeoutMs: 90_000 });
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(readFileSync(target, 'utf8')).toBe(`hi from ${name}\n`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { session: string; requests: number };
  const events = sessionEvents(gateway.home, summary.session);
  expect(summary.requests).toBe(events.length);
  return { dir, events, stdout: result.stdout };
}

describe.skipIf(!claude)('lodestar claude, with the real Claude Code', () => {
  it('writes a file with claude.main set to a DeepSeek model: its adaptive-thinking main loop is the main class, translated, its session from metadata', async () => {
    const { events } = await writeAFile('cc-deepseek', 'deepseek/deepseek-flash', gateway.deepseek);
    expect(events.length).toBe(2);
    for (const event of events) expect(event).toMatchObject({ tool: 'claude', requestedModel: 'claude-opus-5-5', model: 'deepseek/deepseek-flash', status: 'ok', task: 'agent' });
    // Claude Code asked for 128,000 tokens; DeepSeek writes up to 384,000, so the ask went as it was.
    const sent = gateway.deepseek.requests.at(-1)?.body as { max_tokens: number; messages: Array<{ role: string }>; reasoning_effort?: string };
    expect(sent.max_tokens).toBe(128_000);
    expect(sent.messages.at(-1)?.role).toBe('tool');
  }, 120_000);

  it("writes a file with claude.main set to openai/gpt-4o-mini: the 128,000 it asks for is lowered to the model's 16,384, where OpenAI would answer 400", async () => {
    const { events } = await writeAFile('cc-mini', 'openai/gpt-4o-mini', gateway.openai);
    expect(events.length).toBe(2);
    for (const event of events) expect(event).toMatchObject({ tool: 'claude', model: 'openai/gpt-4o-mini', status: 'ok' });
    const sent = gateway.openai.requests.filter((request) => request.path.endsWith('/chat/completions')).map((request) => request.body as { max_tokens?: number; max_completion_tokens?: number });
    expect(sent.length).toBe(2);
    for (const body of sent) expect(body.max_tokens ?? body.max_completion_tokens).toBe(16_384);
  }, 120_000);

  it("names an interactive session on the background class's model, the title still JSON, then writes the file", async () => {
    const { dir, env } = project('cc-tty', 'deepseek/deepseek-flash', 'ollama/qwen2.5-coder:3b');
    // A first run of Claude Code with its first-run screens already seen, and this folder trusted.
    writeFileSync(join(env.CLAUDE_CONFIG_DIR as string, 'settings.json'), JSON.stringify({ theme: 'dark' }));
    writeFileSync(join(env.CLAUDE_CONFIG_DIR as string, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, hasSeenAutoDefaultNotice: true, projects: { [dir]: { hasTrustDialogAccepted: true } } }));
    const target = join(dir, 'hello.txt');
    gateway.ollama.enqueue({ kind: 'reply', text: '{"title": "Create hello file"}' });
    gateway.deepseek.enqueue({ kind: 'reply', toolCalls: [{ name: 'Write', arguments: JSON.stringify({ file_path: target, content: 'hi from a terminal\n' }) }], finishReason: 'tool_calls' }, { kind: 'reply', text: 'Finished.' });
    // The screen is drawn with cursor moves for spaces: waits are on single words.
    const steps = [{ wait: 'effort' }, { type: 'create hello.txt' }, { key: '\r' }, { wait: 'Finished.' }, { type: '/exit' }, { key: '\r' }];
    const result = await execa('python3', [DRIVE, '120', '40', JSON.stringify(steps), '--', process.execPath, BIN, 'claude', '--summary-file', join(work, 'cc-tty-summary.json')], {
      env: cleanEnv(gateway.home, { ...env, TERM: 'xterm-256color' }),
      extendEnv: false,
      cwd: dir,
      reject: false,
      timeout: 90_000,
    });
    expect(result.exitCode, `${String(result.stdout).slice(-3000)}\n${result.stderr}`).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('hi from a terminal\n');
    const summary = JSON.parse(readFileSync(join(work, 'cc-tty-summary.json'), 'utf8')) as { session: string };
    const events = sessionEvents(gateway.home, summary.session);
    const title = events.find((event) => event.model === 'ollama/qwen2.5-coder:3b');
    expect(title).toMatchObject({ task: 'summary', requestedModel: 'claude-opus-5-5', status: 'ok', tool: 'claude' });
    // The title's schema reached Ollama as its format, so the answer is the JSON Claude Code parses.
    const titleRequest = gateway.ollama.requests.find((request) => request.path === '/api/chat' && JSON.stringify(request.body).includes('naming a coding session'));
    expect((titleRequest?.body as { format?: unknown }).format).toMatchObject({ type: 'object', properties: { title: { type: 'string' } } });
    for (const event of events.filter((entry) => entry !== title)) expect(event).toMatchObject({ model: 'deepseek/deepseek-flash', status: 'ok' });
  }, 120_000);
});
