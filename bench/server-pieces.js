// What team mode puts on a request's path, each piece timed alone, one at a time, in this process
// with the server's own modules (dist/src/server) against the bench's Redis and PostgreSQL: a
// Redis round trip (PING), the rate check, the budget reservation and its settle (the same Lua
// scripts, keys and budgets as the bench user's requests, under a team id of its own), and the
// ledger writer's append. Beside the measured difference between the team server and the daemon,
// they say where that time goes.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './gateway-targets.js';
import { summarize } from './lib/stats.js';
import { BUDGETS, RATE_LIMITS } from './server-stack.js';

const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', 'src', path)).href);

export async function measurePieces({ redisUrl, databaseUrl, work, count, log }) {
  const [{ connectRedis, disconnectRedis }, { RedisRateLimits }, { RedisBudgets }, { createPool }, { PostgresLedgerWriter }, { eventFromRow }] = await Promise.all([
    dist('server/quota/redis-connection.js'),
    dist('server/quota/redis-rate-limits.js'),
    dist('server/quota/redis-budgets.js'),
    dist('server/db/database.js'),
    dist('server/ledger/postgres-ledger-writer.js'),
    dist('server/ledger/event-row.js'),
  ]);
  const client = connectRedis({ url: redisUrl });
  const pool = createPool(databaseUrl, { max: 2, applicationName: 'lodestar-bench-pieces' });
  pool.on('error', () => undefined);
  const spool = mkdtempSync(join(work, 'pieces-spool-'));
  try {
    for (let attempt = 0; !client.isReady && attempt < 100; attempt++) await new Promise((resolve) => setTimeout(resolve, 20));
    const rates = new RedisRateLimits({ client });
    const budgets = new RedisBudgets({ client, timeZone: 'UTC' });
    const teamId = randomUUID();
    const userId = randomUUID();
    const teamBudgets = [
      { owner: 'user', ownerId: userId, period: 'monthly', limitUsd: BUDGETS.userMonthlyUsd, mode: 'hard' },
      { owner: 'team', ownerId: teamId, period: 'monthly', limitUsd: BUDGETS.teamMonthlyUsd, mode: 'hard' },
      { owner: 'team', ownerId: teamId, period: 'daily', limitUsd: BUDGETS.teamDailyUsd, mode: 'hard' },
    ];
    const { rows } = await pool.query("SELECT * FROM ledger_events WHERE status = 'ok' AND user_id IS NOT NULL LIMIT 1");
    const template = eventFromRow(rows[0]);
    const writer = new PostgresLedgerWriter({ pool, spoolDirectory: spool });

    // `work` may return the nanoseconds of its own timed part (a bigint); else the whole call is timed.
    const time = async (work) => {
      const ms = new Float64Array(count);
      for (let index = 0; index < count + 200; index++) {
        const started = process.hrtime.bigint();
        const own = await work(index);
        if (index >= 200) ms[index - 200] = Number(typeof own === 'bigint' ? own : process.hrtime.bigint() - started) / 1e6;
      }
      return summarize(ms);
    };
    log(`the quota path's pieces, alone: ${count} calls each, one at a time`);
    // A reservation and its settle alternate, as in the server (holds don't pile up): each timed on its own.
    let hold;
    const pieces = {
      ping: await time(() => client.sendCommand(['PING'])),
      rate: await time(() => rates.admit({ requestId: randomUUID(), teamId, userId, rpm: RATE_LIMITS.rpm, tpm: RATE_LIMITS.tpm, tokens: 1_000 })),
    };
    const settles = [];
    pieces.reserve = await time(async () => {
      if (hold) {
        const started = process.hrtime.bigint();
        await budgets.settle(hold, 0.0000138);
        settles.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
      const started = process.hrtime.bigint();
      const reserved = await budgets.reserve({ requestId: randomUUID(), teamId, budgets: teamBudgets, estimateUsd: 0.01 });
      hold = reserved.hold;
      return process.hrtime.bigint() - started;
    });
    pieces.settle = summarize(settles.slice(200));
    pieces.append = await time(() => writer.append({ ...template.event, id: randomUUID() }, template.owner));
    await writer.close(30_000);
    for (const [name, entry] of Object.entries(pieces)) log(`  ${name.padEnd(8)} p50 ${(entry.p50 * 1000).toFixed(0)} µs, p99 ${(entry.p99 * 1000).toFixed(0)} µs`);
    return pieces;
  } finally {
    disconnectRedis(client);
    await pool.end().catch(() => undefined);
    rmSync(spool, { recursive: true, force: true });
  }
}
