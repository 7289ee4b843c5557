// The benchmark's own HTTP clients: one keep-alive connection per target, requests one after
// another, each timed with process.hrtime.bigint() from just before the request is written to
// the end of its answer (or, for streams, to the first frame that carries content).
import http from 'node:http';

/** No single request of the benchmark may hang it: past this, it fails. */
const REQUEST_TIMEOUT_MS = 15_000;

function guard(request, name) {
  request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`${name}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
}

/**
 * A target: where to send a Chat Completions request and with which headers and body.
 * `stream` picks the streamed body.
 */
export class Target {
  constructor({ name, port, path = '/v1/chat/completions', headers = {}, model }) {
    this.name = name;
    this.port = port;
    this.path = path;
    this.model = model;
    this.agent = new http.Agent({ keepAlive: true, maxSockets: 1, maxFreeSockets: 1, keepAliveMsecs: 30_000 });
    this.baseHeaders = { 'content-type': 'application/json', accept: 'application/json', ...headers };
    this.bodies = {
      plain: Buffer.from(JSON.stringify(chatBody(model, false))),
      stream: Buffer.from(JSON.stringify(chatBody(model, true))),
    };
  }

  get url() {
    return `http://127.0.0.1:${this.port}${this.path}`;
  }

  /** Headers and body for autocannon (non-streamed); it adds content-length itself. */
  loadRequest() {
    return { url: this.url, method: 'POST', headers: { ...this.baseHeaders }, body: this.bodies.plain };
  }

  options(kind) {
    const body = this.bodies[kind];
    return {
      host: '127.0.0.1',
      port: this.port,
      path: this.path,
      method: 'POST',
      agent: this.agent,
      headers: {
        ...this.baseHeaders,
        ...(kind === 'stream' ? { accept: 'text/event-stream' } : {}),
        'content-length': String(body.length),
      },
    };
  }

  close() {
    this.agent.destroy();
  }
}

export function chatBody(model, stream) {
  return {
    model,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Say hello.' },
    ],
    temperature: 0,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
}

/**
 * One non-streamed request. Resolves { ns, status, body?, overheadHeader } where ns is the time
 * from writing the request to the end of the answer; `keepBody` keeps the answer's text.
 */
export function timedRequest(target, { keepBody = false } = {}) {
  const options = target.options('plain');
  const body = target.bodies.plain;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const request = http.request(options, (response) => {
      const chunks = keepBody ? [] : undefined;
      response.on('data', (chunk) => chunks?.push(chunk));
      response.on('end', () => {
        const ns = process.hrtime.bigint() - start;
        resolve({
          ns,
          status: response.statusCode,
          headers: response.headers,
          body: chunks ? Buffer.concat(chunks).toString('utf8') : undefined,
        });
      });
      response.on('error', reject);
    });
    guard(request, target.name);
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * One streamed request. Resolves { firstContentNs, totalNs, status, contentFrames, sawDone,
 * usageFrames, frames } where firstContentNs is the time to the first `data:` frame with a
 * non-empty delta.content.
 */
export function timedStream(target) {
  const options = target.options('stream');
  const body = target.bodies.stream;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const request = http.request(options, (response) => {
      let firstContentNs;
      let buffer = '';
      let contentFrames = 0;
      let usageFrames = 0;
      let frames = 0;
      let sawDone = false;
      let errorFrame;
      response.setEncoding('utf8');
      response.on('data', (text) => {
        const now = process.hrtime.bigint();
        buffer += text;
        let boundary;
        while ((boundary = buffer.indexOf('\n\n')) !== -1) {
          const frame = buffer.slice(0, boundary).replace(/\r/g, '');
          buffer = buffer.slice(boundary + 2);
          for (const line of frame.split('\n')) {
            if (!line.startsWith('data:')) continue;
            const data = line.slice(5).trim();
            frames++;
            if (data === '[DONE]') {
              sawDone = true;
              continue;
            }
            let parsed;
            try {
              parsed = JSON.parse(data);
            } catch {
              errorFrame ??= `not JSON: ${data.slice(0, 120)}`;
              continue;
            }
            if (parsed.error) errorFrame ??= JSON.stringify(parsed.error).slice(0, 200);
            const content = parsed.choices?.[0]?.delta?.content;
            if (typeof content === 'string' && content.length > 0) {
              contentFrames++;
              firstContentNs ??= now - start;
            }
            if (parsed.usage && Array.isArray(parsed.choices) && parsed.choices.length === 0) usageFrames++;
          }
        }
      });
      response.on('end', () => {
        resolve({
          firstContentNs,
          totalNs: process.hrtime.bigint() - start,
          status: response.statusCode,
          contentType: response.headers['content-type'],
          contentFrames,
          usageFrames,
          frames,
          sawDone,
          errorFrame,
          rest: buffer,
        });
      });
      response.on('error', reject);
    });
    guard(request, `${target.name} (streamed)`);
    request.on('error', reject);
    request.end(body);
  });
}

/** A plain GET on 127.0.0.1 (health checks, the fake upstream's stats). */
export function get(port, path, headers = {}, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, headers, agent: false, timeout: timeoutMs }, (response) => {
      const chunks = [];
      response.on('data', (chunk) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`GET ${path} timed out`)));
    request.on('error', reject);
  });
}

/**
 * POSTs a JSON body (a Buffer) to 127.0.0.1:port on `agent` and drains the answer; resolves to its
 * status code as a string. For the load generators of the soaks, which count statuses.
 */
export function postJson(port, path, agent, headers, body) {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length, ...headers } },
      (incoming) => {
        incoming.resume();
        incoming.on('end', () => resolve(String(incoming.statusCode)));
        incoming.on('error', reject);
      },
    );
    guard(outgoing, `POST ${path}`);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
