#!/usr/bin/env node
// The benchmark's reference floor: the thinnest honest Node proxy for Chat Completions, i.e.
// what any Node proxy pays on this machine before doing anything of its own.
//
//   node bench/bare-proxy.js --upstream http://127.0.0.1:PORT/v1 [--port N]
//
// Prints one line `bare-proxy listening <port>` on stdout once it listens (port 0 = any free
// port). POST .../chat/completions: reads the body, JSON.parse, sets the model (a "provider/"
// prefix is dropped, as Lodestar does), JSON.stringify, forwards it with the provider key from
// OPENAI_API_KEY over a node:http keep-alive Agent (the same pool settings as Lodestar's
// upstream client), then:
// - non-streamed: reads the whole answer, JSON.parse it for its usage, writes it back;
// - streamed: pipes the SSE answer through chunk by chunk as it arrives.
// Nothing else: no auth check, no validation, no routing, no timeouts, no logging, no ledger.
import http from 'node:http';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const index = args.indexOf(name);
  return index === -1 ? fallback : args[index + 1];
};
const port = Number(option('--port', 0));
const upstream = new URL(option('--upstream', ''));
const basePath = upstream.pathname.replace(/\/+$/, '');
const authorization = `Bearer ${process.env.OPENAI_API_KEY ?? ''}`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 128, scheduling: 'lifo', timeout: 60_000 });

let completionTokens = 0;

function fail(response, status, message) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ error: { message, type: 'bare_proxy_error' } });
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}

function forward(request, response, text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    fail(response, 400, 'the body is not JSON');
    return;
  }
  const slash = typeof body.model === 'string' ? body.model.indexOf('/') : -1;
  if (slash !== -1) body.model = body.model.slice(slash + 1);
  const payload = JSON.stringify(body);
  const outgoing = http.request(
    {
      hostname: upstream.hostname,
      port: upstream.port,
      path: `${basePath}/chat/completions`,
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), authorization },
    },
    (incoming) => {
      if (body.stream === true) {
        response.writeHead(incoming.statusCode, { 'content-type': incoming.headers['content-type'] ?? 'text/event-stream', 'cache-control': 'no-cache' });
        incoming.pipe(response);
        return;
      }
      const chunks = [];
      incoming.on('data', (chunk) => chunks.push(chunk));
      incoming.on('end', () => {
        const answer = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        try {
          completionTokens += JSON.parse(answer.toString('utf8')).usage?.completion_tokens ?? 0;
        } catch {
          // not JSON: passed on as it is
        }
        response.writeHead(incoming.statusCode, { 'content-type': incoming.headers['content-type'] ?? 'application/json', 'content-length': answer.length });
        response.end(answer);
      });
      incoming.on('error', () => response.destroy());
    },
  );
  outgoing.on('error', (error) => fail(response, 502, `upstream: ${error.code ?? error.message}`));
  // The client went away before its answer was complete: stop asking the upstream.
  response.on('close', () => {
    if (!response.writableFinished) outgoing.destroy();
  });
  outgoing.end(payload);
}

const server = http.createServer({ keepAliveTimeout: 30_000, noDelay: true }, (request, response) => {
  if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
    request.resume();
    fail(response, 404, 'not found');
    return;
  }
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => forward(request, response, (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8')));
  request.on('error', () => response.destroy());
});

server.listen({ port, host: '127.0.0.1' }, () => {
  process.stdout.write(`bare-proxy listening ${server.address().port}\n`);
});

const stop = () => {
  process.stdout.write(`bare-proxy stopping; completion tokens relayed (non-streamed): ${completionTokens}\n`);
  server.close();
  server.closeAllConnections();
  agent.destroy();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// Started by the bench: go when the bench goes, even if it could not say so.
if (process.send) process.on('disconnect', stop);
