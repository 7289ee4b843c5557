import type { DaemonContext } from '../context.js';
import { EventBus, type DaemonEvent } from '../event-bus.js';
import { HttpError } from '../../shared/http-error.js';
import type { Route } from '../server.js';

/** Frames are gathered for this long and written together: under load, one write instead of hundreds. */
const FLUSH_MS = 25;
/** A client that reads slower than this much piles up is cut off (it may reconnect); memory stays bounded. */
const MAX_BACKLOG_BYTES = 4 * 1024 * 1024;

/** Each event is serialized once, however many streams carry it. */
const frames = new WeakMap<DaemonEvent, string>();
function frameOf(event: DaemonEvent): string {
  let frame = frames.get(event);
  if (frame === undefined) {
    frame = `event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`;
    frames.set(event, frame);
  }
  return frame;
}

/**
 * GET /api/events: server-sent events of what happens in the daemon (each finished request,
 * budget alerts, GPU samples, ...), for dashboards and `lodestar aider`'s counter.
 * `?recent=N` (up to 200) first replays the last N requests as `recent` events, so that a
 * dashboard that starts now has something to show. `?types=request,gpu` keeps to those types
 * (and `shutdown`): events no client wants are never serialized (a routing decision lists every
 * model considered, the biggest event there is).
 */
export function eventsRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/events',
    auth: true,
    handle(request, response, params) {
      const query = new URLSearchParams(params.query);
      const recent = Number(query.get('recent') ?? 0);
      if (!Number.isInteger(recent) || recent < 0 || recent > EventBus.RECENT) {
        throw new HttpError(400, `recent must be a whole number from 0 to ${EventBus.RECENT}`, { param: 'recent' });
      }
      const typesParam = query.get('types');
      const types = typesParam === null ? undefined : new Set(typesParam.split(',').map((type) => type.trim()).filter(Boolean));
      if (types && (!types.size || [...types].some((type) => !/^[a-z][a-z-]{0,31}$/.test(type)))) {
        throw new HttpError(400, `types must be event types separated by commas, such as request,gpu; got ${JSON.stringify((typesParam ?? '').slice(0, 80))}`, { param: 'types' });
      }
      response.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
      });
      response.write(': connected\n\n');
      // Replayed as "recent", not "request": a client that also reads totals must not count them twice.
      for (const event of context.events.recent(recent)) response.write(`event: recent\ndata: ${JSON.stringify(event.data)}\n\n`);
      let pending = '';
      let timer: NodeJS.Timeout | undefined;
      const flush = (): void => {
        timer = undefined;
        if (!pending || response.writableEnded) return;
        if (response.writableLength > MAX_BACKLOG_BYTES) {
          context.logger.warn('an /api/events client reads too slowly; closing its stream', { backlogBytes: response.writableLength });
          response.destroy();
          return;
        }
        response.write(pending);
        pending = '';
      };
      const unsubscribe = context.events.subscribe((event) => {
        // The daemon is stopping: end the stream so that graceful shutdown need not wait for it.
        if (event.type === 'shutdown') {
          if (timer) clearTimeout(timer);
          flush();
          response.end();
          return;
        }
        if (types && !types.has(event.type)) return;
        pending += frameOf(event);
        timer ??= setTimeout(flush, FLUSH_MS);
      });
      // A comment now and then keeps proxies and idle timers from closing a quiet stream.
      const heartbeat = setInterval(() => response.write(': ping\n\n'), 15_000);
      heartbeat.unref();
      const stop = (): void => {
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
        unsubscribe();
      };
      request.once('close', stop);
      response.once('close', stop);
    },
  };
}
