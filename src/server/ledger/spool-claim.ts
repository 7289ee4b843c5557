import { join } from 'node:path';
import { SpoolInUse } from './ledger-spool.js';

/** Instances of one state folder at most (more on one machine is a mistake). */
const MAX_SLOTS = 64;

/**
 * A ledger writer on a spool folder of this process's own under `base`: `base/1`, `base/2`, ...
 * the first no live process holds (the writer locks its folder). A folder left by a process that
 * died (SIGKILL, a crash) is taken by the next instance to start here, whose writer replays what
 * it holds into PostgreSQL: so any number of instances share a state folder, and none loses
 * another's spooled events.
 */
export function openInSpoolSlot<T>(base: string, open: (directory: string) => T): T {
  for (let slot = 1; slot <= MAX_SLOTS; slot++) {
    try {
      return open(join(base, String(slot)));
    } catch (error) {
      if (!(error instanceof SpoolInUse)) throw error;
    }
  }
  throw new Error(`every spool folder under ${base} is held by a running instance (${MAX_SLOTS}): give this one another LODESTAR_HOME`);
}
