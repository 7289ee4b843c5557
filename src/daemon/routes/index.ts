import type { DaemonContext } from '../context.js';
import type { Route } from '../server.js';
import { chatCompletionsRoute } from './chat-completions.js';
import { eventsRoute } from './events.js';
import { healthRoute, healthSections } from './health.js';
import { modelsRoute } from './models.js';
import { usageRoute } from './usage.js';
import { budgetReloadRoute, budgetRoute } from './budget.js';
import { warmRoute } from './warm.js';
import { metricsRoute } from './metrics.js';
import { messagesRoute } from './messages.js';
import { countTokensRoute } from './count-tokens.js';
import { projectsReloadRoute } from './projects.js';
import { responsesRoute } from './responses.js';
import { completionsRoute } from './completions.js';

/** Every endpoint of the daemon's HTTP API (INTERFACE.md). */
export function buildRoutes(context: DaemonContext): Route[] {
  return [healthRoute(context, () => healthSections(context)), chatCompletionsRoute(context), messagesRoute(context), responsesRoute(context), completionsRoute(context), countTokensRoute(context), modelsRoute(context), eventsRoute(context), usageRoute(context), budgetRoute(context), budgetReloadRoute(context), warmRoute(context), projectsReloadRoute(context), metricsRoute(context.metrics)];
}
