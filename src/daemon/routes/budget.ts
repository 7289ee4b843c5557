import { loadConfig } from '../../config/load.js';
import { ConfigError } from '../../shared/errors.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';

/** GET /api/budget: each budget and where it stands (what `lodestar budget --json` prints). */
export function budgetRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/budget',
    auth: true,
    handle(_request, response) {
      sendJson(response, 200, { timeZone: context.timeZone, budgets: context.budgets.status() });
    },
  };
}

/** POST /api/budget/reload: read the budgets from config.json again (after `lodestar budget set`). */
export function budgetReloadRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/api/budget/reload',
    auth: true,
    handle(_request, response) {
      try {
        const { config } = loadConfig({ includeProject: false });
        context.budgets.reload(config.budgets);
        context.events.publish({ type: 'settings', data: { changed: ['budgets'] } });
      } catch (error) {
        if (error instanceof ConfigError) throw new HttpError(400, error.message, { code: 'invalid_config' });
        throw error;
      }
      sendJson(response, 200, { timeZone: context.timeZone, budgets: context.budgets.status() });
    },
  };
}
