import type { DaemonContext } from '../context.js';
import { sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';

/**
 * POST /api/projects/reload: the project registry changed (a project name registered again at
 * another folder: a clone, a move): its settings apply from the next request, not after the
 * daemon's next periodic look at the registry.
 */
export function projectsReloadRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/api/projects/reload',
    auth: true,
    handle(_request, response) {
      context.projects.reload();
      context.events.publish({ type: 'settings', data: { changed: ['projects'] } });
      sendJson(response, 200, { projects: Object.keys(context.projects.registered()) });
    },
  };
}
