import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeToEvents, type DaemonEventMessage } from '../../src/shared/events-client.js';
import { formatMoney } from '../../src/shared/format.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { sessionEvents, startGateway, type Gateway } from '../helpers/gateway.js';

const FAKE_CLAUDE_BIN = join(ROOT, 'test', 'fixtures', 'claude');
/** What the fake (Claude Code 2.1.337) asks for; claude-sonnet-4-5 writes at most 64,000 tokens, gpt-4o-mini 16,384. */
const ASKED_MAX_TOKENS = 128_000;

/** The record test/fixtures/claude/claude writes (README.md there describes all of it). */
interface ClaudeRecord {
  mode: 'print' | 'interactive';
  argv: string[];
  env: Record<string, { set: boolean; value?: string | null; length?: number }>;
  auth: { scheme: string; tokenLength: number };
  warnings: string[];
  session: { id: string };
  requests: ClaudeRequest[];
  title?: { ok: boolean; json: boolean; title: string | null; text: string | null };
  subagents?: Array<{ agentId: string; type: string; model: string; ok: boolean; handedBack: boolean; report: string; error: string | null }>;
  systemTurns: { refused: boolean; message?: string };
  filesWritten?: string[];
  finalText: string;
  statusline: { firstLine: string; exitCode: number; durationMs: number } | null;
  exitCode: number;
}

interface ClaudeRequest {
  step: string;
  round?: number;
  agentId?: string;
  fallback?: boolean;
  path: string;
  headers: Record<string, string>;
  rawBody: string | null;
  body: { model: string; max_tokens: number; messages: Array<{ role: string }>; tools?: Array<{ name: string }> } | null;
  answer: { ok: boolean; status?: number; error?: unknown; headers?: Record<string, string>; events?: string[]; message?: { content: Array<{ type: string; text?: string }> } };
}

let gateway: Gateway;
let work: string;
const routes: Array<Record<string, unknown>> = [];
let routeFeed: { close: () => void } | undefined;

beforeAll(async () => {
  gateway = await startGateway();
  work = mkdtempSync(join(tmpdir(), 'lodestar-claude-'));
  // Route events say what was lowered (max_tokens to a model's output limit).
  routeFeed = await subscribeToEvents(gateway.port, gateway.token, (event: DaemonEventMessage) => {
    if (event.type === 'route') routes.push(event.data as Record<string, unknown>);
  });
});
afterAll(async () => {
  routeFeed?.close();
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A git repository whose .lodestarrc says where each class of Claude Code's requests goes. */
function project(name: string, claude: Record<string, string>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(join(dir, '.lodestarrc'), JSON.stringify({ project: name, claude }));
  return dir;
}

function claudeEnv(record: string, extra: Record<string, string> = {}): Record<string, string> {
  // A home of its own: the fake reads ~/.claude/settings.json as Claude Code does.
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  return { PATH: `${FAKE_CLAUDE_BIN}:${process.env.PATH}`, HOME: home, FAKE_CLAUDE_RECORD: record, ...extra };
}


/**
 * The model's side of one interactive session, queued on the doubles: the main model writes
 * hello.txt, then hands a survey to a general-purpose subagent (which reads hello.txt, then hands
 * its report back through SubagentHandback, as an interactive subagent must), then answers in
 * text (the doubles' default echo) after the launch and after the hand-back.
 */
function script(dir: string, main: Gateway['anthropic']): void {
  for (const double of [gateway.anthropic, gateway.openai, gateway.deepseek, gateway.ollama]) double.reset();
  main.enqueue(
    { kind: 'reply', text: "I'll create the file.", toolCalls: [{ name: 'Write', arguments: JSON.stringify({ file_path: join(dir, 'hello.txt'), content: 'hi\n' }) }] },
    { kind: 'reply', toolCalls: [{ name: 'Agent', arguments: JSON.stringify({ description: 'Survey project files', subagent_type: 'general-purpose', prompt: 'List the files in the project folder and report back in one sentence.' }) }] },
  );
  gateway.deepseek.enqueue(
    { kind: 'reply', toolCalls: [{ name: 'Read', arguments: JSON.stringify({ file_path: join(dir, 'hello.txt') }) }] },
    { kind: 'reply', toolCalls: [{ name: 'SubagentHandback', arguments: JSON.stringify({ message: 'The project folder holds hello.txt and .lodestarrc.' }) }] },
  );
}

/**
 * Starts `lodestar claude` on the fake in interactive mode (no -p): title, main loop, subagent,
 * status line. In acceptEdits mode, as a user who lets it write in the project: auto mode (the
 * interactive default) would add `safeguards` to the first main request, a field the Anthropic
 * double refuses ("Extra inputs are not permitted").
 */
async function runSession(dir: string, record: string, summaryFile: string) {
  const result = await runCli(['claude', '--summary-file', summaryFile, '--', 'create hello.txt containing hi, then survey the project with a subagent', '--permission-mode', 'acceptEdits'], {
    home: gateway.home,
    cwd: dir,
    // The user's own key and a Bedrock switch: neither may reach Claude Code. The user's model: Sonnet 4.5.
    env: claudeEnv(record, { ANTHROPIC_API_KEY: 'placeholder-users-own-key', CLAUDE_CODE_USE_BEDROCK: '1', ANTHROPIC_MODEL: 'claude-sonnet-4-5' }),
    timeoutMs: 60_000,
  });
  const got = JSON.parse(readFileSync(record, 'utf8')) as ClaudeRecord;
  const session = /\/p\/[^/]+\/s\/([A-Za-z0-9._-]+)$/.exec(got.env.ANTHROPIC_BASE_URL?.value ?? '')?.[1] as string;
  return { result, got, session };
}

/** The Messages requests the fake sent, by step. */
function messages(got: ClaudeRecord, step?: string): ClaudeRequest[] {
  return got.requests.filter((request) => request.path.includes('/v1/messages') && !request.path.includes('count_tokens') && (step === undefined || request.step === step));
}

/**
 * Every request answered, except what Claude Code itself gets past: an upstream that refuses
 * system turns (400 "Unexpected role ... input message role") is asked again at once without
 * them (the fake does what 2.1.337 does), and that retry must succeed.
 */
function expectAllServed(got: ClaudeRecord): void {
  const sent = messages(got);
  const failures = sent.flatMap((request, index) =>
    request.answer.ok ? [] : [{ step: request.step, round: request.round, status: request.answer.status, error: JSON.stringify(request.answer.error), retriedOk: sent[index + 1]?.fallback === true && sent[index + 1]?.answer.ok === true }],
  );
  for (const failure of failures) expect(failure).toMatchObject({ status: 400, error: expect.stringMatching(/Unexpected role.*input message role/), retriedOk: true });
}

/**
 * The title request reached Ollama as a structured output (the title's JSON schema as `format`),
 * and the answer Claude Code got is JSON with a string title, which it requires.
 */
function expectTitle(got: ClaudeRecord): void {
  const chat = gateway.ollama.requests.filter((request) => request.path === '/api/chat');
  const asked = chat.find((request) => JSON.stringify((request.body as { messages?: unknown }).messages ?? '').includes('<session>'));
  expect((asked?.body as { format?: unknown } | undefined)?.format).toEqual({ type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false });
  expect(got.title?.ok).toBe(true);
  // Soft: the Ollama double answers a `format` request with its echo, not with JSON (a double gap, not the daemon's).
  expect.soft(got.title, `the title's answer: ${got.title?.text}`).toMatchObject({ json: true, title: expect.any(String) });
}

/** The ledger, the summary and the status line tell the same story. */
async function expectAccounted(got: ClaudeRecord, session: string, projectName: string, summaryFile: string, stdout: string): Promise<void> {
  const events = sessionEvents(gateway.home, session);
  expect(events.length).toBe(messages(got).length);
  const cost = events.reduce((sum, event) => sum + (event.costUsd ?? 0), 0);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { requests: number; costUsd: number };
  expect(summary.requests).toBe(events.length);
  expect(summary.costUsd).toBeCloseTo(cost, 12);
  expect(stdout).toContain(`Lodestar session ${session} (project ${projectName}): ${events.length} requests`);
  expect(got.statusline?.exitCode).toBe(0);
  expect(got.statusline?.firstLine).toContain(`Lodestar ${formatMoney(cost)}`);
  expect(got.statusline?.firstLine).toContain(`${events.length} requests`);
  // The tool is a dimension of the ledger: Claude Code's requests are all under "claude".
  expect(events.every((event) => event.tool === 'claude')).toBe(true);
}

describe('lodestar claude', () => {
  it("runs an interactive Claude Code 2.1.337 session through the daemon: the title on the background model, the main loop on Sonnet byte for byte (max_tokens lowered to its limit), the subagent translated to DeepSeek, the file written, and a summary and status line equal to the ledger", async () => {
    const dir = project('shop', { background: 'ollama/qwen2.5-coder:3b', main: 'anthropic/claude-sonnet-4-5', thinking: 'anthropic/claude-sonnet-4-5', subagent: 'deepseek/deepseek-flash' });
    script(dir, gateway.anthropic);
    const summaryFile = join(work, 'summary1.json');
    const { result, got, session } = await runSession(dir, join(work, 'run1.json'), summaryFile);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(got.mode).toBe('interactive');

    // The daemon as its endpoint, for this project and session; its token as the bearer token, never on the command line.
    expect(session).toBeDefined();
    expect(got.env.ANTHROPIC_BASE_URL?.value).toBe(`http://127.0.0.1:${gateway.port}/p/shop/s/${session}`);
    expect(got.auth).toEqual({ scheme: 'bearer', tokenLength: gateway.token.length });
    expect(got.env.ANTHROPIC_API_KEY?.set).toBe(false);
    expect(got.env.CLAUDE_CODE_USE_BEDROCK?.set).toBe(false);
    expect(got.env.NO_PROXY?.value).toContain('127.0.0.1');
    expect(got.warnings.filter((warning) => /auth conflict/i.test(warning))).toEqual([]);
    expect(got.argv.join(' ')).not.toContain(gateway.token);
    expectAllServed(got);

    // The session title: Claude Code's own model asked for, the background class's model answering, in JSON with a title.
    const [title] = messages(got, 'title');
    expect(title?.body?.model).toBe('claude-sonnet-4-5');
    expect(title?.answer.headers?.['x-lodestar-model']).toBe('ollama/qwen2.5-coder:3b');
    expect(title?.answer.headers?.['x-lodestar-claude-class']).toBe('background');
    expectTitle(got);

    // The main loop on claude.main, passed through: the upstream body is the one sent, max_tokens alone lowered to Sonnet 4.5's 64,000.
    const main = messages(got, 'main').filter((request) => request.answer.ok);
    expect(main.length).toBeGreaterThanOrEqual(3); // the Write round, the Agent round, the answers after them
    const upstream = gateway.anthropic.requests.filter((request) => request.path.startsWith('/v1/messages') && !request.path.includes('count_tokens'));
    for (const request of main) {
      expect(request.answer.headers?.['x-lodestar-model']).toBe('anthropic/claude-sonnet-4-5');
      expect(request.answer.headers?.['x-lodestar-claude-class']).toBe('main');
      expect(request.body?.max_tokens).toBe(ASKED_MAX_TOKENS);
      const lowered = (request.rawBody as string).replace(`"max_tokens":${ASKED_MAX_TOKENS}`, '"max_tokens":64000');
      const passed = upstream.find((entry) => entry.rawBody === lowered);
      expect(passed, `no upstream request equals main round ${request.round} with max_tokens 64000`).toBeDefined();
      expect(JSON.parse(passed?.rawBody as string)).toEqual({ ...(JSON.parse(request.rawBody as string) as object), max_tokens: 64_000 });
      // Anthropic must see Claude Code's betas and version as sent.
      expect(passed?.headers['anthropic-beta']).toBe(request.headers['anthropic-beta']);
      expect(passed?.headers['anthropic-version']).toBe(request.headers['anthropic-version']);
    }
    expect(main[0]?.answer.events?.[0]).toBe('message_start');
    expect(routes.some((route) => route.project === 'shop' && JSON.stringify(route.clamped ?? []).includes('"sent":64000'))).toBe(true);

    // The subagent's requests on claude.subagent, translated to DeepSeek and back: its hand-back reached the main loop.
    const subagent = messages(got, 'subagent');
    expect(subagent.length).toBe(2); // the Read round, then the hand-back
    for (const request of subagent) {
      expect(request.headers['x-claude-code-agent-id']).toMatch(/^a[0-9a-f]{16}$/);
      expect(request.answer.headers?.['x-lodestar-model']).toBe('deepseek/deepseek-flash');
      expect(request.answer.headers?.['x-lodestar-claude-class']).toBe('subagent');
      expect(request.answer.events?.[0]).toBe('message_start');
    }
    expect(got.subagents).toEqual([expect.objectContaining({ type: 'general-purpose', ok: true, handedBack: true, report: 'The project folder holds hello.txt and .lodestarrc.' })]);
    expect(gateway.deepseek.requests.some((request) => request.path.endsWith('/chat/completions'))).toBe(true);

    // The Write round wrote the file in the project.
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hi\n');

    // The summary and the status line say what the ledger says.
    await expectAccounted(got, session, 'shop', summaryFile, result.stdout);
    const cost = sessionEvents(gateway.home, session).reduce((sum, event) => sum + (event.costUsd ?? 0), 0);

    // With a budget, the line says what is left of it (from the status file the daemon keeps, within a second).
    expect((await runCli(['budget', 'set', '--monthly', '20'], { home: gateway.home })).exitCode).toBe(0);
    await expect
      .poll(async () => (await runCli(['statusline', '--session', session], { home: gateway.home, input: '{}' })).stdout, { timeout: 5000 })
      .toContain(`${formatMoney(20 - cost)} left of $20.00 this month`);

    // The tool is a dimension of reports too: this session is all there is under "claude" so far.
    const byTool = await runCli(['report', '--month', '--by', 'tool', '--json'], { home: gateway.home });
    const rows = (JSON.parse(byTool.stdout) as { rows: Array<{ key: string; requests: number; costUsd: number }> }).rows;
    expect(rows.find((row) => row.key === 'claude')).toMatchObject({ requests: sessionEvents(gateway.home, session).length });
    expect(rows.find((row) => row.key === 'claude')?.costUsd).toBeCloseTo(cost, 6); // reports round to 1e-7
  }, 90_000);

  it('runs the same session with its main loop on gpt-4o-mini: translated, max_tokens lowered to 16,384 so that OpenAI takes every request, and the file written', async () => {
    const dir = project('mini', { background: 'ollama/qwen2.5-coder:3b', main: 'openai/gpt-4o-mini', subagent: 'deepseek/deepseek-flash' });
    script(dir, gateway.openai);
    const summaryFile = join(work, 'summary2.json');
    const { result, got, session } = await runSession(dir, join(work, 'run2.json'), summaryFile);
    expect(result.exitCode, result.stderr).toBe(0);

    // Every request answered, none refused (the translation turns system turns into user turns).
    const failed = messages(got).filter((request) => !request.answer.ok).map((request) => ({ step: request.step, round: request.round, status: request.answer.status, error: request.answer.error }));
    expect(failed).toEqual([]);
    expect(got.systemTurns.refused).toBe(false);

    const main = messages(got, 'main');
    expect(main.length).toBeGreaterThanOrEqual(3);
    for (const request of main) expect(request.answer.headers?.['x-lodestar-model']).toBe('openai/gpt-4o-mini');
    const upstream = gateway.openai.requests.filter((request) => request.path.endsWith('/chat/completions'));
    expect(upstream.length).toBe(main.length);
    for (const request of upstream) {
      const body = request.body as { max_tokens?: number; max_completion_tokens?: number };
      expect(body.max_completion_tokens ?? body.max_tokens).toBeLessThanOrEqual(16_384);
    }
    expect(routes.some((route) => route.project === 'mini' && JSON.stringify(route.clamped ?? []).includes('"sent":16384'))).toBe(true);
    expectTitle(got);
    expect(got.subagents).toEqual([expect.objectContaining({ ok: true, handedBack: true })]);
    expect(readFileSync(join(dir, 'hello.txt'), 'utf8')).toBe('hi\n');
    await expectAccounted(got, session, 'mini', summaryFile, result.stdout);
  }, 90_000);

  it('says how to install Claude Code when there is none, and exits 1', async () => {
    const result = await runCli(['claude'], { home: gateway.home, cwd: work, env: { PATH: '/usr/bin:/bin' } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('Claude Code is not installed');
    expect(result.stderr).toContain('npm install -g @anthropic-ai/claude-code');
  });

  it('prints an empty line, not an error, when the daemon is down', async () => {
    const home = mkdtempSync(join(tmpdir(), 'lodestar-nodaemon-'));
    try {
      const result = await runCli(['statusline', '--session', 'x'], { home, input: '{"session_id":"abc"}' });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(''); // one empty line (execa takes the final newline off)
      expect(result.stderr).toBe('');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
