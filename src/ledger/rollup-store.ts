import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { LowSync, type SyncAdapter } from 'lowdb';
import { writeFileAtomic } from '../shared/files.js';
import { LEDGER_VERSION, ledgerFile } from './ledger-writer.js';
import type { RequestEvent } from './request-event.js';
import { addEvent, METRICS, type Bucket } from './rollup.js';
import { addFileEvent, fileBucketKey, type FileBucket } from './file-rollup.js';

/** On disk, next to each month's ledger: ledger/2026-11.rollup.json. */
interface RollupFile {
  version: number;
  /** The metrics' names, so that a file written by another version is recognized. */
  metrics: readonly string[];
  /** How far into the month's JSONL these rollups have counted, in bytes. */
  offset: number;
  corruptLines: number;
  buckets: Array<[string, string, string, string, string, string, string, ...number[]]>;
  /** The per-file buckets (file-rollup.ts): slot, project, path, model, then the metrics. */
  files: Array<[string, string, string, string, ...number[]]>;
}

/** 2: buckets have the tool (aider, claude, other); 3: and the A/B arm; 4: per-file buckets. An older file is rebuilt from the ledger. */
const ROLLUP_VERSION = 4;

export function rollupFile(directory: string, month: string): string {
  return join(directory, `${month}.rollup.json`);
}

/** lowdb's storage for a rollup file: JSON, written atomically at mode 0600. */
class PrivateJsonFile implements SyncAdapter<RollupFile> {
  private readonly path: string;
  constructor(path: string) {
    this.path = path;
  }
  read(): RollupFile | null {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as RollupFile;
    } catch {
      // missing or unreadable: rebuilt from the ledger
      return null;
    }
  }
  write(data: RollupFile): void {
    writeFileAtomic(this.path, JSON.stringify(data), 0o600, { durable: false });
  }
}

/**
 * One month's rollups, kept in step with its JSONL by a byte offset: whatever the rollup file
 * says, the events after its offset are read and added, so rollups that are missing, stale
 * (a crash after writing events, before saving rollups) or from another version are rebuilt
 * with nothing lost and nothing counted twice.
 */
export class MonthRollup {
  readonly month: string;
  /** Buckets by key: built on the first event added (a reader only lists them). */
  private index: Map<string, Bucket> | undefined;
  private list: Bucket[] = [];
  /** The per-file buckets, indexed on the first event added as the others are. */
  private fileIndex: Map<string, FileBucket> | undefined;
  private fileList: FileBucket[] = [];
  offset = 0;
  corruptLines = 0;
  private readonly db: LowSync<RollupFile>;
  private readonly ledgerPath: string;
  private dirty = false;

  private constructor(directory: string, month: string) {
    this.month = month;
    this.ledgerPath = ledgerFile(directory, month);
    this.db = new LowSync(new PrivateJsonFile(rollupFile(directory, month)), emptyFile());
  }

  /** Loads the saved rollups and brings them up to date with the ledger. */
  static open(directory: string, month: string): MonthRollup {
    const rollup = new MonthRollup(directory, month);
    rollup.db.read();
    rollup.restore(rollup.db.data);
    rollup.catchUp();
    return rollup;
  }

  get changed(): boolean {
    return this.dirty;
  }

  get buckets(): readonly Bucket[] {
    return this.index ? [...this.index.values()] : this.list;
  }

  get fileBuckets(): readonly FileBucket[] {
    return this.fileIndex ? [...this.fileIndex.values()] : this.fileList;
  }

  get size(): number {
    return this.index ? this.index.size : this.list.length;
  }

  private indexed(): Map<string, Bucket> {
    if (!this.index) {
      this.index = new Map(this.list.map((bucket) => [bucketKey(bucket), bucket]));
      this.list = [];
    }
    return this.index;
  }

  private fileIndexed(): Map<string, FileBucket> {
    if (!this.fileIndex) {
      this.fileIndex = new Map(this.fileList.map((bucket) => [fileBucketKey(bucket), bucket]));
      this.fileList = [];
    }
    return this.fileIndex;
  }

  /** An event the writer has just appended, ending at `endOffset` in the JSONL. */
  add(event: RequestEvent, endOffset: number): void {
    addEvent(this.indexed(), event);
    if (event.files) addFileEvent(this.fileIndexed(), event);
    this.offset = endOffset;
    this.dirty = true;
  }

  /** Reads the ledger's events past the offset (complete lines only) into the buckets. */
  catchUp(): void {
    if (!existsSync(this.ledgerPath)) {
      if (this.offset !== 0) this.reset();
      return;
    }
    const descriptor = openSync(this.ledgerPath, 'r');
    try {
      const size = fstatSync(descriptor).size;
      // The ledger is shorter than what was counted: it was replaced; count it again from the start.
      if (size < this.offset) this.reset();
      if (size === this.offset) return;
      const chunk = Buffer.allocUnsafe(4 * 1024 * 1024);
      let position = this.offset;
      let pending: Buffer = Buffer.alloc(0);
      while (position < size) {
        const read = readSync(descriptor, chunk, 0, Math.min(chunk.length, size - position), position);
        if (read <= 0) break;
        position += read;
        // Split at newline bytes: a newline never occurs inside a multi-byte UTF-8 character.
        const data = pending.length ? Buffer.concat([pending, chunk.subarray(0, read)]) : chunk.subarray(0, read);
        const lastNewline = data.lastIndexOf(0x0a);
        if (lastNewline === -1) {
          pending = Buffer.from(data);
          continue;
        }
        this.ingest(data.toString('utf8', 0, lastNewline));
        pending = Buffer.from(data.subarray(lastNewline + 1));
        this.offset = position - pending.length;
        this.dirty = true;
      }
    } finally {
      closeSync(descriptor);
    }
  }

  /** Saves the rollups (with their offset) if anything changed since the last save. */
  save(): void {
    if (!this.dirty) return;
    this.db.data = this.snapshot();
    this.dirty = false;
    this.db.write();
  }

  private ingest(text: string): void {
    const index = this.indexed();
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      if (end > start) {
        try {
          const event = JSON.parse(text.slice(start, end)) as RequestEvent & { v?: number };
          if (event.v === LEDGER_VERSION && typeof event.time === 'string') {
            addEvent(index, event);
            if (event.files) addFileEvent(this.fileIndexed(), event);
          } else this.corruptLines++;
        } catch {
          // A line torn by a crash mid-write.
          this.corruptLines++;
        }
      }
      start = end + 1;
    }
  }

  private restore(data: RollupFile | null): void {
    if (!data || data.version !== ROLLUP_VERSION || data.metrics.join() !== METRICS.join()) {
      this.reset();
      return;
    }
    this.offset = data.offset;
    this.corruptLines = data.corruptLines;
    this.index = undefined;
    this.list = data.buckets.map(([slot, project, model, provider, task, tool, arm, ...metrics]) => ({ slot, project, model, provider, task, tool, arm, metrics }));
    this.fileIndex = undefined;
    this.fileList = (data.files ?? []).map(([slot, project, path, model, ...metrics]) => ({ slot, project, path, model, metrics }));
  }

  private reset(): void {
    this.index = new Map();
    this.list = [];
    this.fileIndex = new Map();
    this.fileList = [];
    this.offset = 0;
    this.corruptLines = 0;
    this.dirty = true;
  }

  private snapshot(): RollupFile {
    return {
      version: ROLLUP_VERSION,
      metrics: METRICS,
      offset: this.offset,
      corruptLines: this.corruptLines,
      buckets: this.buckets.map((bucket) => [bucket.slot, bucket.project, bucket.model, bucket.provider, bucket.task, bucket.tool, bucket.arm, ...bucket.metrics]),
      files: this.fileBuckets.map((bucket) => [bucket.slot, bucket.project, bucket.path, bucket.model, ...bucket.metrics]),
    };
  }
}

function bucketKey(bucket: Bucket): string {
  return `${bucket.slot}\u0000${bucket.project}\u0000${bucket.model}\u0000${bucket.provider}\u0000${bucket.task}\u0000${bucket.tool}\u0000${bucket.arm}`;
}

function emptyFile(): RollupFile {
  return { version: ROLLUP_VERSION, metrics: METRICS, offset: 0, corruptLines: 0, buckets: [], files: [] };
}

