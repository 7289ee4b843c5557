import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../shared/logger.js';
import { HttpError, sendJson } from '../shared/http-error.js';
import { announceRequestId, REQUEST_ID_HEADER, withdrawRequestId } from './request-id.js';
import { createRequestHandler, type Route } from './server.js';

const ID = '0b6f2c1e-5d3a-4c8e-9f1a-2b3c4d5e6f70';

function route(path: string, handle: Route['handle']): Route {
  return { method: 'POST', path, auth: false, handle };
}

let server: Server;
let base: string;
beforeAll(async () => {
  const handler = createRequestHandler({
    routes: [
      route('/refused', (_request, response) => {
        announceRequestId(response, ID);
        // A refusal the route recorded (publishRefusal) before throwing it.
        throw new HttpError(402, 'over budget');
      }),
      route('/crashed', async (_request, response) => {
        announceRequestId(response, ID);
        await Promise.resolve();
        throw new Error('a bug of our own');
      }),
      route('/invalid', () => {
        throw new HttpError(400, 'messages is required', { param: 'messages' });
      }),
      route('/other-event-lost', (_request, response) => {
        announceRequestId(response, ID);
        // Another event of the request (a consensus member's) failed to be written: not this one.
        withdrawRequestId(response, 'another-id');
        sendJson(response, 200, { ok: true });
      }),
      route('/this-event-lost', (_request, response) => {
        announceRequestId(response, ID);
        withdrawRequestId(response, ID);
        sendJson(response, 200, { ok: true });
      }),
      route('/stream', (_request, response) => {
        announceRequestId(response, ID);
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.write('data: {}\n\n');
        // Too late to take back: the headers are out. It must not throw either.
        withdrawRequestId(response, ID);
        response.end('data: [DONE]\n\n');
      }),
    ],
    hostCheck: () => {},
    auth: () => {},
    logger: silentLogger,
  });
  server = createServer(handler.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.close();
});

const post = (path: string) => fetch(`${base}${path}`, { method: 'POST', body: '{}' });

describe('x-lodestar-request-id', () => {
  it('stays on a refusal the route recorded, in the error envelope', async () => {
    const response = await post('/refused');
    expect(response.status).toBe(402);
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe(ID);
  });

  it("is taken back from a 500 of Lodestar's own, which no event records", async () => {
    const response = await post('/crashed');
    expect(response.status).toBe(500);
    expect(response.headers.get(REQUEST_ID_HEADER)).toBeNull();
  });

  it('is never on an answer refused before the request was announced', async () => {
    const response = await post('/invalid');
    expect(response.status).toBe(400);
    expect(response.headers.get(REQUEST_ID_HEADER)).toBeNull();
  });

  it('is taken back only when the event named is the one not stored, and only before the headers are out', async () => {
    expect((await post('/other-event-lost')).headers.get(REQUEST_ID_HEADER)).toBe(ID);
    expect((await post('/this-event-lost')).headers.get(REQUEST_ID_HEADER)).toBeNull();
    const stream = await post('/stream');
    expect(stream.headers.get(REQUEST_ID_HEADER)).toBe(ID);
    expect(await stream.text()).toContain('[DONE]');
  });
});
