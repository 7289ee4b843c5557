import type { DaemonContext } from '../context.js';
import type { Route } from '../server.js';

/**
 * GET /api/events: server-sent events of what happens in the daemon (each finished request,
 * later budget alerts and GPU samples), for dashboards and `lodestar aider`'s counter.
 */
export function eventsRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/events',
    auth: true,
    handle(request, response) {
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      response.write(': connected\n\n');
      const unsubscribe = context.events.subscribe((event) => {
        // The daemon is stopping: end the stream so that graceful shutdown need not wait for it.
        if (event.type === 'shutdown') response.end();
        else response.write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      });
      // A comment now and then keeps proxies and idle timers from closing a quiet stream.
      const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
      heartbeat.unref();
      const stop = (): void => {
        clearInterval(heartbeat);
        unsubscribe();
      };
      request.once('close', stop);
      response.once('close', stop);
    },
  };
}
