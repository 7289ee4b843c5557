import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerLine } from '../../src/ledger/ledger-writer.js';
import { event } from '../helpers/events.js';
import { cleanupHome, runCli, tempHome } from '../helpers/cli.js';

const homes: string[] = [];
afterEach(() => {
  while (homes.length) cleanupHome(homes.pop() as string);
});

/** A home whose ledger holds a known month: written as the daemon writes it, no rollups yet. */
function homeWithLedger(): string {
  const home = tempHome();
  homes.push(home);
  mkdirSync(join(home, 'ledger'));
  const events = [
    event({ time: '2026-11-02T09:00:00.000Z', project: 'web', task: 'edit', model: 'deepseek/deepseek-flash', provider: 'deepseek', usage: { inputTokens: 12000, cachedInputTokens: 8000, outputTokens: 400 }, costUsd: 0.000828, baselineCostUsd: 0.0296 }),
    event({ time: '2026-11-02T09:05:00.000Z', project: 'web', task: 'commit', model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', usage: { inputTokens: 900, outputTokens: 12 }, costUsd: 0, baselineCostUsd: 0.00192 }),
    event({ time: '2026-11-02T23:40:00.000Z', project: 'cli', task: 'architect', model: 'anthropic/claude-sonnet-5', provider: 'anthropic', usage: { inputTokens: 20000, outputTokens: 1500 }, costUsd: 0.055, baselineCostUsd: 0.055 }),
    event({ time: '2026-11-03T10:00:00.000Z', project: 'cli', task: 'chat', model: 'openrouter/some/new-model', provider: 'openrouter', usage: { inputTokens: 100, outputTokens: 10 }, costUsd: undefined, price: undefined, baselineCostUsd: 0.0003 }),
    event({ time: '2026-11-03T11:00:00.000Z', project: 'cli', task: 'edit', model: undefined, provider: undefined, status: 'error', usage: {}, costUsd: undefined, baselineCostUsd: undefined }),
    event({ time: '2026-10-30T10:00:00.000Z', project: 'web' }),
  ];
  for (const entry of events) {
    const file = join(home, 'ledger', `${entry.time.slice(0, 7)}.jsonl`);
    writeFileSync(file, ledgerLine(entry), { flag: 'a', mode: 0o600 });
  }
  return home;
}

describe('lodestar report', () => {
  it('prints the month as a table with totals, savings, and flags for unknown prices', async () => {
    const home = homeWithLedger();
    const result = await runCli(['report', '--month', '2026-11', '--timezone', 'UTC'], { home });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(
      [
        'Lodestar spend, 2026-11-01 to 2026-11-30 (UTC), by model',
        '',
        'model                      requests  input  cached  output      cost  baseline             saved',
        '─────────────────────────  ────────  ─────  ──────  ──────  ────────  ────────  ────────────────',
        'anthropic/claude-sonnet-5         1  20.0k       0   1.50k    $0.055    $0.055         $0 (0.0%)',
        'deepseek/deepseek-flash           1  12.0k   8.00k     400  $0.00083   $0.0296   $0.0288 (97.2%)',
        'ollama/qwen2.5-coder:3b           1    900       0      12        $0   $0.0019  $0.0019 (100.0%)',
        'openrouter/some/new-model         1    100       0      10       $0*        $0         $0 (0.0%)',
        '-                                 1      0       0       0        $0        $0         $0 (0.0%)',
        'total                             5  33.0k   8.00k   1.92k  $0.0558*   $0.0865   $0.0307 (35.5%)',
        '',
        'Spent $0.0558; the same tokens on anthropic/claude-sonnet-5 would have cost $0.0865: saved $0.0307 (35.5%). Cache hits: 0. Failed requests: 1.',
        '* 1 request to openrouter/some/new-model had no known price: not in these costs or savings. Set one under "prices" in $LODESTAR_HOME/config.json.',
      ].join('\n'),
    );
  });

  it('prints JSON in the shape INTERFACE.md promises, and nothing else on stdout', async () => {
    const home = homeWithLedger();
    const result = await runCli(['report', '--month', '2026-11', '--timezone', 'UTC', '--by', 'project', '--json'], { home });
    const report = JSON.parse(result.stdout);
    expect(report.period).toEqual({ from: '2026-11-01', to: '2026-11-30' });
    expect(Object.keys(report.totals)).toEqual(expect.arrayContaining(['requests', 'inputTokens', 'outputTokens', 'cachedInputTokens', 'costUsd', 'baselineCostUsd', 'savedUsd', 'cacheHits']));
    expect(report.rows.map((row: { key: string }) => row.key)).toEqual(['cli', 'web']);
    for (const row of report.rows) expect(Object.keys(row)).toEqual(expect.arrayContaining(['key', 'requests', 'inputTokens', 'outputTokens', 'costUsd', 'baselineCostUsd', 'savedUsd']));
    expect(report.totals).toMatchObject({ requests: 5, unpricedRequests: 1, errors: 1 });
    expect(report.flags.unpricedModels).toEqual(['openrouter/some/new-model']);
  });

  it('prints CSV with a total row', async () => {
    const home = homeWithLedger();
    const result = await runCli(['report', '--month', '2026-11', '--timezone', 'UTC', '--by', 'task', '--csv'], { home });
    expect(result.stdout.split('\n')).toEqual([
      'key,requests,inputTokens,cachedInputTokens,outputTokens,costUsd,baselineCostUsd,savedUsd,savedPercent,cacheHits,errors,unpricedRequests,approximateRequests',
      'architect,1,20000,0,1500,0.055,0.055,0,0,0,0,0,0',
      'edit,2,12000,8000,400,0.000828,0.0296,0.028772,97.2,0,1,0,0',
      'chat,1,100,0,10,0,0,0,0,0,0,1,0',
      'commit,1,900,0,12,0,0.00192,0.00192,100,0,0,0,0',
      'total,5,33000,8000,1922,0.055828,0.08652,0.030692,35.5,0,1,1,0',
    ]);
  });

  it('groups days in the time zone asked for, and filters by project', async () => {
    const home = homeWithLedger();
    const utc = JSON.parse((await runCli(['report', '--month', '2026-11', '--timezone', 'UTC', '--by', 'day', '--json'], { home })).stdout);
    expect(utc.rows.map((row: { key: string; requests: number }) => [row.key, row.requests])).toEqual([
      ['2026-11-02', 3],
      ['2026-11-03', 2],
    ]);
    // 23:40 UTC on Nov 2 is Nov 3 in Berlin; 10:00 UTC on Oct 30 stays in October.
    const berlin = JSON.parse((await runCli(['report', '--month', '2026-11', '--timezone', 'Europe/Berlin', '--by', 'day', '--json'], { home })).stdout);
    expect(berlin.rows.map((row: { key: string; requests: number }) => [row.key, row.requests])).toEqual([
      ['2026-11-02', 2],
      ['2026-11-03', 3],
    ]);
    const web = JSON.parse((await runCli(['report', '--since', '2026-10-01', '--until', '2026-11-30', '--timezone', 'UTC', '--project', 'web', '--json'], { home })).stdout);
    expect(web.totals.requests).toBe(3);
    const day = JSON.parse((await runCli(['report', '--day', '2026-11-03', '--timezone', 'UTC', '--json'], { home })).stdout);
    expect(day.totals.requests).toBe(2);
  });

  it('says so when there is nothing, and refuses bad words with exit 2', async () => {
    const home = tempHome();
    homes.push(home);
    const empty = await runCli(['report', '--month', '2026-01'], { home });
    expect(empty.exitCode).toBe(0);
    expect(empty.stdout).toContain('No requests in this period.');
    const emptyJson = JSON.parse((await runCli(['report', '--json'], { home })).stdout);
    expect(emptyJson.rows).toEqual([]);
    for (const [args, message] of [
      [['report', '--month', '2026-13'], '--month must be a month like 2026-11'],
      [['report', '--by', 'color'], '--by must be one of model, provider, project, day, task'],
      [['report', '--timezone', 'Mars/Olympus'], 'is not a time zone'],
      [['report', '--month', '--day'], 'choose one period'],
      [['report', '--json', '--csv'], 'choose one of --json and --csv'],
    ] as const) {
      const result = await runCli(args, { home });
      expect(result.exitCode, args.join(' ')).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });
});
