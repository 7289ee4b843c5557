import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/ledger/request-event.js';
import { formatMoney } from '../../src/shared/format.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';

const FAKE_CLAUDE_BIN = join(ROOT, 'test', 'fixtures', 'claude');

interface ClaudeRecord {
  argv: string[];
  env: Record<string, { set: boolean; value?: string | null; length?: number }>;
  auth: { scheme: string; tokenLength: number };
  warnings: string[];
  requests: Array<{ step: string; path: string; rawBody: string; body: { model: string }; answer: { ok: boolean; status: number; headers: Record<string, string>; events?: string[] } }>;
  statusline: { firstLine: string; exitCode: number; durationMs: number } | null;
  exitCode: number;
}

let gateway: Gateway;
let work: string;

beforeAll(async () => {
  gateway = await startGateway();
  work = mkdtempSync(join(tmpdir(), 'lodestar-claude-'));
});
afterAll(async () => {
  await gateway?.stop();
  rmSync(work, { recursive: true, force: true });
});

/** A git repository whose .lodestarrc sends Claude Code's background work to a free local model, and its main loop to Sonnet. */
function project(name: string): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(join(dir, '.lodestarrc'), JSON.stringify({ project: name, claude: { background: 'ollama/qwen2.5-coder:3b', main: 'anthropic/claude-sonnet-4-5', thinking: 'anthropic/claude-sonnet-4-5' } }));
  return dir;
}

function claudeEnv(record: string, extra: Record<string, string> = {}): Record<string, string> {
  // A home of its own: the fake reads ~/.claude/settings.json as Claude Code does.
  const home = join(work, 'home');
  mkdirSync(home, { recursive: true });
  return { PATH: `${FAKE_CLAUDE_BIN}:${process.env.PATH}`, HOME: home, FAKE_CLAUDE_RECORD: record, ...extra };
}

function ledger(session: string): RequestEvent[] {
  const month = new Date().toISOString().slice(0, 7);
  return readFileSync(join(gateway.home, 'ledger', `${month}.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RequestEvent)
    .filter((event) => event.session === session);
}

describe('lodestar claude', () => {
  it("runs Claude Code through the daemon: background work on a free local model, the main loop on Sonnet byte for byte, and a summary and status line equal to the ledger", async () => {
    const dir = project('shop');
    const record = join(work, 'run1.json');
    const summaryFile = join(work, 'summary1.json');
    const result = await runCli(['claude', '--summary-file', summaryFile, '--', '-p', 'rename greet to hello'], {
      home: gateway.home,
      cwd: dir,
      // The user's own key and a Bedrock switch: neither may reach Claude Code.
      env: claudeEnv(record, { ANTHROPIC_API_KEY: 'placeholder-users-own-key', CLAUDE_CODE_USE_BEDROCK: '1', ANTHROPIC_MODEL: 'claude-sonnet-4-5' }),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const got = JSON.parse(readFileSync(record, 'utf8')) as ClaudeRecord;

    // The daemon as its endpoint, for this project and session; its token as the bearer token, never on the command line.
    const session = /\/p\/shop\/s\/([A-Za-z0-9._-]+)$/.exec(got.env.ANTHROPIC_BASE_URL?.value ?? '')?.[1] as string;
    expect(session).toBeDefined();
    expect(got.env.ANTHROPIC_BASE_URL?.value).toBe(`http://127.0.0.1:${gateway.port}/p/shop/s/${session}`);
    expect(got.auth).toEqual({ scheme: 'bearer', tokenLength: gateway.token.length });
    expect(got.env.ANTHROPIC_API_KEY?.set).toBe(false);
    expect(got.env.CLAUDE_CODE_USE_BEDROCK?.set).toBe(false);
    expect(got.env.NO_PROXY?.value).toContain('127.0.0.1');
    expect(got.warnings.filter((warning) => /auth conflict/i.test(warning))).toEqual([]);
    expect(got.argv.join(' ')).not.toContain(gateway.token);

    // Where each kind of request went.
    const served = got.requests.map((request) => ({ step: request.step, model: request.body.model, by: request.answer.headers['x-lodestar-model'], ok: request.answer.ok }));
    expect(served.filter((entry) => !entry.ok)).toEqual([]);
    const topic = got.requests.find((request) => request.step === 'topic');
    expect(topic?.answer.headers['x-lodestar-model']).toBe('ollama/qwen2.5-coder:3b');
    const main = got.requests.filter((request) => request.step === 'main');
    expect(main.length).toBeGreaterThan(0);
    for (const request of main) expect(request.answer.headers['x-lodestar-model']).toBe('anthropic/claude-sonnet-4-5');
    // Every byte of a pass-through request is what Claude Code sent.
    const upstream = gateway.anthropic.requests.filter((request) => request.path.startsWith('/v1/messages') && !request.path.includes('count_tokens'));
    for (const request of main) expect(upstream.map((entry) => entry.rawBody)).toContain(request.rawBody);
    expect(main[0]?.answer.events?.[0]).toBe('message_start');

    // The summary and the status line say what the ledger says.
    const events = ledger(session);
    expect(events.length).toBe(got.requests.filter((request) => request.path.includes('/v1/messages?') || request.path.endsWith('/v1/messages')).length);
    const cost = events.reduce((sum, event) => sum + (event.costUsd ?? 0), 0);
    const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { requests: number; costUsd: number };
    expect(summary.requests).toBe(events.length);
    expect(summary.costUsd).toBeCloseTo(cost, 12);
    expect(result.stdout).toContain(`Lodestar session ${session} (project shop): ${events.length} requests`);
    expect(got.statusline?.exitCode).toBe(0);
    expect(got.statusline?.firstLine).toContain(`Lodestar ${formatMoney(cost)}`);
    expect(got.statusline?.firstLine).toContain(`${events.length} requests`);

    // With a budget, the line says what is left of it (from the status file the daemon keeps, within a second).
    expect((await runCli(['budget', 'set', '--monthly', '20'], { home: gateway.home })).exitCode).toBe(0);
    await expect
      .poll(async () => (await runCli(['statusline', '--session', session], { home: gateway.home, input: '{}' })).stdout, { timeout: 5000 })
      .toContain(`${formatMoney(20 - cost)} left of $20.00 this month`);

    // The tool is a dimension of the ledger: Claude Code's requests are all under "claude".
    expect(events.every((event) => event.tool === 'claude')).toBe(true);
    const byTool = await runCli(['report', '--month', '--by', 'tool', '--json'], { home: gateway.home });
    const rows = (JSON.parse(byTool.stdout) as { rows: Array<{ key: string; requests: number; costUsd: number }> }).rows;
    expect(rows.find((row) => row.key === 'claude')).toMatchObject({ requests: events.length });
    expect(rows.find((row) => row.key === 'claude')?.costUsd).toBeCloseTo(cost, 9);
  }, 60_000);

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
