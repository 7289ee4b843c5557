// Team mode (issue 21): `lodestar server` on PostgreSQL and Redis, next to the local daemon, in
// one run: the latency team mode adds at concurrency 1 (key check, rate limit, budget
// reservation and settle, the event to the PostgreSQL ledger) and each of those pieces timed
// alone, the throughput of two instances
// against one and what bounds it on this machine (CPU per request of every process, and a CPU
// profile of an instance), whether the ledger's writer keeps up with 5,000 requests a second,
// a month's report by user over 1,000,000 events, and a server's RSS over a long paced soak.
//
// runServerBench(options) -> { id, title, result, text, markdown }
//
// Files: server.js (this: the order of things and the targets), server-stack.js (the
// processes and the admin API), server-measure.js (latency, throughput, CPU), server-pieces.js
// (the quota path's pieces alone), server-ledger.js
// (the ledger writer alone), server-month.js (the month's report), server-soak.js (RSS over
// time), server-render.js (the terminal text and the BENCHMARKS.md section).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { load, sanityCheck } from './gateway-measure.js';
import { autocannonVersion, machineInfo, ROOT, sanitizedEnv, startLodestar, startUpstream } from './gateway-targets.js';
import { summarizeCpuProfile } from './lib/cpuprofile.js';
import { Target, timedRequest } from './lib/http-client.js';
import { childEnv, cpuMs, registerCleanup } from './lib/processes.js';
import { POSTGRES_VERSION } from './lib/postgres-server.js';
import { measureLedgerWriter } from './server-ledger.js';
import { measureTeamLatency, measureThroughput, teamLoad } from './server-measure.js';
import { measureMonthReport } from './server-month.js';
import { measurePieces } from './server-pieces.js';
import { renderMarkdown, renderText } from './server-render.js';
import { FLAT, ledgerRowsOf, measureSoak } from './server-soak.js';
import { makeTeam, pendingEvents, PROVIDER_KEY, quotaState, startStores, startTeamServer } from './server-stack.js';

export const TARGETS = { addedP50Ms: 0.3, ledgerPerSecond: 5000, reportSeconds: 1 };

const DEFAULTS = {
  latencyWarmup: 1000,
  latencyRounds: 7,
  latencyPerRound: 300,
  piecesCount: 2000,
  loadUsers: 8,
  loadWarmupSeconds: 2,
  loadRounds: 2,
  loadSeconds: 5,
  concurrencies: [16, 64],
  profileSeconds: 5,
  ledgerOffered: 5000,
  ledgerSeconds: 10,
  ledgerOverloadFactor: 4,
  ledgerOverloadSeconds: 10,
  reportEvents: 1_000_000,
  reportUsers: 50,
  reportTeams: 5,
  reportRuns: 5,
  soakSeconds: 600,
  soakPerSecond: 200,
  soakWorkers: 8,
  soakSampleSeconds: 10,
};

const QUICK = {
  ...DEFAULTS,
  latencyWarmup: 200,
  latencyRounds: 3,
  latencyPerRound: 100,
  piecesCount: 300,
  loadWarmupSeconds: 1,
  loadRounds: 1,
  loadSeconds: 2,
  profileSeconds: 2,
  ledgerSeconds: 3,
  ledgerOverloadSeconds: 3,
  reportEvents: 100_000,
  reportRuns: 3,
  soakSeconds: 30,
  soakSampleSeconds: 5,
};

/** options: { quick, keep, log, plan } — quick: a short smoke run; keep: leave the temp dir (logs, profiles); plan: override parts of the plan. */
export async function runServerBench(options = {}) {
  const log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
  const plan = { ...(options.quick ? QUICK : DEFAULTS), ...options.plan };
  const startedAt = new Date();
  const work = mkdtempSync(join(tmpdir(), 'lodestar-server-bench-'));
  const forgetWork = registerCleanup('server bench temp dir', () => {
    if (!options.keep) rmSync(work, { recursive: true, force: true });
  });
  const env = childEnv(sanitizedEnv());
  const result = {
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    versions: { postgres: POSTGRES_VERSION, redis: redisVersion(), autocannon: autocannonVersion() },
    plan,
    quick: Boolean(options.quick),
  };
  const stoppers = [];
  const stopAll = async () => {
    for (const stop of stoppers.splice(0)) {
      try {
        await stop();
      } catch (error) {
        log(`cleanup: ${error.message}`);
      }
    }
  };

  try {
    // 1. The stores, the fake upstream, the daemon and two team servers on one database.
    const stores = await startStores(log);
    stoppers.push(stores.stop);
    const { postgres, redis } = stores;
    const databaseUrl = await postgres.createDatabase('lodestar');
    result.postgresSettings = await settingsOf(databaseUrl);
    const upstream = await startUpstream({ env, work });
    stoppers.unshift(upstream.stop);
    log('starting the local daemon (lodestar start) and two team servers (lodestar server)');
    const daemon = await startLodestar({ env, work, upstreamPort: upstream.port, result });
    stoppers.unshift(daemon.stop);
    const serverOptions = { env, work, databaseUrl, redisUrl: redis.url, upstreamPort: upstream.port };
    const first = await startTeamServer({ ...serverOptions, name: 'A' });
    stoppers.unshift(first.stop);
    const second = await startTeamServer({ ...serverOptions, name: 'B' });
    stoppers.unshift(second.stop);
    const team = await makeTeam(first, 'bench', 1 + plan.loadUsers);
    const [latencyUser, ...loadUsers] = team.users;
    // The same request from users with less to check, to tell what each part of the quota path adds.
    const partial = {
      teamOpen: (await makeTeam(first, 'bench-open', 1, { budgets: false, rates: false })).users[0],
      teamRates: (await makeTeam(first, 'bench-rates', 1, { budgets: false, rates: true })).users[0],
      teamBudgets: (await makeTeam(first, 'bench-budgets', 1, { budgets: true, rates: false })).users[0],
    };

    // 2. Every target answers correctly before anything is timed; the team server's answer is in its ledger.
    const teamTarget = (name, user) => new Target({ name, port: first.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${user.key}` } });
    const targets = [
      new Target({ name: 'direct', port: upstream.port, model: 'gpt-4o-mini', headers: { authorization: `Bearer ${PROVIDER_KEY}` } }),
      new Target({ name: 'daemon', port: daemon.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${daemon.token}` } }),
      ...Object.entries(partial).map(([name, user]) => teamTarget(name, user)),
      teamTarget('team', latencyUser),
    ];
    result.sanity = {};
    for (const target of targets) {
      const check = await sanityCheck(target, upstream.port);
      result.sanity[target.name] = check;
      if (!check.plain.ok || !check.stream.ok) throw new Error(`${target.name} failed its sanity check: ${[...check.plain.problems, ...check.stream.problems].join('; ')}`);
    }
    result.sanity.teamEvent = await teamEventStored(targets.at(-1), databaseUrl, latencyUser.userId);
    log(`the team server's answer ${result.sanity.teamEvent.id} is in ledger_events (user ${result.sanity.teamEvent.stored ? 'named' : 'MISSING'})`);

    // 3. Latency at concurrency 1; then what Redis holds for the user: the quota path ran.
    const pids = { A: first.pid, B: second.pid, daemon: daemon.pid, postgres: postgres.pid, redis: redis.pid, upstream: upstream.pid };
    result.latency = await measureTeamLatency(targets, pids, plan, log);
    await delay(1000);
    result.quota = { ...quotaState(redis, team.teamId, latencyUser.userId), ledgerRows: (await ledgerRowsOf(databaseUrl, [latencyUser.userId])).n };
    log(`added by team mode over the daemon, p50 ${result.latency.teamOverDaemon.p50.median.toFixed(3)} ms; Redis: user spent $${result.quota.user.spentUsd.toFixed(6)}, reserved $${result.quota.user.reservedUsd}, ${result.quota.rateWindowEntries} requests in the rate window; ${result.quota.ledgerRows} ledger rows`);
    for (const target of targets) target.close();
    result.pieces = await measurePieces({ redisUrl: redis.url, databaseUrl, work, count: plan.piecesCount, log });

    // 4. Throughput: the daemon, one instance, two; then the backlog drains.
    const daemonTarget = new Target({ name: 'daemon', port: daemon.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${daemon.token}` } });
    result.throughput = await measureThroughput({ daemon: daemonTarget, servers: [first, second], users: loadUsers, pids, plan, log });
    daemonTarget.close();
    result.drain = await drained([first, second]);
    log(`ledger backlog after the load: ${result.drain.pending} pending, ${Math.round(result.drain.ms)} ms after the last run`);
    await second.stop();
    stoppers.splice(stoppers.indexOf(second.stop), 1);
    await daemon.stop();
    stoppers.splice(stoppers.indexOf(daemon.stop), 1);

    // 5. Where an instance's CPU goes: a profiled instance under the same load (slowed by the profiler: shares only).
    result.profile = await profileInstance({ serverOptions, users: loadUsers, work, plan, log });

    // 6. The ledger's writer alone, into the same durable PostgreSQL.
    result.ledger = await measureLedgerWriter({ databaseUrl, postgresPid: postgres.pid, work, plan, log });

    // 7. A month's report by user over 1,000,000 events.
    result.month = await measureMonthReport({ server: first, databaseUrl, plan, log });
    await first.stop();
    stoppers.splice(stoppers.indexOf(first.stop), 1);

    // 8. The soak, on a fresh instance; then every answered request in the ledger.
    const memfile = join(work, 'memory');
    const soakServer = await startTeamServer({ ...serverOptions, name: 'soak', extraEnv: { LODESTAR_BENCH_MEMFILE: memfile } });
    stoppers.unshift(soakServer.stop);
    const soakTeam = await makeTeam(soakServer, 'soak', plan.soakWorkers);
    result.soak = await measureSoak({ server: soakServer, users: soakTeam.users, memfile, plan, log });
    await soakServer.stop();
    stoppers.splice(stoppers.indexOf(soakServer.stop), 1);
    result.soak.ledger = await ledgerRowsOf(databaseUrl, soakTeam.users.map((user) => user.userId));
    log(`soak ledger: ${result.soak.ledger.n.toLocaleString('en-US')} rows (${result.soak.ledger.ids.toLocaleString('en-US')} ids) for ${result.soak.answered.toLocaleString('en-US')} answered`);
  } finally {
    await stopAll();
    forgetWork();
    if (options.keep) log(`logs and profiles kept in ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }

  result.finishedAt = new Date().toISOString();
  result.durationSeconds = (Date.now() - startedAt.getTime()) / 1000;
  result.verdicts = verdicts(result);
  return { id: 'server', title: 'Team mode: lodestar server on PostgreSQL and Redis (issue 21)', result, text: renderText(result), markdown: renderMarkdown(result) };
}

/** One request to the team server: its x-lodestar-request-id, found in ledger_events with the user's id. */
async function teamEventStored(target, databaseUrl, userId) {
  const answer = await timedRequest(target);
  const id = answer.headers['x-lodestar-request-id'];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 50; attempt++) {
      const { rows } = await client.query('SELECT user_id FROM ledger_events WHERE id = $1', [id]);
      if (rows.length) return { id, stored: rows[0].user_id === userId };
      await delay(100);
    }
    return { id, stored: false };
  } finally {
    await client.end();
  }
}

/** The PostgreSQL settings the ledger's speed depends on, as the server runs. */
async function settingsOf(databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query("SELECT name, setting, unit FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers', 'max_parallel_workers_per_gather', 'jit')");
    return Object.fromEntries(rows.map((row) => [row.name, row.unit === '8kB' ? `${(Number(row.setting) * 8) / 1024} MB` : row.setting]));
  } finally {
    await client.end();
  }
}

/** Waits (30 s at most) for the servers' ledger backlogs to reach 0: how long it took, what is left. */
async function drained(servers) {
  const started = performance.now();
  let pending;
  do {
    pending = (await Promise.all(servers.map((server) => pendingEvents(server)))).reduce((sum, value) => sum + (value ?? 0), 0);
    if (pending === 0) break;
    await delay(100);
  } while (performance.now() - started < 30_000);
  return { pending, ms: performance.now() - started };
}

/**
 * A third instance under --cpu-prof, loaded as "one" is at the first concurrency for
 * `profileSeconds`: its self time by kind of code and by area, over the load alone.
 */
async function profileInstance({ serverOptions, users, work, plan, log }) {
  const profileDir = join(work, 'cpu-prof');
  mkdirSync(profileDir, { recursive: true });
  const server = await startTeamServer({ ...serverOptions, name: 'profiled', profileDir });
  try {
    const target = teamLoad(server, users);
    await load(target, plan.concurrencies[0], 1);
    log(`CPU profile: an instance under --cpu-prof, ${plan.profileSeconds} s at c${plan.concurrencies[0]}`);
    const cpuBefore = cpuMs(server.pid);
    const fromUs = Number(process.hrtime.bigint() / 1000n);
    const run = await load(target, plan.concurrencies[0], plan.profileSeconds);
    const toUs = Number(process.hrtime.bigint() / 1000n);
    const cpuUsPerRequest = ((cpuMs(server.pid) - cpuBefore) * 1000) / run.completed;
    await server.stop();
    const file = readdirSync(profileDir).find((name) => name.includes(`.${server.pid}.`) && name.endsWith('.cpuprofile'));
    if (!file) return { error: 'no profile was written' };
    const summary = summarizeCpuProfile(join(profileDir, file), { root: ROOT, top: 20, window: { fromUs, toUs } });
    return { okPerSecond: run.okPerSecond, cpuUsPerRequest, connections: plan.concurrencies[0], seconds: plan.profileSeconds, ...summary };
  } catch (error) {
    await server.stop().catch(() => undefined);
    throw error;
  }
}

function redisVersion() {
  try {
    return execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** The targets, judged on this run. */
function verdicts(result) {
  const added = result.latency.teamOverDaemon.p50.median;
  const paced = result.ledger.paced;
  const overload = result.ledger.overload;
  const keepsUp = paced.offeredPerSecond >= TARGETS.ledgerPerSecond * 0.98 && paced.writtenPerSecond >= paced.offeredPerSecond * 0.95 && paced.flushMs <= 1000;
  const c = result.plan.concurrencies[0];
  const one = result.throughput[c].one;
  const two = result.throughput[c].two;
  return [
    { id: 'latency', target: 'Added latency of team mode over the daemon, p50 at concurrency 1', goal: `<= ${TARGETS.addedP50Ms} ms`, measured: added, met: added <= TARGETS.addedP50Ms },
    { id: 'throughput', target: `Throughput of two instances against one (c${c})`, goal: 'measured and explained', measured: two.okPerSecond / one.okPerSecond, met: undefined },
    { id: 'ledger', target: 'Ledger writes keep up', goal: `>= ${TARGETS.ledgerPerSecond.toLocaleString('en-US')} requests/s`, measured: overload.writtenPerSecondSecondHalf, met: keepsUp && overload.writtenPerSecondSecondHalf >= TARGETS.ledgerPerSecond },
    { id: 'report', target: "A month's report by user over 1M events", goal: `<= ${TARGETS.reportSeconds} s`, measured: result.month.seconds, met: result.month.seconds <= TARGETS.reportSeconds && result.month.events >= 1_000_000 ? true : result.month.events < 1_000_000 ? undefined : false },
    {
      id: 'soak',
      target: 'Server RSS flat over the soak',
      goal: `after the warm-up: <= +${FLAT.mib} MiB at the end, a trend <= +${FLAT.slopeMiBPerMinute} MiB a minute`,
      measured: { growth: result.soak.growthAfterWarmupMiB, slope: result.soak.slopeAfterWarmupMiBPerMinute },
      met: result.plan.soakSeconds >= 600 ? result.soak.flat : undefined,
    },
  ];
}
