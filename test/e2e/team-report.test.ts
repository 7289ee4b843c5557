import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/server/db/database.js';
import { TEAM_GROUPS, type TeamReport } from '../../src/shared/team-report-facts.js';
import { cleanupHome, runCli, tempHome } from '../helpers/cli.js';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../helpers/postgres.js';
import { redisUnavailable, startRedis, type Redis } from '../helpers/redis.js';
import { spawnTeamServer, type TeamServerProcess } from '../helpers/team-server.js';
import { expectedReport, expectMatches, insertOwned, knownEvents, type OwnedEvent, type Owner } from '../helpers/team-ledger.js';

/**
 * `lodestar admin report` and `lodestar admin budget set` as real processes (bin/lodestar, dist/)
 * against a real `lodestar server` over a real PostgreSQL and Redis. The events are inserted as
 * the ledger's writer inserts them; what the report must say of them is added up here, event by event.
 */
const HAVE = requirePostgresOrSkip() && !redisUnavailable();
const ADMIN_KEY = 'lsa_report_test_admin_key_0123456789';
const DECEMBER = { from: '2026-12-01', to: '2026-12-31', timeZone: 'UTC' };

describe.skipIf(!HAVE)(`lodestar admin report and budget set against a server${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, { timeout: 60_000 }, () => {
  let postgres: Postgres;
  let pool: pg.Pool;
  let home: string;
  let redis: Redis;
  let server: TeamServerProcess;
  let serverUrl: string;
  let events: OwnedEvent[];
  let env: Record<string, string>;

  beforeAll(async () => {
    home = tempHome();
    [postgres, redis] = await Promise.all([startPostgres(), startRedis()]);
    const url = await postgres.createDatabase();
    server = await spawnTeamServer({ home, databaseUrl: url, redisUrl: redis.url, env: { LODESTAR_ADMIN_KEY: ADMIN_KEY, LODESTAR_TIMEZONE: 'UTC' } });
    serverUrl = server.url;
    env = { LODESTAR_SERVER: serverUrl, LODESTAR_ADMIN_KEY: ADMIN_KEY };

    // Two teams, three users, four keys, through the CLI as an admin would make them.
    for (const team of [['platform', '--monthly', '500', '--hard'], ['research']]) expect((await admin(['team', 'add', ...team])).exitCode).toBe(0);
    const owners: Array<Owner | undefined> = [];
    for (const [email, team] of [['ana@example.com', 'platform'], ['bo@example.com', 'platform'], ['cy@example.com', 'research']] as const) {
      const made = JSON.parse((await admin(['user', 'add', email, '--team', team, '--json'])).stdout) as { id: string; key: string; user: { id: string }; team: { id: string } };
      owners.push({ userId: made.user.id, teamId: made.team.id, keyId: made.id, labels: { user: email, team, key: `${made.key.slice(0, 8)}... ${made.id}` } });
    }
    pool = createPool(url, { max: 2 });
    events = knownEvents([...owners, undefined]);
    // And a few of today's, for the report's default period.
    const today = knownEvents(owners, 'today').slice(0, 9);
    today.forEach(({ event }, index) => (event.time = new Date(Date.now() - index * 60_000).toISOString()));
    events.push(...today);
    await insertOwned(pool, events);
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await pool?.end();
    await Promise.all([postgres?.stop(), redis?.stop()]);
    if (home) cleanupHome(home);
  });

  const admin = (args: string[]) => runCli(['admin', ...args], { home, env });

  async function call(method: string, path: string, options: { key?: string | null; body?: unknown; raw?: string } = {}) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const key = options.key === undefined ? ADMIN_KEY : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    const response = await fetch(`${serverUrl}${path}`, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  }

  /** Every team and user row, to see that a refused change wrote nothing. */
  async function identityRows(): Promise<unknown[]> {
    return (await pool.query('SELECT t.*, u.* FROM teams t LEFT JOIN users u ON u.team_id = t.id ORDER BY t.id, u.id')).rows;
  }

  it('report --by user --json: each user\'s spend is the sum of their events in the ledger', async () => {
    const result = await admin(['report', '--by', 'user', '--month', '2026-12', '--json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as TeamReport;
    expectMatches(report, expectedReport(events, 'user', DECEMBER));
    expect(report.rows.map((row) => row.key)).toEqual(expect.arrayContaining(['ana@example.com', 'bo@example.com', 'cy@example.com', '(none)']));
    expect(report.totals.unpricedRequests).toBeGreaterThan(0);
  });

  it.each(TEAM_GROUPS.filter((by) => by !== 'user'))('report --by %s --json', async (by) => {
    const result = await admin(['report', '--by', by, '--month', '2026-12', '--json']);
    expect(result.exitCode).toBe(0);
    expectMatches(JSON.parse(result.stdout) as TeamReport, expectedReport(events, by, DECEMBER));
  });

  it('report with no period is this month, in the server\'s time zone (UTC here)', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const report = JSON.parse((await admin(['report', '--json'])).stdout) as TeamReport;
    expect(report).toMatchObject({ by: 'user', timeZone: 'UTC', period: { from: `${month}-01` } });
    expectMatches(report, expectedReport(events, 'user', { from: report.period.from, to: report.period.to, timeZone: 'UTC' }));
  });

  it('report --csv: a header, a line a row, then the total, the same numbers as --json', async () => {
    const json = JSON.parse((await admin(['report', '--by', 'team', '--month', '2026-12', '--json'])).stdout) as TeamReport;
    const csv = await admin(['report', '--by', 'team', '--month', '2026-12', '--csv']);
    expect(csv.exitCode).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('key,id,requests,errors,inputTokens,cachedInputTokens,outputTokens,costUsd,baselineCostUsd,savedUsd,savedPercent,cacheHits,unpricedRequests,approximateRequests');
    expect(lines).toHaveLength(json.rows.length + 2);
    json.rows.forEach((row, index) => expect(lines[index + 1]).toBe(`${row.key},${row.id ?? ''},${row.requests},${row.errors},${row.inputTokens},${row.cachedInputTokens},${row.outputTokens},${row.costUsd},${row.baselineCostUsd},${row.savedUsd},${row.savedPercent},${row.cacheHits},${row.unpricedRequests},${row.approximateRequests}`));
    expect(lines.at(-1)).toBe(`total,,${json.totals.requests},${json.totals.errors},${json.totals.inputTokens},${json.totals.cachedInputTokens},${json.totals.outputTokens},${json.totals.costUsd},${json.totals.baselineCostUsd},${json.totals.savedUsd},${json.totals.savedPercent},${json.totals.cacheHits},${json.totals.unpricedRequests},${json.totals.approximateRequests}`);
    // A project's name with a quote in it, quoted as CSV quotes.
    const byProject = await admin(['report', '--by', 'project', '--month', '2026-12', '--csv']);
    expect(byProject.stdout).toContain("\napi's,,");
  });

  it('report prints a table as `lodestar report` does', async () => {
    const result = await admin(['report', '--by', 'user', '--month', '2026-12']);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe('Lodestar team spend, 2026-12-01 to 2026-12-31 (UTC), by user');
    expect(lines[2]).toMatch(/^user\s+requests\s+errors\s+input\s+output\s+cost\s+baseline\s+saved$/);
    expect(lines[3]).toMatch(/^─+(\s+─+){7}$/);
    for (const email of ['ana@example.com', 'bo@example.com', 'cy@example.com', '(none)']) expect(result.stdout).toMatch(new RegExp(`\\n${email.replace(/[.()]/g, '\\$&')}\\s+\\d+\\s+\\d+\\s`));
    expect(result.stdout).toMatch(/\ntotal\s+\d+\s+\d+\s/);
    expect(result.stdout).toMatch(/\nSpent \$[\d.]+; the same tokens on the baseline models would have cost \$[\d.]+: saved/);
    expect(result.stdout).toMatch(/\n\* \d+ requests to .+ had no known price: not in these costs or savings/);
    expect((await admin(['report', '--month', '2031-01'])).stdout).toContain('No requests in this period.');
  });

  it('report: a bad flag exits 2 naming it; a bad word to the API is a 400 naming it', async () => {
    for (const [args, flag] of [[['--by', 'nope'], '--by'], [['--month', '2026-13'], '--month'], [['--day', '24-12-2026'], '--day'], [['--json', '--csv'], '--csv'], [['--timezone', 'Mars/Olympus'], '--timezone'], [['--bogus'], '--bogus']] as const) {
      const result = await admin(['report', ...args]);
      expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode: 2 });
      expect(result.stderr).toContain(flag);
    }
    for (const [query, param] of [['by=nope', 'by'], ['month=2026-13', 'month'], ['day=2026-02-30', 'day'], ['since=2026-12-09&until=2026-12-01', 'since'], ['timezone=Mars%2FOlympus', 'timezone'], ['bogus=1', 'bogus'], ['by=user&by=team', 'by'], ['month=2026-12&day=2026-12-01', 'period']] as const) {
      const answer = await call('GET', `/admin/report?${query}`);
      expect({ query, status: answer.status, param: answer.body.error?.param }).toEqual({ query, status: 400, param });
    }
    expect((await call('GET', '/admin/report', { key: null })).status).toBe(401);
    expect((await call('GET', '/admin/report', { key: `lsk_${'A'.repeat(43)}` })).status).toBe(403);
  });

  it("budget set: a team's and a user's limits, changed and logged as an admin action, never with a key", async () => {
    const team = await admin(['budget', 'set', '--team', 'Platform', '--monthly', '800', '--daily', '60', '--soft']);
    expect(team.exitCode).toBe(0);
    expect(team.stdout).toContain('Team platform: $800.00 a month, $60.00 a day, soft.');
    expect(team.stdout).toContain('Changed: monthlyUsd $500.00 -> $800.00, dailyUsd none -> $60.00, mode hard -> soft.');
    const row = (await pool.query("SELECT monthly_budget_usd, daily_budget_usd, budget_mode FROM teams WHERE name = 'platform'")).rows[0];
    expect(row).toEqual({ monthly_budget_usd: 800, daily_budget_usd: 60, budget_mode: 'soft' });

    const user = JSON.parse((await admin(['budget', 'set', '--user', 'ANA@example.com', '--monthly', '50', '--rpm', '120', '--hard', '--json'])).stdout) as Record<string, any>;
    expect(user.user).toMatchObject({ email: 'ana@example.com', monthlyBudgetUsd: 50, rpm: 120, budgetMode: 'hard' });
    expect(user.team).toMatchObject({ name: 'platform' });
    expect(user.changes).toEqual({ monthlyUsd: { from: null, to: 50 }, mode: { from: null, to: 'hard' }, rpm: { from: null, to: 120 } });
    const cleared = await admin(['budget', 'set', '--user', 'ana@example.com', '--monthly', 'none', '--tpm', '9000']);
    expect(cleared.exitCode).toBe(0);
    expect((await pool.query("SELECT monthly_budget_usd, rpm, tpm FROM users WHERE email = 'ana@example.com'")).rows[0]).toEqual({ monthly_budget_usd: null, rpm: 120, tpm: 9000 });

    expect(server.stderr()).toMatch(/info admin: budget set \{"team":"platform","teamId":"[0-9a-f-]{36}","changes":\{"monthlyUsd":\{"from":500,"to":800\}/);
    expect(server.stderr()).toMatch(/info admin: budget set \{"user":"ana@example.com","userId":"[0-9a-f-]{36}","changes":\{"monthlyUsd":\{"from":50,"to":null\},"tpm":\{"from":null,"to":9000\}\}\}/);
    expect(server.stderr()).not.toContain(ADMIN_KEY);
  });

  it('budget set: bad input exits 2 naming the flag, or is a 4xx from the API naming the field, and writes nothing', async () => {
    const before = await identityRows();
    for (const [args, flag] of [
      [['--team', 'platform', '--monthly', '-5'], '--monthly'],
      [['--team', 'platform', '--monthly', 'lots'], '--monthly'],
      [['--team', 'platform', '--rpm', '10'], '--rpm'],
      [['--user', 'ana@example.com', '--tpm', '0'], '--tpm'],
      [['--team', 'platform', '--user', 'ana@example.com', '--monthly', '1'], '--team'],
      [['--monthly', '1'], '--team'],
      [['--team', 'platform'], 'nothing to set'],
      [['--team', 'platform', '--hard', '--soft'], '--hard'],
    ] as const) {
      const result = await admin(['budget', 'set', ...args]);
      expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode: 2 });
      expect(result.stderr).toContain(flag);
    }
    const unknown = await admin(['budget', 'set', '--user', 'nobody@example.com', '--monthly', '5']);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('(field: user)');

    const cases: Array<[unknown, number, string | null]> = [
      [{ team: 'platform', monthlyUsd: -5 }, 400, 'monthlyUsd'],
      [{ team: 'platform', dailyUsd: 'ten' }, 400, 'dailyUsd'],
      [{ team: 'platform', rpm: 10 }, 400, 'rpm'],
      [{ team: 'platform', tpm: null }, 400, 'tpm'],
      [{ team: 'platform', mode: null }, 400, 'mode'],
      [{ user: 'ana@example.com', mode: 'medium' }, 400, 'mode'],
      [{ user: 'ana@example.com', rpm: 1.5 }, 400, 'rpm'],
      [{ user: 'nobody@example.com', monthlyUsd: 5 }, 404, 'user'],
      [{ team: 'nope', monthlyUsd: 5 }, 404, 'team'],
      [{ team: 'platform', user: 'ana@example.com', monthlyUsd: 5 }, 400, 'user'],
      [{ monthlyUsd: 5 }, 400, 'team'],
      [{ team: 'platform' }, 400, 'budget'],
      [{ team: 'platform', monthly: 5 }, 400, 'monthly'],
      [{ team: 7, monthlyUsd: 5 }, 400, 'team'],
    ];
    for (const [body, status, param] of cases) {
      const answer = await call('POST', '/admin/budgets', { body });
      expect({ body, status: answer.status, param: answer.body.error?.param }).toEqual({ body, status, param });
    }
    expect((await call('POST', '/admin/budgets', { raw: '{"team":' })).status).toBe(400);
    expect((await call('POST', '/admin/budgets', { key: null, body: { team: 'platform', monthlyUsd: 1 } })).status).toBe(401);
    expect(await identityRows()).toEqual(before);
  });
});
