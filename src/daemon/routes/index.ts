import type { DaemonContext } from '../context.js';
import type { Route } from '../server.js';
import { healthRoute } from './health.js';

/** Every endpoint of the daemon's HTTP API (INTERFACE.md). */
export function buildRoutes(context: DaemonContext): Route[] {
  return [healthRoute(context)];
}
