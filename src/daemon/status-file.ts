import { writeFile, rename, chmod } from 'node:fs/promises';
import type { DaemonContext } from './context.js';

/** The status file is written at most this often, and this long after the request that changed it. */
const WRITE_EVERY_MS = 1000;

/**
 * $LODESTAR_HOME/status.json: where each budget stands, for readers that must not wait for an
 * HTTP exchange (Claude Code's status line runs `lodestar statusline` after every message and
 * waits for it). Written at start, then at most once a second after requests or budget changes,
 * off the request path (an async write, atomic by rename, mode 0600).
 */
export function keepStatusFile(context: DaemonContext, path: string): () => void {
  let timer: NodeJS.Timeout | undefined;
  let writing = false;
  const write = async (): Promise<void> => {
    timer = undefined;
    if (writing) return schedule();
    writing = true;
    const temporary = `${path}.${process.pid}.tmp`;
    try {
      await writeFile(temporary, JSON.stringify({ at: new Date().toISOString(), budgets: context.budgets.status() }), { mode: 0o600 });
      await chmod(temporary, 0o600);
      await rename(temporary, path);
    } catch (error) {
      context.logger.debug('could not write the status file', { error });
    } finally {
      writing = false;
    }
  };
  const schedule = (): void => {
    if (timer) return; // one write a second at most, whatever the traffic
    timer = setTimeout(() => void write(), WRITE_EVERY_MS);
    timer.unref();
  };
  const unsubscribe = context.events.subscribe((event) => {
    if (event.type === 'request' || event.type === 'budget' || event.type === 'settings') schedule();
  });
  void write();
  return () => {
    unsubscribe();
    if (timer) clearTimeout(timer);
  };
}
