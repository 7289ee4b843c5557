// A month's report by user over 1,000,000 events: the events go straight into ledger_events (one
// INSERT ... SELECT FROM generate_series), spread over last month as a team of 50 people in 5
// teams would make them; then the report is asked for through the admin API
// (GET /admin/report?by=user) when the server has that route, else with the report's own code
// (dist/src/server/report's teamReport) in this process, else by the bench's own SQL.
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { ADMIN_KEY, makeTeam } from './server-stack.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './gateway-targets.js';
import { median } from './lib/stats.js';

const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', 'src', path)).href);

/** The models a month of coding is spread over, their share of requests and their prices ($/M tokens). */
const MODELS = [
  { model: 'anthropic/claude-sonnet-4-5', provider: 'anthropic', share: 0.35, input: 3, output: 15 },
  { model: 'openai/gpt-5-mini', provider: 'openai', share: 0.2, input: 0.25, output: 2 },
  { model: 'deepseek/deepseek-chat', provider: 'deepseek', share: 0.2, input: 0.28, output: 0.42 },
  { model: 'anthropic/claude-haiku-4-5', provider: 'anthropic', share: 0.15, input: 1, output: 5 },
  { model: 'ollama/qwen2.5-coder:7b', provider: 'ollama', share: 0.1, input: 0, output: 0 },
];
const TOOLS = [
  ['aider', 'aider/0.86.1'],
  ['claude', 'claude-cli/2.1.337'],
  ['codex', 'codex_cli_rs/0.169.0'],
  ['opencode', 'opencode/1.18.33'],
];
const TASKS = ['edit', 'commit', 'summary', 'chat', 'architect'];

/** The calendar month before `now`, UTC: { key: 'YYYY-MM', from, to } (to exclusive). */
export function lastMonth(now = new Date()) {
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  return { key: from.toISOString().slice(0, 7), from, to };
}

/** A value in [0, 1) for row g and stream k, the same at every run (hashint8, not random()). */
const unit = (k) => `((hashint8(g * 16 + ${k})::bigint & 2147483647) / 2147483648.0)`;

/**
 * The INSERT: row g of N falls on a day of the month in proportion to the day's weight (weekdays
 * 1, weekend days 0.15), in time order, within 07:00-19:00 UTC, so that the table fills as the
 * server would fill it; a user drawn with a skew (the busiest of 50 sends ~14% of the requests,
 * the quietest a few hundred), in their team; a model by the shares above, its prices, tokens
 * (2k-62k in, 50-1,550 out, part of the input cached), 2% failures (a 502 with no usage). Ids are
 * UUIDs as the server mints them.
 */
function insertSql() {
  const r = [1, 2, 3, 4, 5, 6].map(unit);
  let cumulative = 0;
  const modelIndex = `CASE ${MODELS.map((entry, index) => {
    cumulative += entry.share;
    return index === MODELS.length - 1 ? `ELSE ${index + 1}` : `WHEN ${r[1]} < ${cumulative.toFixed(4)} THEN ${index + 1}`;
  }).join(' ')} END`;
  return `
WITH days AS (
  SELECT d, CASE WHEN extract(isodow FROM d) < 6 THEN 1.0 ELSE 0.15 END AS w
    FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 day', interval '1 day') AS d
), spans AS (
  SELECT d, w, sum(w) OVER (ORDER BY d) - w AS lo, sum(w) OVER () AS total FROM days
), picked AS (
  SELECT g, s.d, ((g + 0.5) / $3::int * s.total - s.lo) / s.w AS within,
         least(49, floor(50 * power(${r[0]}, 2)))::int + 1 AS u,
         ${modelIndex} AS m,
         ${r[2]} AS r3, ${r[3]} AS r4, ${r[4]} AS r5, ${r[5]} AS r6
    FROM generate_series(0, $3::int - 1) AS g
    JOIN spans AS s ON (g + 0.5) / $3::int * s.total >= s.lo AND (g + 0.5) / $3::int * s.total < s.lo + s.w
), shaped AS (
  SELECT p.*, r5 < 0.02 AS failed,
         2000 + floor(power(r3, 2) * 60000)::int AS input,
         50 + floor(r4 * 1500)::int AS output,
         ($7::text[])[m] AS model, ($8::text[])[m] AS provider, ($9::float8[])[m] AS price_in, ($10::float8[])[m] AS price_out
    FROM picked AS p
)
INSERT INTO ledger_events (id, time, user_id, team_id, key_id, project, session, client, tool, task, requested_model, model, provider,
  stream, status, http_status, error, input_tokens, cached_input_tokens, output_tokens, cost_usd, price, baseline_model, baseline_cost_usd,
  baseline_price, finish_reason, latency_ms, ttft_ms, overhead_ms, fallbacks)
SELECT md5('bench-month-' || g)::uuid::text,
       d + interval '7 hours' + within::float8 * interval '12 hours',
       ($4::uuid[])[u], ($5::uuid[])[u], ($6::uuid[])[u],
       'project-' || ((u * 7 + floor(r6 * 3)::int) % 12),
       's-' || u || '-' || to_char(d, 'DD'),
       ($11::text[])[1 + u % 4], ($12::text[])[1 + u % 4],
       ($13::text[])[1 + floor(r6 * 5)::int],
       CASE WHEN r6 < 0.8 THEN 'lodestar/auto' ELSE model END, model, provider,
       r6 < 0.7, CASE WHEN failed THEN 'error' ELSE 'ok' END, CASE WHEN failed THEN 502 ELSE 200 END,
       CASE WHEN failed THEN 'upstream answered 502' END,
       CASE WHEN failed THEN NULL ELSE input END,
       CASE WHEN failed THEN NULL ELSE floor(input * 0.6 * r4)::int END,
       CASE WHEN failed THEN NULL ELSE output END,
       CASE WHEN failed THEN NULL ELSE (input * price_in + output * price_out) / 1e6 END,
       CASE WHEN failed THEN NULL ELSE jsonb_build_object('source', 'genai-prices', 'matched', model, 'inputPerMTok', price_in, 'outputPerMTok', price_out) END,
       'anthropic/claude-sonnet-4-5',
       CASE WHEN failed THEN NULL ELSE (input * 3 + output * 15) / 1e6 END,
       CASE WHEN failed THEN NULL ELSE '{"source":"genai-prices","matched":"claude-sonnet-4-5","inputPerMTok":3,"outputPerMTok":15}'::jsonb END,
       CASE WHEN failed THEN NULL ELSE 'stop' END,
       400 + r3 * 20000, CASE WHEN r6 < 0.7 THEN 200 + r4 * 800 END, 0.3, '[]'::jsonb
  FROM shaped`;
}

/**
 * The bench's own report by user, when the server has no report route: what a report row holds
 * (requests, errors, tokens, cost, baseline cost, unpriced requests) per user, with their email,
 * over the month.
 */
const REPORT_SQL = `
SELECT e.user_id, u.email, count(*)::int AS requests, count(*) FILTER (WHERE e.status <> 'ok')::int AS errors,
       sum(e.input_tokens)::bigint AS input_tokens, sum(e.cached_input_tokens)::bigint AS cached_input_tokens,
       sum(e.output_tokens)::bigint AS output_tokens, sum(e.cost_usd) AS cost_usd, sum(e.baseline_cost_usd) AS baseline_cost_usd,
       count(*) FILTER (WHERE e.cost_usd IS NULL AND e.input_tokens IS NOT NULL)::int AS unpriced
  FROM ledger_events AS e LEFT JOIN users AS u ON u.id = e.user_id
 WHERE e.time >= $1 AND e.time < $2
 GROUP BY e.user_id, u.email
 ORDER BY cost_usd DESC NULLS LAST`;

/**
 * 5 teams of 10 users made through the admin API of `server`, `events` events of last month for
 * them inserted in one statement, VACUUM ANALYZE (what autovacuum does to a table a month
 * fills), then the report by user `runs` times: through GET /admin/report?by=user&month=...
 * when the server answers it, else teamReport() of dist/src/server/report, else REPORT_SQL.
 * Checked: its rows add up to `events` requests.
 */
export async function measureMonthReport({ server, databaseUrl, plan, log }) {
  const month = lastMonth();
  const teams = [];
  for (let index = 0; index < plan.reportTeams; index++) teams.push(await makeTeam(server, `month-${index}`, plan.reportUsers / plan.reportTeams));
  // Interleaved, so that the busiest users (the first indexes) are not all in one team.
  const users = [];
  for (let index = 0; index < plan.reportUsers / plan.reportTeams; index++) for (const team of teams) users.push({ ...team.users[index], teamId: team.teamId });

  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'lodestar-bench-month' });
  await client.connect();
  try {
    log(`month report: inserting ${plan.reportEvents.toLocaleString('en-US')} events of ${month.key} for ${users.length} users in ${teams.length} teams`);
    const before = (await client.query('SELECT count(*)::int AS n FROM ledger_events')).rows[0].n;
    let started = performance.now();
    await client.query(insertSql(), [
      month.from.toISOString(),
      month.to.toISOString(),
      plan.reportEvents,
      users.map((user) => user.userId),
      users.map((user) => user.teamId),
      users.map((user) => user.keyId),
      MODELS.map((entry) => entry.model),
      MODELS.map((entry) => entry.provider),
      MODELS.map((entry) => entry.input),
      MODELS.map((entry) => entry.output),
      TOOLS.map(([, client]) => client),
      TOOLS.map(([tool]) => tool),
      TASKS,
    ]);
    const insertSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    await client.query('VACUUM ANALYZE ledger_events');
    const vacuumSeconds = (performance.now() - started) / 1000;
    const facts = (
      await client.query(
        `SELECT count(*)::int AS events, sum(cost_usd) AS cost, count(DISTINCT user_id)::int AS users, min(time) AS first, max(time) AS last,
                (SELECT count(*)::int FROM ledger_events) AS table_rows, pg_total_relation_size('ledger_events') AS bytes
           FROM ledger_events WHERE time >= $1 AND time < $2`,
        [month.from, month.to],
      )
    ).rows[0];
    const perUser = (await client.query('SELECT count(*)::int AS n FROM ledger_events WHERE time >= $1 AND time < $2 GROUP BY user_id ORDER BY n DESC', [month.from, month.to])).rows.map((row) => row.n);
    log(`  inserted in ${insertSeconds.toFixed(1)} s (${Math.round(plan.reportEvents / insertSeconds).toLocaleString('en-US')} rows/s), VACUUM ANALYZE ${vacuumSeconds.toFixed(1)} s; the table holds ${facts.table_rows.toLocaleString('en-US')} rows (${(facts.bytes / 1048576).toFixed(0)} MiB with its indexes), ${before.toLocaleString('en-US')} before`);

    const reportModule = await teamReportModule();
    const viaApi = await reportThroughApi(server, month, plan.reportRuns, facts, log);
    let viaModule;
    let viaSql;
    if (!viaApi.used && reportModule) viaModule = await reportThroughModule(reportModule, databaseUrl, month, plan.reportRuns, facts, log);
    else if (!viaApi.used) viaSql = await reportThroughSql(client, month, plan.reportRuns, facts, log);
    const explained = await explainReport(client, reportModule, month);
    const used = viaApi.used ? 'api' : viaModule ? 'module' : 'sql';
    return {
      month: month.key,
      events: facts.events,
      costUsd: facts.cost,
      users: facts.users,
      teams: teams.length,
      first: facts.first.toISOString(),
      last: facts.last.toISOString(),
      tableRows: facts.table_rows,
      tableMiB: facts.bytes / 1048576,
      busiestUser: perUser[0],
      quietestUser: perUser.at(-1),
      insertSeconds,
      vacuumSeconds,
      api: viaApi,
      module: viaModule,
      sql: viaSql,
      used,
      seconds: { api: viaApi, module: viaModule, sql: viaSql }[used].seconds,
      sqlPlan: explained,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * GET /admin/report?by=user&month=YYYY-MM, timed from the request to the end of the answer.
 * `used` false (with why) when the server has no such route or its answer does not add up.
 */
async function reportThroughApi(server, month, runs, facts, log) {
  const path = `/admin/report?by=user&month=${month.key}`;
  const ask = async () => {
    const started = performance.now();
    const response = await fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}`, accept: 'application/json' } });
    const text = await response.text();
    return { ms: performance.now() - started, status: response.status, text };
  };
  const first = await ask();
  if (first.status !== 200) {
    const why = `GET ${path} answered ${first.status}: ${first.text.slice(0, 200)}`;
    log(`  ${why}: timing the report another way`);
    return { used: false, path, why };
  }
  const requests = requestsIn(JSON.parse(first.text));
  if (requests !== facts.events) {
    const why = `GET ${path} answered, but its rows add up to ${requests} requests, not the month's ${facts.events}`;
    log(`  ${why}: timing the report another way`);
    return { used: false, path, why, body: first.text.slice(0, 500) };
  }
  const times = [];
  for (let run = 0; run < runs; run++) {
    times.push((await ask()).ms);
    await delay(200);
  }
  log(`  GET ${path}: ${(median(times) / 1000).toFixed(3)} s (median of ${runs}; the first, before these, ${(first.ms / 1000).toFixed(3)} s), ${first.text.length.toLocaleString('en-US')} bytes`);
  return { used: true, path, seconds: median(times) / 1000, runs: times.map((ms) => ms / 1000), firstSeconds: first.ms / 1000, bytes: first.text.length, rows: rowsOf(JSON.parse(first.text)).length };
}

/** The report's rows, wherever the answer keeps them. */
function rowsOf(body) {
  return body?.rows ?? body?.report?.rows ?? (Array.isArray(body) ? body : []);
}

function requestsIn(body) {
  return rowsOf(body).reduce((sum, row) => sum + Number(row.requests ?? row.metrics?.requests ?? 0), 0);
}

/** dist/src/server/report's modules (the report's own code and SQL), or undefined where the build has none yet. */
async function teamReportModule() {
  try {
    const [report, statement, database] = await Promise.all([dist('server/report/team-report.js'), dist('server/report/report-statement.js'), dist('server/db/database.js')]);
    return report.teamReport && statement.sumsStatement ? { ...report, ...statement, ...database } : undefined;
  } catch {
    return undefined;
  }
}

/** The report's own function (teamReport: its SQL, in its read-only transaction, and its sums), over a pool of its own, in this process. */
async function reportThroughModule(module, databaseUrl, month, runs, facts, log) {
  const pool = module.createPool(databaseUrl, { max: 2, applicationName: 'lodestar-bench-report' });
  pool.on('error', () => undefined);
  try {
    const query = { from: month.key + '-01', to: new Date(month.to.getTime() - 86_400_000).toISOString().slice(0, 10), timeZone: 'UTC', by: 'user' };
    const first = await timed(() => module.teamReport(pool, query));
    const requests = requestsIn(first.value);
    if (requests !== facts.events) throw new Error(`the report's rows add up to ${requests} requests, not ${facts.events}`);
    const times = [];
    for (let run = 0; run < runs; run++) times.push((await timed(() => module.teamReport(pool, query))).ms);
    log(`  teamReport() of dist/src/server/report, by user: ${(median(times) / 1000).toFixed(3)} s (median of ${runs}; the first ${(first.ms / 1000).toFixed(3)} s), ${first.value.rows.length} rows`);
    return { seconds: median(times) / 1000, runs: times.map((ms) => ms / 1000), firstSeconds: first.ms / 1000, rows: first.value.rows.length };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

/** EXPLAIN ANALYZE of the report's sums statement by user (with its session settings) where the build has it, else of the bench's SQL. */
async function explainReport(client, module, month) {
  let explained;
  let statement = 'the bench\'s report SQL';
  if (module) {
    statement = 'the report\'s sums by user (src/server/report/report-statement.ts)';
    await client.query('BEGIN');
    try {
      await client.query(module.REPORT_SETTINGS);
      explained = (await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${module.sumsStatement('user')}`, module.statementParameters('user', { start: month.from, end: month.to }, undefined, 'UTC'))).rows[0]['QUERY PLAN'][0];
    } finally {
      await client.query('COMMIT');
    }
  } else {
    explained = (await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${REPORT_SQL}`, [month.from, month.to])).rows[0]['QUERY PLAN'][0];
  }
  return { statement, executionMs: explained['Execution Time'], planningMs: explained['Planning Time'], top: describePlan(explained.Plan) };
}

async function reportThroughSql(client, month, runs, facts, log) {
  const first = await timed(() => client.query(REPORT_SQL, [month.from, month.to]));
  const requests = first.value.rows.reduce((sum, row) => sum + row.requests, 0);
  if (requests !== facts.events) throw new Error(`the report's rows add up to ${requests} requests, not ${facts.events}`);
  const times = [];
  for (let run = 0; run < runs; run++) times.push((await timed(() => client.query(REPORT_SQL, [month.from, month.to]))).ms);
  log(`  the bench's report SQL: ${(median(times) / 1000).toFixed(3)} s (median of ${runs}; the first ${(first.ms / 1000).toFixed(3)} s), ${first.value.rows.length} rows`);
  return { seconds: median(times) / 1000, runs: times.map((ms) => ms / 1000), firstSeconds: first.ms / 1000, rows: first.value.rows.length };
}

async function timed(work) {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

/** "HashAggregate <- Seq Scan on ledger_events (workers 2)": the plan's nodes, top down, one path. */
function describePlan(node) {
  const parts = [];
  for (let at = node; at; at = at.Plans?.find((child) => child['Parent Relationship'] !== 'InitPlan') ?? undefined) {
    parts.push(`${at['Node Type']}${at['Relation Name'] ? ` on ${at['Relation Name']}` : ''}${at['Index Name'] ? ` (${at['Index Name']})` : ''}${at['Workers Launched'] ? ` (${at['Workers Launched']} workers)` : ''}`);
  }
  return parts.join(' <- ');
}
