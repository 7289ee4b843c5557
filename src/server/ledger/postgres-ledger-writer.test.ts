import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../../../test/helpers/postgres.js';
import { syntheticEvent, SYNTHETIC_OWNER } from '../../../test/helpers/ledger-events.js';
import type { Logger, LogFields, LogLevel } from '../../shared/logger.js';
import { createPool } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { eventFromRow } from './event-row.js';
import { EVENT_COLUMN_TYPES } from './ledger-insert.js';
import { segmentName, spoolLine } from './ledger-spool.js';
import { PostgresLedgerWriter, type PostgresLedgerWriterOptions } from './postgres-ledger-writer.js';

const HAVE = requirePostgresOrSkip();

interface LogLine {
  level: LogLevel;
  message: string;
  fields: LogFields | undefined;
}

function recordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLevel) => (message: string, fields?: LogFields) => void lines.push({ level, message, fields });
  return { lines, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), enabled: () => true, flush() {} };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Nothing of an event's contents in the log: no model, client, project or token count (ids are fine). */
function expectNoEventContents(lines: readonly LogLine[]): void {
  const text = JSON.stringify(lines);
  for (const content of ['lodestar/auto', 'aider/0.86.1', 'claude-sonnet', '"web"', 'session-', SYNTHETIC_OWNER.userId]) expect(text).not.toContain(content);
}

describe.skipIf(!HAVE)(`the team ledger writer in PostgreSQL${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let pool: pg.Pool;
  const writers: PostgresLedgerWriter[] = [];
  const folders: string[] = [];

  beforeAll(async () => {
    postgres = await startPostgres();
    const url = await postgres.createDatabase();
    await migrate(url);
    // Idle connections die with the server in the outage test: the pool replaces them.
    pool = createPool(url, { max: 4, onIdleError: () => undefined });
  });
  afterEach(async () => {
    for (const writer of writers.splice(0)) await writer.close(1_000);
    for (const path of folders.splice(0)) rmSync(path, { recursive: true, force: true });
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
  });

  function spoolFolder(): string {
    const path = mkdtempSync(join(tmpdir(), 'lodestar-ledger-spool-'));
    folders.push(path);
    return path;
  }

  function writer(options: Partial<PostgresLedgerWriterOptions> = {}): PostgresLedgerWriter {
    const made = new PostgresLedgerWriter({ pool, spoolDirectory: options.spoolDirectory ?? spoolFolder(), ...options });
    writers.push(made);
    return made;
  }

  async function ids(prefix: string): Promise<string[]> {
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM ledger_events WHERE id LIKE $1 ORDER BY id', [`${prefix}-%`]);
    return rows.map((row) => row.id);
  }

  const expected = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}-${index}`).sort();

  const segmentsIn = (folder: string) => readdirSync(folder).filter((name) => name.endsWith('.jsonl') && name !== 'rejected.jsonl');

  it('knows the type of every column it inserts, as the migration made it', async () => {
    const { rows } = await pool.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'ledger_events'::regclass AND attnum > 0 AND NOT attisdropped AND attname <> 'recorded_at'`,
    );
    expect(Object.fromEntries(rows.map((row) => [row.name, row.type]))).toEqual(EVENT_COLUMN_TYPES);
  });

  it('writes 10,000 events appended at once, each exactly once, in batches, and reads them back as they were', async () => {
    const logger = recordingLogger();
    const folder = spoolFolder();
    const ledger = writer({ spoolDirectory: folder, logger });
    const count = 10_000;
    const events = Array.from({ length: count }, (_, index) => syntheticEvent('batch', index));
    const started = performance.now();
    for (const event of events) ledger.append(event, SYNTHETIC_OWNER);
    const appended = performance.now();
    expect(await ledger.flush()).toEqual({ pending: 0 });
    const flushed = performance.now();

    expect(await ids('batch')).toEqual(expected('batch', count));
    const metrics = ledger.metrics();
    expect(metrics).toMatchObject({ pending: 0, held: 0, written: count, duplicates: 0, retries: 0, rejected: 0, spoolSegments: 0, spoolBytes: 0, databaseDown: false });
    expect(metrics.batches).toBeGreaterThanOrEqual(count / 500);
    // Every written segment is gone from the spool.
    expect(segmentsIn(folder)).toEqual([]);
    // The row is the event, field for field (jsonb, timestamps, NULLs and floats through the arrays).
    const { rows } = await pool.query('SELECT * FROM ledger_events WHERE id = $1', ['batch-4321']);
    expect(eventFromRow(rows[0] as Record<string, unknown>)).toEqual({ event: syntheticEvent('batch', 4321), owner: SYNTHETIC_OWNER });
    expect(logger.lines).toEqual([]);
    console.info(
      `[ledger] 10,000 events: append ${(((appended - started) * 1000) / count).toFixed(1)} µs each on the request path; ` +
        `all in PostgreSQL ${Math.round(flushed - started)} ms after the first (${Math.round((count / (flushed - started)) * 1000)} events/s), ${metrics.batches} batches`,
    );
  });

  it('keeps every event through the database halted under load, writes each once when it is back, logs the outage once, and stays within its memory bound', async () => {
    const logger = recordingLogger();
    const folder = spoolFolder();
    const maxHeldEvents = 1_000;
    const ledger = writer({ spoolDirectory: folder, logger, maxHeldEvents, retryInitialMs: 50, retryMaxMs: 400 });
    let appended = 0;
    let maxHeld = 0;
    let maxSegments = 0;
    // About 2,000 events a second, 20 every 10 ms, for the whole test.
    const load = setInterval(() => {
      for (let n = 0; n < 20; n++) ledger.append(syntheticEvent('outage', appended++), SYNTHETIC_OWNER);
      const metrics = ledger.metrics();
      maxHeld = Math.max(maxHeld, metrics.held);
      maxSegments = Math.max(maxSegments, metrics.spoolSegments);
    }, 10);
    try {
      await sleep(1_000);
      const beforeOutage = appended;
      await postgres.halt('fast');
      // Shorter than the ten seconds, on the same path: batches fail, segments pile up in
      // the spool past the memory bound, retries back off to their cap, then it all drains.
      await sleep(3_000);
      const during = ledger.metrics();
      expect(during.databaseDown).toBe(true);
      expect(during.pending).toBeGreaterThan(appended - beforeOutage - 500);
      await postgres.start();
      await sleep(1_500);
    } finally {
      clearInterval(load);
    }
    expect(await ledger.flush()).toEqual({ pending: 0 });

    expect(await ids('outage')).toEqual(expected('outage', appended));
    const metrics = ledger.metrics();
    expect(metrics).toMatchObject({ pending: 0, held: 0, written: appended, databaseDown: false, rejected: 0, tornLines: 0 });
    expect(metrics.retries).toBeGreaterThan(1);
    expect(metrics.spilledSegments).toBeGreaterThan(0);
    expect(metrics.lastError?.fields.code).toEqual(expect.any(String));
    expect(maxHeld).toBeLessThanOrEqual(maxHeldEvents);
    expect(segmentsIn(folder)).toEqual([]);
    // Once when it went, once when it came back; never a line a failed batch.
    expect(logger.lines.map(({ level, message }) => [level, message])).toEqual([
      ['warn', 'the ledger database is unreachable: events wait in the spool and are retried'],
      ['info', 'the ledger database is back: spooled events are being written'],
    ]);
    expectNoEventContents(logger.lines);
    console.info(`[ledger] outage: ${appended} events, ${metrics.retries} failed attempts, up to ${maxSegments} spool segments, at most ${maxHeld} events in memory (bound ${maxHeldEvents})`);
  }, 30_000);

  it('replays a spool whose events are in PostgreSQL already (a crash between commit and delete) without counting any twice', async () => {
    const first = writer();
    for (let index = 0; index < 100; index++) first.append(syntheticEvent('replay', index));
    await first.flush();
    // The same hundred still in a segment, as if the process had died before deleting it, and fifty more.
    const folder = spoolFolder();
    const lines = Array.from({ length: 150 }, (_, index) => spoolLine(syntheticEvent('replay', index), SYNTHETIC_OWNER)).join('');
    writeFileSync(join(folder, segmentName(41)), lines, { mode: 0o600 });
    const logger = recordingLogger();
    const second = writer({ spoolDirectory: folder, logger });
    expect(await second.flush()).toEqual({ pending: 0 });
    expect(second.metrics()).toMatchObject({ written: 50, duplicates: 100, pending: 0 });
    expect(await ids('replay')).toEqual(expected('replay', 150));
    expect(segmentsIn(folder)).toEqual([]);
    // New segments continue after the ones found.
    second.append(syntheticEvent('replay', 150));
    expect(segmentsIn(folder)).toEqual([segmentName(42)]);
    await second.flush();
    expect(logger.lines.map(({ message }) => message)).toEqual(['the ledger spool holds events of an earlier run: writing them to PostgreSQL']);
  });

  it('skips a torn last line of a spool, logs where it was (not what) once however often it is read, keeps its text apart, and writes the rest', async () => {
    const folder = spoolFolder();
    const whole = Array.from({ length: 20 }, (_, index) => spoolLine(syntheticEvent('torn', index), SYNTHETIC_OWNER)).join('');
    const cut = spoolLine(syntheticEvent('torn', 20), SYNTHETIC_OWNER).slice(0, 120);
    writeFileSync(join(folder, segmentName(7)), whole + cut, { mode: 0o600 });
    writeFileSync(join(folder, segmentName(8)), spoolLine(syntheticEvent('torn', 21), SYNTHETIC_OWNER), { mode: 0o600 });
    const logger = recordingLogger();
    // Started with the database down: the segment is read again at each retry.
    await postgres.halt('fast');
    let ledger: PostgresLedgerWriter;
    try {
      ledger = writer({ spoolDirectory: folder, logger, retryInitialMs: 20, retryMaxMs: 40 });
      while (ledger.metrics().retries < 3) await sleep(20);
      expect(ledger.metrics()).toMatchObject({ pending: 20, databaseDown: true });
    } finally {
      await postgres.start();
    }
    expect(await ledger.flush()).toEqual({ pending: 0 });

    expect(await ids('torn')).toEqual([...expected('torn', 20), 'torn-21'].sort());
    expect(ledger.metrics()).toMatchObject({ written: 21, tornLines: 1, rejected: 0 });
    const warnings = logger.lines.filter((line) => line.message.includes('not whole events'));
    expect(warnings).toEqual([{ level: 'warn', message: expect.stringContaining('not whole events'), fields: { segment: join(folder, segmentName(7)), lines: [21] } }]);
    expectNoEventContents(logger.lines);
    const kept = readFileSync(join(folder, 'rejected.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(kept).toEqual([{ reason: 'torn', segment: join(folder, segmentName(7)), line: 21, text: cut }]);
    expect(segmentsIn(folder)).toEqual([]);
  });

  it('sets apart an event the database refuses, writes the rest of its batch, and goes on', async () => {
    const logger = recordingLogger();
    const folder = spoolFolder();
    const ledger = writer({ spoolDirectory: folder, logger });
    for (let index = 0; index < 100; index++) {
      const event = syntheticEvent('refused', index);
      // smallint: out of range (22003), a value no retry would ever get in.
      ledger.append(index === 37 ? { ...event, httpStatus: 70_000 } : event, SYNTHETIC_OWNER);
    }
    expect(await ledger.flush()).toEqual({ pending: 0 });
    expect(await ids('refused')).toEqual(expected('refused', 100).filter((id) => id !== 'refused-37'));
    expect(ledger.metrics()).toMatchObject({ written: 99, rejected: 1, retries: 0, databaseDown: false });
    expect(logger.lines).toEqual([{ level: 'error', message: expect.stringContaining('refused an event'), fields: { id: 'refused-37', code: '22003' } }]);
    const [kept] = readFileSync(join(folder, 'rejected.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(kept).toMatchObject({ reason: 'refused', code: '22003', event: { id: 'refused-37', httpStatus: 70_000 } });
    // The writer goes on.
    ledger.append(syntheticEvent('refused', 100));
    await ledger.flush();
    expect(await ids('refused')).toHaveLength(100);
  });

  it('refuses appends once closed, and leaves what the database did not take in the spool for the next start', async () => {
    const folder = spoolFolder();
    const ledger = writer({ spoolDirectory: folder, retryInitialMs: 10_000 });
    ledger.append(syntheticEvent('closed', 0));
    await postgres.halt('fast');
    try {
      expect(await ledger.close()).toEqual({ pending: 1 });
    } finally {
      await postgres.start();
    }
    expect(() => ledger.append(syntheticEvent('closed', 1))).toThrow(/closed/);
    expect(segmentsIn(folder)).toHaveLength(1);
    expect(readdirSync(folder)).not.toContain('lock');
    const next = writer({ spoolDirectory: folder });
    expect(await next.flush()).toEqual({ pending: 0 });
    expect(await ids('closed')).toEqual(['closed-0']);
  });

  it('measures sustained writes: an offered load of ~8,000 events/s, then a backlog drained (printed, not asserted)', async () => {
    const ledger = writer();
    let appended = 0;
    let maxPending = 0;
    const seconds = 3;
    const started = performance.now();
    // 100 events every 10 ms; timers lag on a busy machine, so the rate offered is measured too.
    await new Promise<void>((resolve) => {
      const load = setInterval(() => {
        for (let n = 0; n < 100; n++) ledger.append(syntheticEvent('rate', appended++), SYNTHETIC_OWNER);
        maxPending = Math.max(maxPending, ledger.metrics().pending);
        if (performance.now() - started >= seconds * 1000) {
          clearInterval(load);
          resolve();
        }
      }, 10);
    });
    const offeredFor = performance.now() - started;
    const writtenByEnd = ledger.metrics().written;
    await ledger.flush();
    const sustainedFor = performance.now() - started;

    const backlog = 30_000;
    const drain = writer({ maxHeldEvents: backlog });
    for (let index = 0; index < backlog; index++) drain.append(syntheticEvent('drain', index), SYNTHETIC_OWNER);
    const drainStarted = performance.now();
    await drain.flush();
    const drainedIn = performance.now() - drainStarted;

    expect(await ids('rate')).toHaveLength(appended);
    expect(drain.metrics().written).toBe(backlog);
    console.info(
      `[ledger] sustained: offered ${Math.round(appended / (offeredFor / 1000))} events/s for ${(offeredFor / 1000).toFixed(1)} s, ` +
        `${Math.round(writtenByEnd / (offeredFor / 1000))} events/s written meanwhile, all ${appended} in ${Math.round(sustainedFor)} ms, at most ${maxPending} pending; ` +
        `a backlog of ${backlog} drained at ${Math.round(backlog / (drainedIn / 1000))} events/s (${drain.metrics().batches} batches)`,
    );
  }, 60_000);
});
