import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnthropicDouble, startOpenAIDouble, type Double } from '../doubles/index.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { KEYS, startGateway, type Gateway } from '../helpers/gateway.js';
import { canMakeCertificates, startTlsFront, type TlsFront } from '../helpers/tls-front.js';

/**
 * Behind a corporate proxy: HTTP_PROXY / HTTPS_PROXY in the environment `lodestar start` runs in
 * take the requests to cloud providers through the proxy; Ollama on this machine is reached
 * directly. The providers here have names only the proxy can resolve, so a request that skipped
 * the proxy would fail: OpenAI over plain HTTP (the proxy forwards it), Anthropic over HTTPS (a
 * CONNECT tunnel to a TLS endpoint with a certificate the daemon is told to trust).
 */
const HTTPS = canMakeCertificates();
const PASSWORD = 'proxy-pass-1234';
let proxy: ForwardProxy;
let gateway: Gateway;
let openai: Double;
let anthropic: Double;
let tls: TlsFront | undefined;

beforeAll(async () => {
  openai = await startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai });
  anthropic = await startAnthropicDouble({ apiKey: KEYS.anthropic });
  tls = HTTPS ? await startTlsFront('anthropic.proxied.test', anthropic.port) : undefined;
  proxy = await startForwardProxy({ 'openai.proxied.test': openai.port, ...(tls ? { 'anthropic.proxied.test:443': tls.port } : {}) });
  const proxyUrl = proxy.url.replace('http://', `http://alice:${PASSWORD}@`);
  gateway = await startGateway({
    config: { logLevel: 'debug' },
    env: {
      OPENAI_BASE_URL: 'http://openai.proxied.test/v1',
      HTTP_PROXY: proxyUrl,
      NO_PROXY: 'intranet.example',
      ...(tls ? { ANTHROPIC_BASE_URL: 'https://anthropic.proxied.test', HTTPS_PROXY: proxyUrl, NODE_EXTRA_CA_CERTS: tls.caFile } : {}),
    },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await tls?.close();
  await Promise.all([openai?.close(), anthropic?.close(), proxy?.close()]);
});

const messages = [{ role: 'user' as const, content: 'Hello through the proxy' }];

describe('a proxy from the environment', () => {
  it('carries plain-HTTP requests to a cloud provider, streamed and not, with its credentials, and never Ollama on loopback', async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    openai.setDefault({ kind: 'reply', text: 'Hello back, through the proxy.' });

    const plain = await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages });
    expect(plain.choices[0]?.message.content).toBe('Hello back, through the proxy.');
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages, stream: true })) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed).toBe('Hello back, through the proxy.');
    const local = await client.chat.completions.create({ model: 'ollama/qwen2.5-coder:1.5b', messages });
    expect(local.choices[0]?.message.content).toBeTruthy();

    const chats = proxy.requests.filter((request) => request.url.endsWith('/chat/completions'));
    expect(chats.map((request) => [request.method, request.url])).toEqual([
      ['POST', 'http://openai.proxied.test/v1/chat/completions'],
      ['POST', 'http://openai.proxied.test/v1/chat/completions'],
    ]);
    expect(chats[0]?.proxyAuthorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    // Nothing for this machine went through the proxy: not the Ollama double, not its monitor.
    expect(proxy.requests.filter((request) => /127\.0\.0\.1|localhost/.test(request.url))).toEqual([]);
    expect(gateway.ollama.requests.some((request) => request.path === '/api/chat')).toBe(true);
    expect(readFileSync(join(gateway.home, 'logs', 'daemon.log'), 'utf8')).not.toContain(PASSWORD);
  });

  it.skipIf(!HTTPS)('tunnels HTTPS to a provider through CONNECT (openssl makes the test certificate)', async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    anthropic.setDefault({ kind: 'reply', text: 'Hello over TLS, through the tunnel.' });
    const plain = await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages });
    expect(plain.choices[0]?.message.content).toBe('Hello over TLS, through the tunnel.');
    let streamed = '';
    for await (const chunk of await client.chat.completions.create({ model: 'anthropic/claude-haiku-4-5', messages, stream: true })) streamed += chunk.choices[0]?.delta?.content ?? '';
    expect(streamed).toBe('Hello over TLS, through the tunnel.');

    const tunnels = proxy.requests.filter((request) => request.method === 'CONNECT');
    expect(tunnels.length).toBeGreaterThanOrEqual(1);
    for (const tunnel of tunnels) expect(tunnel.url).toBe('anthropic.proxied.test:443');
    expect(tunnels[0]?.proxyAuthorization).toBe(`Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`);
    // The key went inside the tunnel: the Anthropic double saw it, the proxy saw only CONNECT.
    expect(anthropic.requests.at(-1)?.headers['x-api-key']).toBe(KEYS.anthropic);
  });
});
