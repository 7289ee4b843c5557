import type { DaemonContext } from '../context.js';
import { sendJson } from '../http-error.js';
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
