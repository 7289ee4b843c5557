import type { IncomingMessage, ServerResponse } from 'node:http';
import { loadConfig } from '../../config/load.js';
import { createGateway } from '../../daemon/gateway.js';
import { chatCompletionsRoute } from '../../daemon/routes/chat-completions.js';
import { completionsRoute } from '../../daemon/routes/completions.js';
import { countTokensRoute } from '../../daemon/routes/count-tokens.js';
import { messagesRoute } from '../../daemon/routes/messages.js';
import { modelsRoute } from '../../daemon/routes/models.js';
import { responsesRoute } from '../../daemon/routes/responses.js';
import { createRequestHandler } from '../../daemon/server.js';
import type { DaemonContext } from '../../daemon/context.js';
import { ensurePrivateDir } from '../../shared/files.js';
import type { Logger } from '../../shared/logger.js';
import { PROVIDER_IDS } from '../../shared/provider-ids.js';
import type { Redactor } from '../../shared/redact.js';
import type { TeamTenancy } from './team-tenancy.js';

export interface TeamGatewayOptions {
  env: NodeJS.ProcessEnv;
  logger: Logger;
  redactor: Redactor;
  tenancy: TeamTenancy;
  port: () => number;
  closing: () => boolean;
}

export interface TeamGateway {
  context: DaemonContext;
  /** Whether a path is a model endpoint (the daemon's routes), rather than the server's own. */
  serves(path: string): boolean;
  handle(request: IncomingMessage, response: ServerResponse): void;
  whenIdle(): Promise<void>;
  close(): Promise<void>;
}

/** The server's own paths under /v1/ (a user's identity): everything else under /v1/ is a model endpoint. */
const SERVER_PATHS = new Set(['/v1/me']);

/**
 * The daemon's model endpoints (Chat Completions, Messages, Responses, legacy completions,
 * count_tokens, the model list) with the team's tenancy in front: the same routing, providers,
 * cache and fallbacks as the local daemon, each request from a user's key, held to their quotas,
 * and recorded in the team ledger. The provider keys are the server's own (its environment or
 * $LODESTAR_HOME/config.json), never the users'.
 */
export async function startTeamGateway(options: TeamGatewayOptions): Promise<TeamGateway> {
  const { env, logger, redactor, tenancy } = options;
  const { config, paths } = loadConfig({ env, includeProject: false });
  ensurePrivateDir(paths.home);
  for (const id of PROVIDER_IDS) redactor.add(config.providers[id].apiKey);
  redactor.add(config.cache.redisUrl);
  const gateway = await createGateway({ config, paths, env, logger, redactor, port: options.port, closing: options.closing, tenancy });
  const { context } = gateway;
  const core = createRequestHandler({
    routes: [chatCompletionsRoute(context), messagesRoute(context), responsesRoute(context), completionsRoute(context), countTokensRoute(context), modelsRoute(context)],
    // Reached under any name (behind the team's TLS proxy): every model route wants a user's key,
    // which a page rebinding its name to the server can't present.
    hostCheck: () => undefined,
    auth: (request) => tenancy.authenticate(request),
    logger,
  });
  const prices = await gateway.prefetchPrices();
  logger.info('model endpoints ready', { providers: [...context.providers.keys()], prices: prices.where, pricesMs: prices.ms });
  setImmediate(() => context.local.start(() => undefined));
  return {
    context,
    serves: (path) => (path.startsWith('/v1/') && !SERVER_PATHS.has(path)) || path.startsWith('/p/') || path.startsWith('/s/'),
    handle: core.handle,
    whenIdle: core.whenIdle,
    async close() {
      await context.local.stop();
      await gateway.tunnel?.stop();
      await Promise.allSettled([...context.providers.values()].map((provider) => provider.close()));
      await context.cache?.close();
      context.ledger.close();
    },
  };
}
