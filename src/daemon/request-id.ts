import type { ServerResponse } from 'node:http';

/**
 * The response header naming the ledger event of a request (INTERFACE.md), so that a client or
 * an auditor can find it. Only an answer whose request is recorded carries it: one refused
 * before routing (a body that is not valid, a wrong token) makes no event and names no id.
 */
export const REQUEST_ID_HEADER = 'x-lodestar-request-id';

/**
 * The request has reached the point after which every end of it (an answer, a refusal, an
 * upstream failure, the client going away) publishes its event under `id`: every answer from
 * here on names it, before the first byte of a stream. Set on the response rather than threaded
 * into each format's writers, so that no writer (a pass-through, an error envelope, a cache hit)
 * can leave it out.
 */
export function announceRequestId(response: ServerResponse, id: string): void {
  response.setHeader(REQUEST_ID_HEADER, id);
}

/**
 * The event named to the client (`id`, or whichever it is when undefined) is not stored after
 * all: an answer not yet begun names no id. A stream's headers have named it already.
 */
export function withdrawRequestId(response: ServerResponse, id?: string): void {
  if (response.headersSent) return;
  if (id === undefined || response.getHeader(REQUEST_ID_HEADER) === id) response.removeHeader(REQUEST_ID_HEADER);
}
