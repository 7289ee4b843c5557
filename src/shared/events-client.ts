import { request, type ClientRequest } from 'node:http';

export interface DaemonEventMessage {
  type: string;
  data: unknown;
}

/**
 * Subscribes to the daemon's /api/events stream (server-sent events) and hands each event to
 * `onEvent` as it arrives. Resolves once connected; `close()` hangs up.
 */
export function subscribeToEvents(
  port: number,
  token: string,
  onEvent: (event: DaemonEventMessage) => void,
  options: { recent?: number; types?: readonly string[]; onEnd?: (reason: string) => void } = {},
): Promise<{ close: () => void }> {
  return new Promise((resolve, reject) => {
    let outgoing: ClientRequest | undefined;
    let closed = false;
    const ended = (reason: string): void => {
      if (closed) return;
      closed = true;
      options.onEnd?.(reason);
    };
    outgoing = request(
      {
        host: '127.0.0.1',
        port,
        path: eventsPath(options),
        method: 'GET',
        headers: { host: `127.0.0.1:${port}`, authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      },
      (incoming) => {
        if (incoming.statusCode !== 200) {
          reject(new Error(`/api/events answered ${incoming.statusCode}`));
          incoming.resume();
          return;
        }
        incoming.setEncoding('utf8');
        let buffer = '';
        incoming.on('data', (text: string) => {
          buffer += text;
          let end = buffer.indexOf('\n\n');
          while (end !== -1) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            end = buffer.indexOf('\n\n');
            let type = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event:')) type = line.slice(6).trim();
              else if (line.startsWith('data:')) data += line.slice(5).trimStart();
            }
            if (!data) continue;
            try {
              onEvent({ type, data: JSON.parse(data) as unknown });
            } catch {
              // a malformed event is skipped, the stream goes on
            }
          }
        });
        incoming.on('error', () => ended('the connection to the daemon broke'));
        incoming.on('end', () => ended('the daemon closed the event stream (it stopped?)'));
        resolve({
          close: () => {
            closed = true;
            outgoing?.destroy();
          },
        });
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** /api/events with the replay and the event types asked for. */
function eventsPath(options: { recent?: number; types?: readonly string[] }): string {
  const query = new URLSearchParams();
  if (options.recent) query.set('recent', String(options.recent));
  if (options.types?.length) query.set('types', options.types.join(','));
  const text = query.toString();
  return text ? `/api/events?${text}` : '/api/events';
}
