import { chmodSync, closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A temporary name beside `path`, unique across processes (the pid) and within this one (a
 * counter): opened with 'wx', so a leftover of a crashed process with the same pid only fails
 * the open, never another write. (No crypto: the status line loads this, and node:crypto costs
 * it milliseconds.)
 */
let temporaries = 0;
function temporaryFor(path: string): string {
  return `${path}.${process.pid}.${(temporaries++).toString(36)}.${Date.now().toString(36)}.tmp`;
}

/** State folders hold the token and the ledger: owner only. */
export function ensurePrivateDir(path: string): void {
  mkdirSync(path, { recursive: true, mode: 0o700 });
}

/**
 * Writes a file so that a reader sees the old content or the new, never half of it, with mode
 * 0600 from the first byte (the mode is set at creation, not after).
 */
export function writeFileAtomic(path: string, content: string, mode = 0o600, options: { durable?: boolean } = {}): void {
  ensurePrivateDir(dirname(path));
  const temporary = temporaryFor(path);
  const descriptor = openSync(temporary, 'wx', mode);
  try {
    writeSync(descriptor, content);
    // Files that can be rebuilt (rollups) skip the fsync: losing one to a crash costs a rebuild.
    if (options.durable !== false) fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  try {
    renameSync(temporary, path);
  } catch (error) {
    safeUnlink(temporary);
    throw error;
  }
  chmodSync(path, mode);
}

/**
 * Creates `path` with `content` only if it does not exist yet (atomically: the content is
 * complete the moment the name appears). Returns false when the file was already there.
 */
export function createFileExclusive(path: string, content: string, mode = 0o600): boolean {
  ensurePrivateDir(dirname(path));
  const temporary = temporaryFor(path);
  const descriptor = openSync(temporary, 'wx', mode);
  try {
    writeSync(descriptor, content);
    fsyncSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    safeUnlink(temporary);
  }
}

export function safeUnlink(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
