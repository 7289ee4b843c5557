import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ResponseContext } from '../response-object.js';
import { responsesToChat } from '../responses-to-chat.js';
import type { ResponsesRequest } from '../responses-types.js';

/**
 * What this folder's tests share to read the recorded wire data here and in
 * ../../messages/__fixtures__, and to serve converted answers to the real openai client.
 */

export const fixture = (name: string): string => readFileSync(join(import.meta.dirname, name), 'utf8');

/** The StreamChunk.data strings of an OpenAI chunk stream as the providers relay it ([DONE] is the gateway's). */
export function chunksOf(name: string): string[] {
  return fixture(name)
    .split('\n\n')
    .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
    .map((event) => event.slice('data: '.length));
}

export type WireEvent = Record<string, any> & { type: string; sequence_number: number };

/** Parses SSE frames, each one `event:` line naming its data's type and one `data:` line; throws on any other shape. */
export function eventsOf(frames: string[]): WireEvent[] {
  return frames.map((frame) => {
    const match = /^event: ([a-z_.]+)\ndata: ([^\n]+)\n\n$/.exec(frame);
    if (!match) throw new Error(`not one SSE event: ${JSON.stringify(frame)}`);
    const event = JSON.parse(match[2] as string) as WireEvent;
    if (event.type !== match[1]) throw new Error(`event: ${match[1]} carries data of type ${event.type}`);
    return event;
  });
}

/** A server on 127.0.0.1 answering every request with one body, and what the client sent it. */
export async function serveOnce(contentType: string, body: string | string[]): Promise<{ baseURL: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let text = '';
    request.on('data', (part: Buffer) => (text += part.toString('utf8')));
    request.on('end', () => {
      requests.push(text);
      response.writeHead(200, { 'content-type': contentType });
      for (const part of Array.isArray(body) ? body : [body]) response.write(part);
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}/v1`, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** The context the daemon builds for a request: the request, and the names responsesToChat gave its tools. */
export function contextFor(body: ResponsesRequest, extra: Partial<ResponseContext> = {}): ResponseContext {
  return { model: 'lodestar-test', request: body, tools: responsesToChat(body, 'upstream-model').tools, ...extra };
}
