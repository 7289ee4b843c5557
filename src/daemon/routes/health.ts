import type { DaemonContext } from '../context.js';
import { sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';

/**
 * GET /health, the one route without a token: whether the daemon is up and, as later parts
 * add them, how its providers, Ollama and the GPU are. Never a secret, never spend.
 */
export function healthRoute(context: DaemonContext, sections: () => Record<string, unknown> = () => ({})): Route {
  return {
    method: 'GET',
    path: '/health',
    auth: false,
    handle(_request, response) {
      const extra = sections();
      const status = context.closing() ? 'down' : typeof extra.status === 'string' ? extra.status : 'ok';
      sendJson(response, context.closing() ? 503 : 200, {
        ...extra,
        status,
        service: 'lodestar',
        version: context.version,
        pid: process.pid,
        port: context.port(),
        startedAt: context.startedAt.toISOString(),
        uptimeSeconds: Math.round((Date.now() - context.startedAt.getTime()) / 1000),
        memory: memory(),
      });
    },
  };
}

function memory(): { rssMb: number; heapUsedMb: number; heapTotalMb: number } {
  const usage = process.memoryUsage();
  const mb = (bytes: number): number => Math.round((bytes / 1048576) * 10) / 10;
  return { rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed), heapTotalMb: mb(usage.heapTotal) };
}

/**
 * The providers Lodestar can use and how each is doing (circuit state, last error, latency),
 * Ollama (reachable, what it holds in VRAM, the local queue, warm-up) and the GPU. Overall
 * status: degraded when a provider's circuit is open or Ollama should answer and does not; down
 * only while shutting down. A machine without a GPU is not degraded: it just has no GPU.
 */
export function healthSections(context: DaemonContext): Record<string, unknown> {
  const providers: Record<string, unknown> = {};
  let degraded = false;
  for (const id of context.providers.keys()) {
    const health = context.breakers.health(id);
    providers[id] = health;
    if (health.state === 'open') degraded = true;
  }
  const local = context.local.health();
  // ready: every first reading is in (lodestar start waits for it, within a bound); pending names those still out.
  return { status: degraded || local.degraded ? 'degraded' : 'ok', ready: local.pending.length === 0, pending: local.pending, providers, ollama: local.ollama, gpu: local.gpu };
}
