import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorCode } from '../../shared/errors.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';
import { GpuHistory } from './gpu-history.js';
import { lazyRoute } from '../lazy-route.js';
import { UiSessions } from './sessions.js';
import { StaticFiles } from './static-files.js';
import { createUiServer } from './ui-server.js';

const LOOPBACK = '127.0.0.1';

export type WebUiState = { kind: 'off'; reason: string } | { kind: 'listening'; url: string } | { kind: 'failed'; reason: string };

/**
 * The web UI: its listener on 127.0.0.1:<ui.port>, its logins and the GPU's last hour. A port
 * in use is logged and named in /api/ui/login's answer; the API serves on regardless.
 */
export class WebUi {
  readonly sessions = new UiSessions();
  readonly gpuHistory = new GpuHistory();
  private readonly context: DaemonContext;
  private server: Server | undefined;
  private boundPort = 0;
  private current: WebUiState = { kind: 'off', reason: 'the web UI is off in config (ui.enabled: false)' };

  constructor(context: DaemonContext) {
    this.context = context;
  }

  state(): WebUiState {
    return this.current;
  }

  /** Routes of the UI that the API's port serves too (with the token), for `lodestar ui` and `models select`. */
  sharedRoutes(): Route[] {
    const context = this.context;
    return [
      // Loaded by their first request: the daemon of a user who never opens the UI doesn't carry them.
      lazyRoute({ method: 'GET', path: '/api/ui/models', auth: true }, async () => (await import('./routes-models.js')).uiModelsRoute(context)),
      lazyRoute({ method: 'POST', path: '/api/ui/models/preview', auth: true }, async () => (await import('./routes-models.js')).uiPreviewRoute(context)),
      lazyRoute({ method: 'PUT', path: '/api/ui/models/choice', auth: true }, async () => (await import('./routes-models.js')).uiChoiceRoute(context)),
      lazyRoute({ method: 'GET', path: '/api/ui/projects', auth: true }, async () => (await import('./routes-projects.js')).uiProjectsRoute(context)),
      lazyRoute({ method: 'PUT', path: '/api/ui/project', auth: true, projectScoped: true }, async () => (await import('./routes-projects.js')).uiProjectUpdateRoute(context)),
      lazyRoute({ method: 'GET', path: '/api/ui/settings', auth: true }, async () => (await import('./routes-settings.js')).uiSettingsRoute(context)),
      lazyRoute({ method: 'PUT', path: '/api/ui/settings', auth: true }, async () => (await import('./routes-settings.js')).uiSettingsUpdateRoute(context)),
      lazyRoute({ method: 'GET', path: '/api/ui/experiments', auth: true }, async () => (await import('./routes-experiments.js')).uiExperimentsRoute(context)),
      {
        method: 'GET',
        path: '/api/ui/gpu',
        auth: true,
        handle: (_request, response) => sendJson(response, 200, { history: this.gpuHistory.list() }),
      },
      {
        method: 'GET',
        path: '/api/ui/session',
        auth: true,
        handle: (_request, response) => sendJson(response, 200, { version: context.version, apiPort: context.port(), uiPort: this.boundPort || null, timeZone: context.timeZone }),
      },
    ];
  }

  /** POST /api/ui/login on the API's port (token): a one-time login link for the browser. */
  loginRoute(): Route {
    return {
      method: 'POST',
      path: '/api/ui/login',
      auth: true,
      handle: (_request, response) => {
        const state = this.current;
        if (state.kind !== 'listening') throw new HttpError(503, `The web UI is not available: ${state.reason}`, { code: 'ui_unavailable' });
        const { code, expiresInSeconds } = this.sessions.issueCode();
        sendJson(response, 200, { url: `${state.url}/login?code=${code}`, expiresInSeconds });
      },
    };
  }

  /** Starts listening when config says so; never throws (a port in use is a state, the API runs on). */
  async start(routes: readonly Route[]): Promise<void> {
    const { config, logger } = this.context;
    this.context.local.gpu?.onSample((state) => this.gpuHistory.add(state));
    if (!config.ui.enabled) return;
    const files = new StaticFiles();
    const server = createUiServer({ routes, sessions: this.sessions, files, logger, port: () => this.boundPort });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen({ port: config.ui.port, host: LOOPBACK, exclusive: true }, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      const reason =
        errorCode(error) === 'EADDRINUSE'
          ? `port ${config.ui.port} on ${LOOPBACK} is in use by another program: set another in config.json ("ui": {"port": ${config.ui.port + 1}}) and restart the daemon`
          : `it could not listen on ${LOOPBACK}:${config.ui.port} (${errorCode(error) ?? String(error)})`;
      this.current = { kind: 'failed', reason };
      logger.warn('the web UI is not served', { reason });
      return;
    }
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    const url = `http://${LOOPBACK}:${this.boundPort}`;
    this.current = { kind: 'listening', url };
    if (!files.built()) logger.warn('the web UI is not built (dist/web is missing): run npm run build', { url });
    logger.info('web UI listening', { url });
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
