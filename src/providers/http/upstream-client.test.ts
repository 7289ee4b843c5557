import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { proxySettings, UpstreamClient } from './upstream-client.js';

const TIMEOUTS = { connectMs: 2000, firstByteMs: 5000, idleMs: 5000, requestMs: 5000 };

/** A loopback server that numbers its connections and answers with `answer`. */
async function serve(answer: (response: ServerResponse) => void): Promise<{ url: string; connections: number[]; closed: number[]; server: Server }> {
  const connections: number[] = [];
  const closed: number[] = [];
  const ids = new WeakMap<Socket, number>();
  let next = 0;
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      connections.push(ids.get(request.socket) ?? 0);
      answer(response);
    });
  });
  server.on('connection', (socket) => {
    const id = ++next;
    ids.set(socket, id);
    socket.once('close', () => closed.push(id));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, connections, closed, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** Reads a body until `stop` says the reader has what it wants, as a stream's reader does at [DONE]. */
async function readUntil(client: UpstreamClient, stop: string): Promise<string> {
  const response = await client.post('/chat/completions', '{}', {}, { signal: new AbortController().signal, stream: true });
  let text = '';
  for await (const chunk of response.body) {
    text += chunk.toString();
    if (text.includes(stop)) break;
  }
  return text;
}

describe('UpstreamClient', () => {
  it('puts a connection back in the pool when the reader stops at the end of a stream', async () => {
    const upstream = await serve((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"n":1}\n\n');
      setTimeout(() => response.end('data: [DONE]\n\n'), 5);
    });
    const client = new UpstreamClient('openai', upstream.url, TIMEOUTS);
    for (let index = 0; index < 3; index++) expect(await readUntil(client, '[DONE]')).toContain('[DONE]');
    expect(upstream.connections).toEqual([1, 1, 1]);
    await client.close();
  });

  it("closes the connection of an upstream that doesn't end its body after the end of the stream, without making the reader wait for the idle timeout", async () => {
    const upstream = await serve((response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"n":1}\n\ndata: [DONE]\n\n');
      // ... and never ends.
    });
    const client = new UpstreamClient('openai', upstream.url, TIMEOUTS);
    const started = Date.now();
    expect(await readUntil(client, '[DONE]')).toContain('[DONE]');
    // Bounded by the drain's grace (250 ms), far below the 5 s idle timeout.
    expect(Date.now() - started).toBeLessThan(TIMEOUTS.idleMs);
    await expect.poll(() => upstream.closed).toEqual([1]);
    // The next request gets a fresh connection.
    expect(await readUntil(client, '[DONE]')).toContain('[DONE]');
    expect(upstream.connections).toEqual([1, 2]);
    await client.close();
  });
});

describe('proxySettings', () => {
  const env = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://plain.corp:3128', NO_PROXY: 'intranet.example' };
  it('takes the proxy for the upstream\'s scheme, with NO_PROXY, from the environment', () => {
    expect(proxySettings(new URL('https://api.openai.com/v1'), env)).toEqual(env);
    expect(proxySettings(new URL('https://api.openai.com/v1'), { HTTP_PROXY: 'http://plain.corp:3128' })).toBeUndefined();
    expect(proxySettings(new URL('http://gpu-box.lan:11434'), { http_proxy: 'http://lower.corp:3128' })).toEqual({ http_proxy: 'http://lower.corp:3128' });
    expect(proxySettings(new URL('https://api.anthropic.com'), {})).toBeUndefined();
  });

  it('never sends what is on this machine through a proxy', () => {
    for (const url of ['http://127.0.0.1:11434', 'http://localhost:11434', 'http://[::1]:11434', 'http://127.0.0.2:8080']) {
      expect(proxySettings(new URL(url), env), url).toBeUndefined();
    }
  });
});
