import type { DaemonContext } from '../context.js';
import { EventBus } from '../event-bus.js';
import { HttpError } from '../http-error.js';
import type { Route } from '../server.js';

/**
 * GET /api/events: server-sent events of what happens in the daemon (each finished request,
 * budget alerts, GPU samples, ...), for dashboards and `lodestar aider`'s counter.
 * `?recent=N` (up to 200) first replays the last N requests as `recent` events, so that a
 * dashboard that starts now has something to show.
 */
export function eventsRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/events',
    auth: true,
    handle(request, response, params) {
      const recent = Number(new URLSearchParams(params.query).get('recent') ?? 0);
      if (!Number.isInteger(recent) || recent < 0 || recent > EventBus.RECENT) {
        throw new HttpError(400, `recent must be a whole number from 0 to ${EventBus.RECENT}`, { param: 'recent' });
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      response.write(': connected\n\n');
      // Replayed as "recent", not "request": a client that also reads totals must not count them twice.
      for (const event of context.events.recent(recent)) response.write(`event: recent\ndata: ${JSON.stringify(event.data)}\n\n`);
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
