import { LedgerWriter, ledgerMonths } from './ledger-writer.js';
import { buildReport, monthsCovering, type Report, type ReportQuery } from './report.js';
import type { RequestEvent } from './request-event.js';
import type { Bucket } from './rollup.js';
import { buildFileReport } from './file-report.js';
import type { FileBucket } from './file-rollup.js';
import { MonthRollup } from './rollup-store.js';

/**
 * The ledger: every finished request as a JSONL line (the source of truth), and per-month
 * rollups kept in step with it. The daemon records; reports read rollups, whether the daemon
 * runs or not.
 */
export class Ledger {
  readonly directory: string;
  private readonly rollups = new Map<string, MonthRollup>();
  private readonly writer: LedgerWriter | undefined;
  private readonly saver: NodeJS.Timeout | undefined;

  private constructor(directory: string, writable: boolean, saveIntervalMs: number) {
    this.directory = directory;
    if (writable) {
      this.writer = new LedgerWriter({
        directory,
        onAppend: (event, month, endOffset) => {
          const rollup = this.rollups.get(month);
          // A month opened only now reads its ledger to the end, this line included.
          if (rollup) rollup.add(event, endOffset);
          else this.rollup(month);
        },
      });
      this.saver = setInterval(() => this.save(), saveIntervalMs);
      this.saver.unref();
    }
  }

  /** The daemon's ledger: appends events and saves rollups every few seconds and at close. */
  static forWriting(directory: string, saveIntervalMs = 5000): Ledger {
    return new Ledger(directory, true, saveIntervalMs);
  }

  /** Brings this month's rollups up to date (after a crash, say) before a request needs them. */
  warm(now: Date = new Date()): void {
    this.rollup(now.toISOString().slice(0, 7));
  }

  /** A reader (the CLI): rollups brought up to date from the JSONL, saved only if `persist`. */
  static forReading(directory: string): Ledger {
    return new Ledger(directory, false, 0);
  }

  /** Appends synchronously; when this returns the event is in the file. */
  record(event: RequestEvent): void {
    if (!this.writer) throw new Error('this ledger is read-only');
    this.writer.append(event);
  }

  report(query: ReportQuery): Report {
    const months = monthsCovering(query.from, query.to);
    return query.by === 'file' ? buildFileReport(this.fileBuckets(months), query) : buildReport(this.buckets(months), query);
  }

  /** Every bucket of these months, each month's rollups brought up to date first. */
  *buckets(months: readonly string[]): Iterable<Bucket> {
    for (const rollup of this.current(months)) yield* rollup.buckets;
  }

  /** Every per-file bucket of these months, brought up to date as buckets() does. */
  *fileBuckets(months: readonly string[]): Iterable<FileBucket> {
    for (const rollup of this.current(months)) yield* rollup.fileBuckets;
  }

  private *current(months: readonly string[]): Iterable<MonthRollup> {
    const existing = new Set(ledgerMonths(this.directory));
    for (const month of months) {
      if (!existing.has(month) && !this.rollups.has(month)) continue;
      const rollup = this.rollup(month);
      if (!this.writer) rollup.catchUp();
      yield rollup;
    }
  }

  /** Lines that could not be read (torn by a crash), per month, for `report` to mention. */
  corruptLines(months: readonly string[]): number {
    let total = 0;
    for (const month of months) total += this.rollups.get(month)?.corruptLines ?? 0;
    return total;
  }

  /** Saves changed rollups. A reader saves only when no daemon is writing. */
  save(): void {
    for (const rollup of this.rollups.values()) {
      try {
        rollup.save();
      } catch {
        // Rollups can always be rebuilt from the ledger; a failed save costs only time.
      }
    }
  }

  close(): void {
    this.writer?.close();
    if (this.saver) clearInterval(this.saver);
    this.save();
  }

  private rollup(month: string): MonthRollup {
    let rollup = this.rollups.get(month);
    if (!rollup) {
      rollup = MonthRollup.open(this.directory, month);
      this.rollups.set(month, rollup);
    }
    return rollup;
  }
}
