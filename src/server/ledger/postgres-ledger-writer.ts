import { readFile, unlink } from 'node:fs/promises';
import type pg from 'pg';
import { LodestarError } from '../../shared/errors.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { RequestEvent } from '../../ledger/request-event.js';
import type { EventOwner } from './event-row.js';
import { describeFailure, insertSettingApart } from './ledger-insert.js';
import { Alarm } from './alarm.js';
import type { FlushResult, LedgerWriterMetrics, PostgresLedgerWriterOptions } from './ledger-writer-options.js';
export type { FlushResult, LedgerWriterMetrics, PostgresLedgerWriterOptions } from './ledger-writer-options.js';
import { keepRejected, listSegments, lockSpool, NO_OWNER, parseSpool, spoolLine, SpoolSegment, syncDirectory, type SpooledEvent } from './ledger-spool.js';

/**
 * The team ledger: every answered request in PostgreSQL exactly once, written off the request's
 * path, through database outages and crashes of the server.
 *
 * The protocol: a spool segment a batch, written ahead.
 * - `append` (on the request's path, before the answer's last byte) writes the event's line to the
 *   current spool segment with one synchronous write(2) and returns: the line is in the kernel's
 *   page cache, so a server killed right after (SIGKILL, OOM, a crash) keeps every event it
 *   answered. The event is also held in memory for the batch, unless the memory bound is reached.
 * - A segment is a batch: sealed at `batchSize` events, or `batchAgeMs` after its first event when
 *   the database is keeping up. One loop writes sealed segments oldest first, one INSERT a segment
 *   (ledger-insert.ts: unnested arrays, `ON CONFLICT (id) DO NOTHING`), and deletes a segment's file
 *   only once the INSERT has committed. A crash between the commit and the delete replays the
 *   segment at the next start, and the key turns those rows into no-ops (counted as duplicates).
 * - Durability: against the process dying, immediate (the write(2) in `append`). Against the
 *   machine dying (power, kernel): fdatasync off the event loop, every `fsyncIntervalMs` (200 ms)
 *   for the segment being filled and at once for a sealed one, plus an fsync of the folder when a
 *   segment is created; so a machine crash loses at most the last ~200 ms of events that were not
 *   in PostgreSQL yet. An fdatasync per event, inline, would close that window at the cost of a
 *   disk flush on the request path each time: 146 µs on this machine's virtual disk (~15 times
 *   the append itself, and a ceiling of ~6,800 events/s on the event loop), milliseconds on a
 *   real disk without a write cache.
 * - The database down: the batch fails, stays in the spool, and is retried with capped
 *   exponential backoff (`retryInitialMs` doubling to `retryMaxMs`, jittered); segments keep
 *   filling meanwhile. Memory is bounded: past `maxHeldEvents` events held, new events live in
 *   their segment file only and are read back when their turn comes. The disk is the only bound
 *   on the spool (watch `spoolBytes`): a full disk makes `append` throw, and the caller treats
 *   the event as not recorded, as with the local ledger. Logged once when an outage
 *   starts and once when it ends, with ids and SQLSTATEs only, never an event's contents.
 * - A row PostgreSQL refuses (a value out of range, a broken check: SQLSTATE class 22 or 23) would
 *   fail its batch forever: the batch is halved until the row is found, the others are written,
 *   and the refused event goes to rejected.jsonl in the spool folder, logged by id.
 * - At start, the segments an earlier process left are replayed first, oldest first. A line cut
 *   short (a machine crash mid-write, a full disk; every whole line ends with its newline) is
 *   skipped, logged by segment and line number, and its text kept in rejected.jsonl.
 * - One writer a spool folder (a lock file holding the pid; a dead holder's lock is taken over).
 */

interface FlushWaiter {
  /** Resolved once every segment up to this one is written, or an attempt fails. */
  seq: number;
  resolve: () => void;
}

export class PostgresLedgerWriter {
  private readonly pool: pg.Pool;
  private readonly directory: string;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly batchAgeMs: number;
  private readonly maxHeldEvents: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private readonly queryTimeoutMs: number;
  private readonly releaseLock: () => void;
  private readonly syncTimer: NodeJS.Timeout;

  /** Sealed segments, oldest first; the loop writes sealed[0]. */
  private readonly sealed: SpoolSegment[] = [];
  private current: SpoolSegment | undefined;
  private nextSeq: number;
  private directoryDirty = false;
  private ticking: Promise<void> | undefined;

  private readonly loop: Promise<void>;
  /** The loop's wait: a flush or close ends it, and new events do too while it waits for data. */
  private readonly alarm = new Alarm();
  private readonly flushWaiters: FlushWaiter[] = [];
  private closing = false;
  private stopped = false;
  private closed: Promise<FlushResult> | undefined;
  private backoffMs = 0;
  private downSince: number | undefined;

  private pending = 0;
  private held = 0;
  private spoolBytes = 0;
  private written = 0;
  private duplicates = 0;
  private batches = 0;
  private retries = 0;
  private rejected = 0;
  private tornLines = 0;
  private spilledSegments = 0;
  private lastError: LedgerWriterMetrics['lastError'];

  constructor(options: PostgresLedgerWriterOptions) {
    this.pool = options.pool;
    this.directory = options.spoolDirectory;
    this.logger = options.logger ?? silentLogger;
    this.batchSize = options.batchSize ?? 500;
    this.batchAgeMs = options.batchAgeMs ?? 150;
    this.maxHeldEvents = options.maxHeldEvents ?? 10_000;
    this.retryInitialMs = options.retryInitialMs ?? 200;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.queryTimeoutMs = options.queryTimeoutMs ?? 30_000;
    this.releaseLock = lockSpool(this.directory);
    try {
      const left = listSegments(this.directory);
      for (const { seq, path, bytes } of left) {
        this.sealed.push(SpoolSegment.recover(seq, path, bytes));
        this.spoolBytes += bytes;
      }
      this.nextSeq = (left.at(-1)?.seq ?? 0) + 1;
      if (left.length) this.logger.info('the ledger spool holds events of an earlier run: writing them to PostgreSQL', { segments: left.length, bytes: this.spoolBytes });
    } catch (error) {
      this.releaseLock();
      throw error;
    }
    this.syncTimer = setInterval(() => this.syncTick(), options.fsyncIntervalMs ?? 200);
    this.syncTimer.unref();
    this.loop = this.run();
  }

  /**
   * Takes an answered request's event: synchronous, a write(2) and no waiting on the database.
   * When it returns, the event survives this process being killed. Throws when the spool can't
   * take it (a full disk) or the writer is closed: the event is then not recorded.
   * The event must not be changed afterwards (the batch may read it later).
   */
  append(event: RequestEvent, owner: EventOwner = NO_OWNER): void {
    if (this.closing) throw new LodestarError('the ledger writer is closed');
    const line = spoolLine(event, owner);
    const segment = this.current ?? this.openSegment();
    const before = segment.bytes;
    try {
      segment.append(line);
    } catch (error) {
      // The line may be in the file in part: nothing more goes after it, and the reader skips it.
      this.seal();
      throw error;
    } finally {
      this.spoolBytes += segment.bytes - before;
    }
    segment.count++;
    this.pending++;
    if (segment.events) {
      segment.events.push({ event, owner });
      this.held++;
      if (this.held > this.maxHeldEvents) this.spill(segment);
    }
    if (segment.count >= this.batchSize) {
      this.seal();
      this.alarm.wake(false);
    } else if (segment.count === 1) {
      this.alarm.wake(false);
    }
  }

  /**
   * Resolves once every event appended before the call is in PostgreSQL; or, if an attempt to
   * write them fails or `timeoutMs` passes first (a long backlog after an outage), once they are
   * forced to disk in the spool (`pending` says how many wait). Tries at once, even while backing
   * off from an outage.
   */
  async flush(timeoutMs?: number): Promise<FlushResult> {
    if (!this.stopped) {
      if (this.current) this.seal();
      const last = this.sealed.at(-1);
      if (last) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          const waiter = { seq: last.seq, resolve };
          this.flushWaiters.push(waiter);
          if (timeoutMs !== undefined) timer = setTimeout(() => this.resolveWaiters((other) => other === waiter), timeoutMs);
          this.alarm.wake(true);
        });
        clearTimeout(timer);
      }
    }
    await this.syncFiles(true);
    return { pending: this.pending };
  }

  /**
   * Refuses appends from now on, flushes (waiting `timeoutMs` at most, 10 s by default: the
   * events are on disk whatever happens), stops the loop once its batch in flight is done, and
   * closes the spool. What is not written stays spooled for the next start.
   */
  close(timeoutMs = 10_000): Promise<FlushResult> {
    this.closed ??= (async () => {
      this.closing = true;
      await this.flush(timeoutMs);
      this.stopped = true;
      this.alarm.wake(true);
      await this.loop;
      clearInterval(this.syncTimer);
      await this.ticking;
      await this.syncFiles(true);
      this.releaseLock();
      return { pending: this.pending };
    })();
    return this.closed;
  }

  metrics(): LedgerWriterMetrics {
    return {
      pending: this.pending,
      held: this.held,
      spoolSegments: this.sealed.length + (this.current ? 1 : 0),
      spoolBytes: this.spoolBytes,
      written: this.written,
      duplicates: this.duplicates,
      batches: this.batches,
      retries: this.retries,
      rejected: this.rejected,
      tornLines: this.tornLines,
      spilledSegments: this.spilledSegments,
      databaseDown: this.downSince !== undefined,
      lastError: this.lastError,
    };
  }

  private openSegment(): SpoolSegment {
    const segment = SpoolSegment.create(this.directory, this.nextSeq++, this.held < this.maxHeldEvents);
    if (!segment.events) this.spilledSegments++;
    this.current = segment;
    this.directoryDirty = true;
    return segment;
  }

  /** The segment's events stay in its file only, so that memory stays within maxHeldEvents. */
  private spill(segment: SpoolSegment): void {
    if (!segment.events) return;
    this.held -= segment.events.length;
    segment.events = undefined;
    this.spilledSegments++;
  }

  private seal(): void {
    const segment = this.current;
    if (!segment) return;
    this.current = undefined;
    this.sealed.push(segment);
    void segment.closeFile();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const segment = this.sealed[0];
      if (!segment) {
        const current = this.current;
        const age = current ? performance.now() - current.openedAt : 0;
        if (current && age >= this.batchAgeMs) this.seal();
        else await this.alarm.sleep(current ? this.batchAgeMs - age : undefined, true);
        continue;
      }
      if (!(await this.write(segment))) await this.alarm.sleep(this.nextBackoff(), false);
    }
  }

  /** Writes one sealed segment and deletes its file; false when it must be tried again later. */
  private async write(segment: SpoolSegment): Promise<boolean> {
    let events: readonly SpooledEvent[];
    try {
      events = segment.events ?? (await this.readBack(segment));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.logger.error('a ledger spool segment vanished before it was written', { segment: segment.path });
        this.done(segment);
        return true;
      }
      // Not the database: retried as a failed batch is, logged once.
      if (!segment.unreadable) this.logger.error('could not read a ledger spool segment: retrying', { segment: segment.path, ...describeFailure(error) });
      segment.unreadable = true;
      this.retries++;
      this.resolveWaiters(() => true);
      return false;
    }
    try {
      const { inserted, rejected } = await this.insert(events);
      this.written += inserted;
      this.duplicates += events.length - inserted - rejected;
      this.rejected += rejected;
      this.batches++;
    } catch (error) {
      this.failed(error);
      return false;
    }
    this.done(segment);
    await unlink(segment.path).catch((error: NodeJS.ErrnoException) => {
      // Left behind, it is replayed at the next start, and adds nothing then.
      if (error.code !== 'ENOENT') this.logger.warn('could not delete a written ledger spool segment', { segment: segment.path, code: error.code });
    });
    this.backoffMs = 0;
    if (this.downSince !== undefined) {
      this.logger.info('the ledger database is back: spooled events are being written', { downForMs: Math.round(performance.now() - this.downSince), pending: this.pending, retries: this.retries });
      this.downSince = undefined;
    }
    return true;
  }

  /** A segment left by an earlier process, or spilled: its events from its file. */
  private async readBack(segment: SpoolSegment): Promise<SpooledEvent[]> {
    const { events, torn } = parseSpool(await readFile(segment.path, 'utf8'));
    // Read again at each retry of an outage; counted and reported the first time only.
    if (segment.checked) return events;
    segment.checked = true;
    if (segment.recovered) {
      segment.count = events.length;
      this.pending += events.length;
    }
    if (torn.length) {
      this.tornLines += torn.length;
      keepRejected(this.directory, torn.map(({ line, text }) => ({ reason: 'torn', segment: segment.path, line, text })));
      this.logger.warn('skipped lines of the ledger spool that are not whole events (a write cut short); their text is kept in rejected.jsonl', { segment: segment.path, lines: torn.map(({ line }) => line) });
    }
    return events;
  }

  /** One INSERT; an event the database refuses is set apart in rejected.jsonl, logged by id. */
  private insert(events: readonly SpooledEvent[]): Promise<{ inserted: number; rejected: number }> {
    return insertSettingApart(this.pool, events, this.queryTimeoutMs, ({ event, owner }, error) => {
      const fields = describeFailure(error);
      keepRejected(this.directory, [{ reason: 'refused', ...fields, owner, event }]);
      this.logger.error('the ledger database refused an event; it is kept in rejected.jsonl', { id: event.id, ...fields });
    });
  }

  /** The segment is in PostgreSQL (or gone): out of the queue, and the flushes waiting on it told. */
  private done(segment: SpoolSegment): void {
    this.sealed.shift();
    this.pending -= segment.count;
    this.spoolBytes -= segment.bytes;
    if (segment.events) this.held -= segment.events.length;
    segment.events = undefined;
    const next = this.sealed[0]?.seq ?? Infinity;
    this.resolveWaiters((waiter) => waiter.seq < next);
  }

  private resolveWaiters(which: (waiter: FlushWaiter) => boolean): void {
    for (let index = this.flushWaiters.length - 1; index >= 0; index--) {
      const waiter = this.flushWaiters[index] as FlushWaiter;
      if (which(waiter)) {
        this.flushWaiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  private failed(error: unknown): void {
    this.retries++;
    const fields = describeFailure(error);
    this.lastError = { at: new Date().toISOString(), fields };
    if (this.downSince === undefined) {
      this.downSince = performance.now();
      this.logger.warn('the ledger database is unreachable: events wait in the spool and are retried', { ...fields, pending: this.pending, spoolDirectory: this.directory });
    }
    this.resolveWaiters(() => true);
  }

  private nextBackoff(): number {
    this.backoffMs = this.backoffMs ? Math.min(this.backoffMs * 2, this.retryMaxMs) : this.retryInitialMs;
    // Jittered (half to all of it), so that instances that lost the database together don't retry together.
    return this.backoffMs * (0.5 + Math.random() / 2);
  }

  /** The periodic sync: one at a time, so that a slow disk never piles them up. */
  private syncTick(): void {
    this.ticking ??= this.syncFiles(false).finally(() => {
      this.ticking = undefined;
    });
  }

  /**
   * Forces the segment being filled, and the folder after a new segment, to disk; with `all`, also
   * waits for the sealed segments (each is synced and closed when sealed).
   */
  private async syncFiles(all: boolean): Promise<void> {
    const syncs: Array<Promise<void>> = [];
    if (this.current) syncs.push(this.current.sync());
    if (all) for (const segment of this.sealed) syncs.push(segment.closeFile());
    if (this.directoryDirty) {
      this.directoryDirty = false;
      syncs.push(syncDirectory(this.directory).catch(() => undefined));
    }
    await Promise.all(syncs);
  }
}
