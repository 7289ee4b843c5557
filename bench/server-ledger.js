// The team ledger's writer (dist/src/server/ledger/postgres-ledger-writer.js) on its own, in this
// process, into the bench's durable PostgreSQL: does it keep up with 5,000 answered requests a
// second, and what does it sustain when offered more than it can take?
//
// The events are copies of one the team server recorded for the bench's request (read back from
// its ledger), each with an id of its own: the same columns, sizes and JSON a real event has.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { ROOT } from './gateway-targets.js';
import { treeCpuMs } from './lib/processes.js';

const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', 'src', path)).href);

/**
 * Two runs, each on a fresh writer (its defaults: batches of 500 or 150 ms, 10,000 events held
 * in memory) and a spool of its own:
 * - paced: `offered` events a second (100 every 10 ms, as a server's answers come) for `seconds`;
 *   the rate written meanwhile, the most events waiting (pending), and how long the last ones
 *   took to reach PostgreSQL after the appends stopped;
 * - overload: `overloadFactor` times that, for `overloadSeconds`: past what it can write, the
 *   backlog grows (spilling to the spool files past 10,000), and the rate it writes meanwhile is
 *   its sustained insert rate.
 */
export async function measureLedgerWriter({ databaseUrl, postgresPid, work, plan, log }) {
  const [{ createPool }, { PostgresLedgerWriter }, { eventFromRow }] = await Promise.all([dist('server/db/database.js'), dist('server/ledger/postgres-ledger-writer.js'), dist('server/ledger/event-row.js')]);
  const pool = createPool(databaseUrl, { max: 4, applicationName: 'lodestar-bench-ledger' });
  pool.on('error', () => undefined);
  try {
    const { rows } = await pool.query("SELECT * FROM ledger_events WHERE status = 'ok' AND user_id IS NOT NULL ORDER BY recorded_at DESC LIMIT 1");
    if (!rows.length) throw new Error('the team server recorded no event to copy');
    const template = eventFromRow(rows[0]);
    const tableBefore = await count(pool);
    const run = async (label, perSecond, seconds) => {
      const spool = mkdtempSync(join(work, `ledger-spool-${label}-`));
      const writer = new PostgresLedgerWriter({ pool, spoolDirectory: spool });
      try {
        log(`ledger writer, ${label}: offering ${perSecond.toLocaleString('en-US')} events/s for ${seconds} s`);
        return await offer(writer, template, perSecond, seconds, postgresPid);
      } finally {
        await writer.close(60_000);
        rmSync(spool, { recursive: true, force: true });
      }
    };
    const paced = await run('paced', plan.ledgerOffered, plan.ledgerSeconds);
    log(`  written ${Math.round(paced.writtenPerSecond).toLocaleString('en-US')}/s while offered ${Math.round(paced.offeredPerSecond).toLocaleString('en-US')}/s; at most ${paced.maxPending} pending; the last in PostgreSQL ${Math.round(paced.flushMs)} ms after the appends stopped`);
    await delay(1000);
    const overload = await run('overload', plan.ledgerOffered * plan.ledgerOverloadFactor, plan.ledgerOverloadSeconds);
    log(`  written ${Math.round(overload.writtenPerSecond).toLocaleString('en-US')}/s while offered ${Math.round(overload.offeredPerSecond).toLocaleString('en-US')}/s (backlog ${overload.maxPending.toLocaleString('en-US')} at most, drained ${Math.round(overload.flushMs)} ms after)`);
    const stored = (await count(pool)) - tableBefore;
    return { template: { bytes: JSON.stringify(template.event).length, model: template.event.model }, paced, overload, stored, appended: paced.appended + overload.appended };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function count(pool) {
  return (await pool.query('SELECT count(*)::int AS n FROM ledger_events')).rows[0].n;
}

/**
 * Appends `perSecond` events a second for `seconds` (a batch every 10 ms; a late timer catches
 * up, so the offered rate holds on a busy machine), sampling the writer's metrics; then flushes.
 */
async function offer(writer, template, perSecond, seconds, postgresPid) {
  const perTick = perSecond / 100;
  const cpuBefore = { bench: process.cpuUsage(), postgres: treeCpuMs(postgresPid) };
  const started = performance.now();
  let appended = 0;
  let maxPending = 0;
  const samples = [];
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - started;
      const due = Math.min(perSecond * seconds, Math.floor((elapsed / 1000) * perSecond + perTick));
      while (appended < due) {
        writer.append({ ...template.event, id: randomUUID(), time: new Date().toISOString() }, template.owner);
        appended++;
      }
      const metrics = writer.metrics();
      maxPending = Math.max(maxPending, metrics.pending);
      samples.push({ at: elapsed, written: metrics.written, pending: metrics.pending });
      if (elapsed >= seconds * 1000) {
        clearInterval(timer);
        resolve();
      }
    }, 10);
  });
  const offeredFor = performance.now() - started;
  const writtenByEnd = writer.metrics().written;
  const flushStarted = performance.now();
  const flushed = await writer.flush(120_000);
  const flushMs = performance.now() - flushStarted;
  const cpu = process.cpuUsage(cpuBefore.bench);
  const metrics = writer.metrics();
  // The rate over the second half of the window: past the start, when the writer has found its pace.
  const half = samples.find((sample) => sample.at >= offeredFor / 2) ?? samples[0];
  const last = samples.at(-1);
  return {
    appended,
    seconds: offeredFor / 1000,
    offeredPerSecond: appended / (offeredFor / 1000),
    writtenPerSecond: writtenByEnd / (offeredFor / 1000),
    writtenPerSecondSecondHalf: (last.written - half.written) / ((last.at - half.at) / 1000),
    pendingAtEnd: last.pending,
    maxPending,
    flushMs,
    leftPending: flushed.pending,
    written: metrics.written,
    batches: metrics.batches,
    spilledSegments: metrics.spilledSegments,
    retries: metrics.retries,
    benchCpuUsPerEvent: ((cpu.user + cpu.system) / appended),
    postgresCpuUsPerEvent: ((treeCpuMs(postgresPid) - cpuBefore.postgres) * 1000) / appended,
  };
}
