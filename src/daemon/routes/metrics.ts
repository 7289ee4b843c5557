import { METRICS_CONTENT_TYPE, type Metrics } from '../metrics.js';
import type { Route } from '../server.js';

/**
 * GET /metrics: Prometheus text format (0.0.4). Token required: request counts and spend are
 * the user's business; never a key, a token or a prompt.
 */
export function metricsRoute(metrics: Metrics): Route {
  return {
    method: 'GET',
    path: '/metrics',
    auth: true,
    handle(_request, response) {
      const body = metrics.render();
      response.writeHead(200, {
        'content-type': METRICS_CONTENT_TYPE,
        'content-length': Buffer.byteLength(body),
        // Every scrape must see the values of now, never a proxy's copy.
        'cache-control': 'no-store',
      });
      response.end(body);
    },
  };
}
