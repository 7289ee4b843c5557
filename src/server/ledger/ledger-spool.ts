import { isProcessAlive } from '../../shared/daemon-state.js';
import { close, closeSync, fdatasync, fsyncSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LodestarError } from '../../shared/errors.js';
import { ensurePrivateDir } from '../../shared/files.js';
import type { RequestEvent } from '../../ledger/request-event.js';
import type { EventOwner } from './event-row.js';

/**
 * The team ledger's spool: the events a server has answered and PostgreSQL has not confirmed yet,
 * as JSON lines in numbered segment files (000000000042.jsonl) in a folder of the server's own.
 * postgres-ledger-writer.ts holds the protocol; this file holds the files.
 */

export interface SpooledEvent {
  event: RequestEvent;
  owner: EventOwner;
}

export const SPOOL_VERSION = 1;

export const NO_OWNER: EventOwner = { userId: undefined, teamId: undefined, keyId: undefined };

/** Events PostgreSQL refused and lines that could not be read: kept, never silently dropped. */
export const REJECTED_FILE = 'rejected.jsonl';
const LOCK_FILE = 'lock';
const SEGMENT_NAME = /^(\d{12})\.jsonl$/;

export function segmentName(seq: number): string {
  return `${String(seq).padStart(12, '0')}.jsonl`;
}

/** One event's line. Strings built by hand around JSON.stringify: this runs for every request. */
export function spoolLine(event: RequestEvent, owner: EventOwner): string {
  return `{"v":${SPOOL_VERSION},"owner":${JSON.stringify(owner)},"event":${JSON.stringify(event)}}\n`;
}

export interface TornLine {
  /** 1-based. */
  line: number;
  text: string;
}

/**
 * A segment's text as events. A line that is not a whole event (a write cut short by a crash of
 * the machine or a full disk: the last line, without its newline) is returned apart, not thrown.
 */
export function parseSpool(text: string): { events: SpooledEvent[]; torn: TornLine[] } {
  const events: SpooledEvent[] = [];
  const torn: TornLine[] = [];
  const lines = text.split('\n');
  // The text after the last newline: empty when the file ends with one, as every whole write does.
  const last = lines.length - 1;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line === '') continue;
    const parsed = index === last ? undefined : parseLine(line);
    if (parsed) events.push(parsed);
    else torn.push({ line: index + 1, text: line });
  }
  return { events, torn };
}

function parseLine(line: string): SpooledEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { v, owner, event } = value as { v?: unknown; owner?: Partial<EventOwner>; event?: Partial<RequestEvent> };
  if (v !== SPOOL_VERSION || typeof event !== 'object' || event === null || typeof event.id !== 'string' || typeof owner !== 'object' || owner === null) return undefined;
  return { event: event as RequestEvent, owner: { userId: owner.userId, teamId: owner.teamId, keyId: owner.keyId } };
}

/** The segments a folder holds, oldest first, with their sizes. */
export function listSegments(directory: string): Array<{ seq: number; path: string; bytes: number }> {
  const found: Array<{ seq: number; path: string; bytes: number }> = [];
  for (const name of readdirSync(directory)) {
    const match = SEGMENT_NAME.exec(name);
    if (!match) continue;
    const path = join(directory, name);
    found.push({ seq: Number(match[1]), path, bytes: statSync(path).size });
  }
  return found.sort((a, b) => a.seq - b.seq);
}

const fdatasyncAsync = promisify(fdatasync);
const closeAsync = promisify(close);

/**
 * One segment file. `append` writes synchronously (when it returns, the line is in the kernel's
 * page cache: a process killed right after keeps it); `sync` forces it to the disk off the event
 * loop. Syncs and the close run one after the other, so a descriptor is never closed under a sync.
 */
export class SpoolSegment {
  readonly seq: number;
  readonly path: string;
  /** Events in the file (for a segment left by an earlier process: known once it is read). */
  count = 0;
  bytes = 0;
  /** The events, also held in memory; undefined when they are only in the file. */
  events: SpooledEvent[] | undefined;
  /** Left by an earlier process: its events are read from the file. */
  readonly recovered: boolean;
  /** Read back once already: its count is known and its torn lines were reported. */
  checked = false;
  /** A read of its file failed, and was logged. */
  unreadable = false;
  /** When its first event came (performance.now()), for the batch's age. */
  readonly openedAt: number;
  private descriptor: number | undefined;
  private dirty = false;
  private chain: Promise<void> = Promise.resolve();

  private constructor(seq: number, path: string, recovered: boolean) {
    this.seq = seq;
    this.path = path;
    this.recovered = recovered;
    this.openedAt = performance.now();
  }

  /** A new, empty segment, mode 0600 from its creation; 'wx': never another process's file. */
  static create(directory: string, seq: number, hold: boolean): SpoolSegment {
    const segment = new SpoolSegment(seq, join(directory, segmentName(seq)), false);
    segment.descriptor = openSync(segment.path, 'wx', 0o600);
    segment.events = hold ? [] : undefined;
    return segment;
  }

  static recover(seq: number, path: string, bytes: number): SpoolSegment {
    const segment = new SpoolSegment(seq, path, true);
    segment.bytes = bytes;
    return segment;
  }

  /** Writes the whole line or throws (a full disk); a line cut short is left for the reader to skip. Returns its bytes. */
  append(line: string): number {
    if (this.descriptor === undefined) throw new Error(`spool segment ${this.path} is closed`);
    // The string as it is (a Buffer made for each line would cost more than the write itself);
    // a short write, rare on a regular file, goes on from where it stopped.
    const length = Buffer.byteLength(line);
    let offset = writeSync(this.descriptor, line);
    this.dirty = true;
    this.bytes += offset;
    if (offset < length) {
      const buffer = Buffer.from(line);
      while (offset < length) {
        const written = writeSync(this.descriptor, buffer, offset);
        if (written <= 0) throw new Error(`could not write to ${this.path}`);
        offset += written;
        this.bytes += written;
      }
    }
    return length;
  }

  /** Forces what was appended to the disk. A failure weakens only the safety against a crash of the machine: the lines are in the file. */
  sync(): Promise<void> {
    const descriptor = this.descriptor;
    if (!this.dirty || descriptor === undefined) return this.chain;
    this.dirty = false;
    this.chain = this.chain.then(() => fdatasyncAsync(descriptor)).catch(() => undefined);
    return this.chain;
  }

  /** Syncs, then closes the descriptor; appends are refused from now on. */
  closeFile(): Promise<void> {
    const descriptor = this.descriptor;
    if (descriptor === undefined) return this.chain;
    this.sync();
    this.descriptor = undefined;
    this.chain = this.chain.then(() => closeAsync(descriptor)).catch(() => undefined);
    return this.chain;
  }
}

/** Forces the folder's entries (a new segment's name) to the disk. */
export async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Appends lines to rejected.jsonl and forces them to the disk: rare, so synchronous. */
export function keepRejected(directory: string, records: readonly Record<string, unknown>[]): void {
  if (!records.length) return;
  const descriptor = openSync(join(directory, REJECTED_FILE), 'a', 0o600);
  try {
    writeSync(descriptor, records.map((record) => `${JSON.stringify(record)}\n`).join(''));
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

/** A spool folder another live process writes. */
export class SpoolInUse extends LodestarError {
  constructor(directory: string, readonly holder: number) {
    super(`the ledger spool ${directory} is in use by process ${holder}`, { hint: 'give each server instance a spool folder of its own' });
  }
}

/** The folders locked by this process (a lock file naming our own pid is one a previous run left: containers reuse pid 1). */
const lockedHere = new Set<string>();

/**
 * Takes the folder for this process: one writer a folder, since a second would replay and delete
 * the first one's segments. A lock left by a process that is gone (killed, crashed) is taken over.
 * Returns the release.
 */
export function lockSpool(directory: string): () => void {
  ensurePrivateDir(directory);
  const path = join(directory, LOCK_FILE);
  const inUse = (holder: number) => new SpoolInUse(directory, holder);
  if (lockedHere.has(path)) throw inUse(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      lockedHere.add(path);
      return () => {
        if (!lockedHere.delete(path)) return;
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(readText(path).trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) throw inUse(holder);
      try {
        unlinkSync(path);
      } catch {
        // another process took it over meanwhile: the next 'wx' says so
      }
    }
  }
  throw new LodestarError(`could not lock the ledger spool ${directory}`);
}


function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
