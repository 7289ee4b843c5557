// The processes of the team-server benchmark and how the bench talks to them: a private
// PostgreSQL and Redis (bench/lib, the same harness as the tests), `lodestar server` instances
// as an operator runs them, their admin API, their /metrics, and Redis read with redis-cli.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './gateway-targets.js';
import { GUARD_IMPORT, registerCleanup, startNode, stopChild, waitForExit } from './lib/processes.js';
import { startPostgres } from './lib/postgres-server.js';
import { startRedis } from './lib/redis-server.js';

const LODESTAR_BIN = join(ROOT, 'bin', 'lodestar');
/** The admin key the servers accept (LODESTAR_ADMIN_KEY): made up for the bench, like the provider key. */
export const ADMIN_KEY = 'lsa_bench_admin_key_0000000000000000000000';
/** The provider key the fake upstream sees (the sanity check wants "Bearer sk..."). */
export const PROVIDER_KEY = 'sk-bench-0000000000000000';
/** Every user's rate limits: checked on every request, never reached by the bench's load. */
export const RATE_LIMITS = { rpm: 1_000_000, tpm: 1_000_000_000 };
/** Budgets, all hard: reserved and settled on every request, far from being spent. */
export const BUDGETS = { teamMonthlyUsd: 1_000_000, teamDailyUsd: 100_000, userMonthlyUsd: 100_000 };

/**
 * PostgreSQL with its durability on (fsync, synchronous_commit and full_page_writes as shipped:
 * the ledger's commits pay the disk, as in production) and Redis, each a private server on a free
 * loopback port. Stopped by `stop()`, and by the harness's own exit hooks if the bench dies.
 */
export async function startStores(log) {
  log('starting PostgreSQL (durable: fsync on) and Redis');
  const [postgres, redis] = await Promise.all([startPostgres({ durable: true }), startRedis()]);
  const forget = registerCleanup('postgres and redis', () => {
    void postgres.stop();
    void redis.stop();
  });
  return {
    postgres,
    redis,
    async stop() {
      await Promise.all([postgres.stop(), redis.stop()]);
      forget();
    },
  };
}

/**
 * One `lodestar server` as an operator runs it (bin/lodestar, which runs dist/src/server/main.js
 * as its child), on its own LODESTAR_HOME with the response cache off (the bench sends the same
 * body again and again) and the OpenAI key and base URL of the fake upstream. `pid` is the
 * server's own process (from its "listening" line), `cliPid` the `lodestar server` in front of it.
 */
export async function startTeamServer({ name, env, work, databaseUrl, redisUrl, upstreamPort, profileDir, extraEnv = {} }) {
  const home = join(work, `server-${name}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'config.json'), JSON.stringify({ cache: { enabled: false } }), { mode: 0o600 });
  const logPath = join(work, `server-${name}.log`);
  const child = await startNode(`team server ${name}`, [LODESTAR_BIN, 'server', '--listen', '127.0.0.1:0', '--database', databaseUrl, '--redis', redisUrl], {
    env: {
      ...env,
      LODESTAR_HOME: home,
      LODESTAR_ADMIN_KEY: ADMIN_KEY,
      OPENAI_API_KEY: PROVIDER_KEY,
      OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
      NODE_OPTIONS: [GUARD_IMPORT, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])].join(' '),
      ...extraEnv,
    },
    logPath,
    ready: /Lodestar server listening on http:\/\/127\.0\.0\.1:(\d+) \(pid (\d+)\)/,
    readyTimeoutMs: 60_000,
  });
  const port = Number(child.match[1]);
  const pid = Number(child.match[2]);
  return {
    name,
    port,
    pid,
    cliPid: child.pid,
    url: `http://127.0.0.1:${port}`,
    logPath,
    home,
    /** SIGTERM to `lodestar server`, which passes it on: the server drains, flushes its ledger and exits. */
    async stop() {
      stopChild(`team server ${name}`, child.pid, 20_000);
      if (!(await waitForExit(pid, 10_000))) throw new Error(`team server ${name} (pid ${pid}) did not exit`);
    },
  };
}

/** An admin API call: its status and JSON body; throws on anything but `expect`. */
export async function admin(server, method, path, body, expect = [200, 201]) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!expect.includes(response.status)) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/**
 * A team and `count` users made through the admin API: their keys, user ids and key ids. With
 * `budgets`, hard monthly and daily budgets for the team and a hard monthly one for each user;
 * with `rates`, each user's rpm and tpm (RATE_LIMITS). Without either, a request's quota path
 * has nothing to check.
 */
export async function makeTeam(server, name, count, { budgets = true, rates = true } = {}) {
  const teamBudgets = budgets ? { monthlyUsd: BUDGETS.teamMonthlyUsd, dailyUsd: BUDGETS.teamDailyUsd, mode: 'hard' } : {};
  const team = await admin(server, 'POST', '/admin/teams', { name, ...teamBudgets });
  const users = [];
  for (let index = 0; index < count; index++) {
    const created = await admin(server, 'POST', '/admin/users', {
      email: `${name}-${index}@bench.example`,
      team: name,
      ...(budgets ? { monthlyUsd: BUDGETS.userMonthlyUsd, mode: 'hard' } : {}),
      ...(rates ? RATE_LIMITS : {}),
    });
    users.push({ key: created.body.key, keyId: created.body.id, userId: created.body.user.id, email: created.body.user.email });
  }
  return { teamId: team.body.team?.id ?? team.body.id, name, users };
}

/** The server's ledger backlog (lodestar_ledger_pending_events of its /metrics), or undefined if it did not answer. */
export async function pendingEvents(server) {
  try {
    const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${ADMIN_KEY}` }, signal: AbortSignal.timeout(2000) });
    const text = await response.text();
    const match = /^lodestar_ledger_pending_events\s+(\d+(?:\.\d+)?)/m.exec(text);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** redis-cli against the bench's Redis: its reply as text. */
export function redisCli(redis, ...args) {
  const password = decodeURIComponent(new URL(redis.url).password);
  const result = spawnSync('redis-cli', ['-h', '127.0.0.1', '-p', String(redis.port), '--no-auth-warning', '-a', password, ...args], { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`redis-cli ${args.join(' ')}: ${result.stderr || result.error}`);
  return result.stdout.trim();
}

/**
 * What Redis holds for one user after some requests: the hard budgets' counters of this month
 * (spent and reserved, nano-dollars) and the entries of the rate-limit window, which show that
 * the reservation, the settle and the rate check ran for each request.
 */
export function quotaState(redis, teamId, userId, now = new Date()) {
  const month = now.toISOString().slice(0, 7);
  const counters = (owner, ownerId) => {
    const flat = redisCli(redis, 'HGETALL', `lodestar:{${teamId}}:budget:${owner}:${ownerId}:monthly:${month}`).split('\n');
    const hash = {};
    for (let index = 0; index + 1 < flat.length; index += 2) hash[flat[index]] = flat[index + 1];
    return { spentUsd: Number(hash.spent ?? 0) / 1e9, reservedUsd: Number(hash.reserved ?? 0) / 1e9 };
  };
  return {
    user: counters('user', userId),
    team: counters('team', teamId),
    rateWindowEntries: Number(redisCli(redis, 'ZCARD', `lodestar:{${teamId}}:rate:${userId}`)),
  };
}
