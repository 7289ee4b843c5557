import { experimentsMtime, readExperiments } from '../../config/experiments.js';
import { abReport, experimentEvents, type AbReport } from '../../ledger/ab-report.js';
import type { DaemonContext } from '../context.js';
import { sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';

/** The reports read the ledger's events of each experiment: computed at most this often. */
const FRESH_MS = 15_000;

/**
 * GET /api/ui/experiments: the A/B experiments (running first, then the last stopped ones) with
 * each arm's figures and the verdict, as `lodestar ab status --json` gives them; kept for a few
 * seconds, as an overview page asks again while requests arrive, but never past a change of the
 * experiments themselves: one started or stopped shows at once.
 */
export function uiExperimentsRoute(context: DaemonContext): Route {
  let cached: { at: number; mtime: number; body: unknown } | undefined;
  return {
    method: 'GET',
    path: '/api/ui/experiments',
    auth: true,
    handle(_request, response) {
      const now = Date.now();
      const mtime = experimentsMtime(context.paths);
      if (!cached || now - cached.at > FRESH_MS || cached.mtime !== mtime) {
        const experiments = readExperiments(context.paths)
          .sort((x, y) => Number(Boolean(x.stoppedAt)) - Number(Boolean(y.stoppedAt)) || y.startedAt.localeCompare(x.startedAt))
          .slice(0, 5)
          .map((experiment): typeof experiment & AbReport => ({ ...experiment, ...abReport(experimentEvents(context.paths.ledger, experiment.id, experiment.startedAt), experiment.models, experiment.ratings ?? []) }));
        cached = { at: now, mtime, body: { experiments } };
      }
      sendJson(response, 200, cached.body);
    },
  };
}
