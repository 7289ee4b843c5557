import { closeSync, fstatSync, fsync, fsyncSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir } from '../shared/files.js';
import type { RequestEvent } from './request-event.js';

/** The ledger holds one JSON line per request, one file per UTC month: ledger/2026-11.jsonl. */
export function monthOf(isoTime: string): string {
  return isoTime.slice(0, 7);
}

export function ledgerFile(directory: string, month: string): string {
  return join(directory, `${month}.jsonl`);
}

export const LEDGER_VERSION = 1;

/** The line written for an event: the event itself, with the format's version first. */
export function ledgerLine(event: RequestEvent): string {
  // The version spliced in front rather than spread into a copy of the event: this runs for every request.
  return `{"v":${LEDGER_VERSION},${JSON.stringify(event).slice(1)}\n`;
}

export interface LedgerWriterOptions {
  directory: string;
  /** How often written lines are forced to disk; a crash of the machine loses at most this much. */
  fsyncIntervalMs?: number;
  /** Told of every line written, with the file and the offset just past it (for rollups). */
  onAppend?: (event: RequestEvent, month: string, endOffset: number) => void;
}

/**
 * Appends events synchronously: when `append` returns, the line is in the file (the kernel's
 * page cache), so a daemon killed right after answering keeps the answer's event; fsync runs
 * in batches, so a request never waits for the disk. The JSONL is the source of truth.
 */
export class LedgerWriter {
  private readonly options: LedgerWriterOptions;
  private month: string | undefined;
  private descriptor: number | undefined;
  private offset = 0;
  private dirty = false;
  private syncing = false;
  private readonly timer: NodeJS.Timeout;

  constructor(options: LedgerWriterOptions) {
    this.options = options;
    ensurePrivateDir(options.directory);
    this.timer = setInterval(() => this.sync(), options.fsyncIntervalMs ?? 200);
    this.timer.unref();
  }

  append(event: RequestEvent): void {
    const month = monthOf(event.time);
    if (month !== this.month) this.open(month);
    const written = writeSync(this.descriptor as number, ledgerLine(event));
    this.offset += written;
    this.dirty = true;
    this.options.onAppend?.(event, month, this.offset);
  }

  /**
   * Forces written lines to disk, off the event loop (a disk flush can take milliseconds, which
   * every request in flight would otherwise wait out); one at a time. `close` flushes in line.
   */
  sync(): void {
    if (!this.dirty || this.descriptor === undefined || this.syncing) return;
    this.dirty = false;
    this.syncing = true;
    fsync(this.descriptor, () => {
      // The lines are in the file already; a failed fsync only weakens crash safety.
      this.syncing = false;
    });
  }

  close(): void {
    clearInterval(this.timer);
    if (this.descriptor !== undefined) this.closeFile(this.descriptor);
    this.descriptor = undefined;
    this.month = undefined;
  }

  /** Flushed in line (at close, and once a month at the rollover), as the descriptor goes right after. */
  private closeFile(descriptor: number): void {
    try {
      fsyncSync(descriptor);
    } catch {
      // as in sync()
    }
    closeSync(descriptor);
  }

  private open(month: string): void {
    if (this.descriptor !== undefined) this.closeFile(this.descriptor);
    const path = ledgerFile(this.options.directory, month);
    this.descriptor = openSync(path, 'a+', 0o600);
    this.offset = fstatSync(this.descriptor).size;
    this.month = month;
    // A crash in the middle of a write leaves a line without its newline: end it, so the next
    // event starts a line of its own (readers skip the torn one and count it).
    if (this.offset > 0) {
      const last = Buffer.alloc(1);
      readSync(this.descriptor, last, 0, 1, this.offset - 1);
      if (last[0] !== 0x0a) {
        writeSync(this.descriptor, '\n');
        this.offset += 1;
      }
    }
  }
}

/** The months that have a ledger file, oldest first. */
export function ledgerMonths(directory: string): string[] {
  try {
    return readdirSync(directory)
      .filter((name) => /^\d{4}-\d{2}\.jsonl$/.test(name))
      .map((name) => name.slice(0, 7))
      .sort();
  } catch {
    return [];
  }
}
