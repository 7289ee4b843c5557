import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Instances of one state folder at most (more on one machine is a mistake). */
const MAX_SLOTS = 64;

export interface ClaimedSpool {
  directory: string;
  /** Lets the folder go (a clean stop); a killed process leaves it for the next start to claim and replay. */
  release(): void;
}

/**
 * A spool folder of this process's own under `base`: `base/1`, `base/2`, ... the first not held
 * by a live process (its `owner.pid`). A folder left by a process that died (SIGKILL, a crash)
 * is claimed by the next instance to start here, which writes what it holds to PostgreSQL: so
 * any number of instances share a state folder, and none loses another's spooled events.
 */
export function claimSpoolDirectory(base: string, pid = process.pid): ClaimedSpool {
  mkdirSync(base, { recursive: true, mode: 0o700 });
  for (let slot = 1; slot <= MAX_SLOTS; slot++) {
    const directory = join(base, String(slot));
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const lock = join(directory, 'owner.pid');
    if (!take(lock, pid)) continue;
    return {
      directory,
      release: () => {
        if (ownerOf(lock) === pid) rmSync(lock, { force: true });
      },
    };
  }
  throw new Error(`every spool folder under ${base} is held by a running instance (${MAX_SLOTS}): give this one another LODESTAR_HOME`);
}

function take(lock: string, pid: number): boolean {
  for (let tries = 0; tries < 2; tries++) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = ownerOf(lock);
    if (owner !== undefined && owner !== pid && alive(owner)) return false;
    // Its owner is gone: the folder is free (its events are replayed by the writer that opens it).
    rmSync(lock, { force: true });
  }
  return false;
}

function ownerOf(lock: string): number | undefined {
  try {
    const pid = Number(readFileSync(lock, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
