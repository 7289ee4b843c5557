import type { Logger } from '../../shared/logger.js';

/**
 * What translating a request loses (a cache_control, a hosted tool...), logged once a kind at
 * info (a session would repeat it on every request), then at debug. One set per inbound format.
 */
export function lossNotes(logger: Logger, what: string): (note: string) => void {
  const noted = new Set<string>();
  return (note) => {
    if (!noted.has(note)) {
      noted.add(note);
      logger.info(what, { note });
    } else if (logger.enabled('debug')) logger.debug(what, { note });
  };
}
