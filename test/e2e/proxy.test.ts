import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIDouble, type Double } from '../doubles/index.js';
import { startForwardProxy, type ForwardProxy } from '../helpers/forward-proxy.js';
import { KEYS, startGateway, type Gateway } from '../helpers/gateway.js';

/**
 * Behind a corporate proxy: HTTP_PROXY / HTTPS_PROXY in the environment `lodestar start` runs in
 * take the requests to cloud providers through the proxy; Ollama on this machine is reached
 * directly. The provider here is given a name only the proxy can resolve, so a request that
 * skipped the proxy would fail.
 */
let proxy: ForwardProxy;
let gateway: Gateway;
let upstream: Double;

beforeAll(async () => {
  // OpenAI behind a made-up host name that only the proxy routes (to this double).
  upstream = await startOpenAIDouble({ flavor: 'openai', apiKey: KEYS.openai });
  proxy = await startForwardProxy({ 'openai.proxied.test': upstream.port });
  gateway = await startGateway({
    config: { logLevel: 'debug' },
    env: { OPENAI_BASE_URL: 'http://openai.proxied.test/v1', HTTP_PROXY: proxy.url.replace('http://', 'http://alice:proxy-pass-1234@'), NO_PROXY: 'intranet.example' },
  });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  await proxy?.close();
});

describe('an HTTP proxy from the environment', () => {
  it('carries the requests to a cloud provider, streamed and not, with its credentials, and never Ollama on loopback', async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
    const messages = [{ role: 'user' as const, content: 'Hello through the proxy' }];
    upstream.setDefault({ kind: 'reply', text: 'Hello back, through the proxy.' });

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
    expect(chats[0]?.proxyAuthorization).toBe(`Basic ${Buffer.from('alice:proxy-pass-1234').toString('base64')}`);
    // Nothing for this machine went through the proxy: not the Ollama double, not its monitor.
    expect(proxy.requests.filter((request) => /127\.0\.0\.1|localhost/.test(request.url))).toEqual([]);
    expect(gateway.ollama.requests.some((request) => request.path === '/api/chat')).toBe(true);
    // The proxy's password is nowhere in the daemon's log.
    expect(readFileSync(join(gateway.home, 'logs', 'daemon.log'), 'utf8')).not.toContain('proxy-pass-1234');
  });
});
