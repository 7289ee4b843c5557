import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { HostRule } from './host-rule.js';

const rule = (listenHost: string, env: Record<string, string> = {}, port = 4242) => new HostRule({ listenHost, port: () => port, env });
const request = (headers: Record<string, string>) => ({ headers, method: 'POST' }) as unknown as IncomingMessage;

describe('the admin pages\' Host rule', () => {
  it('takes the loopback names at the server\'s port, and the listen host when it names one', () => {
    const wildcard = rule('0.0.0.0');
    for (const host of ['127.0.0.1:4242', 'LOCALHOST:4242', '[::1]:4242']) expect(wildcard.allows(host), host).toBe(true);
    for (const host of ['127.0.0.1', '127.0.0.1:4243', '0.0.0.0:4242', '10.0.0.5:4242', 'evil.example', 'localhost.evil.example:4242']) expect(wildcard.allows(host), host).toBe(false);
    expect(rule('10.0.0.5').allows('10.0.0.5:4242')).toBe(true);
    expect(rule('lodestar.lan').allows('lodestar.lan:4242')).toBe(true);
    expect(rule('fd00::5').allows('[fd00::5]:4242')).toBe(true);
    expect(rule('::').allows('[::]:4242')).toBe(false);
    expect(rule('lodestar.lan', {}, 80).allows('lodestar.lan')).toBe(true);
  });

  it('takes the public URL\'s host as a browser sends it, and LODESTAR_PUBLIC_HOSTS exactly', () => {
    const behindProxy = rule('0.0.0.0', { LODESTAR_PUBLIC_URL: 'https://Lodestar.Example.com/', LODESTAR_PUBLIC_HOSTS: ' lodestar.internal , 10.0.0.5:8443' });
    for (const host of ['lodestar.example.com', 'LODESTAR.example.com', 'lodestar.internal', '10.0.0.5:8443']) expect(behindProxy.allows(host), host).toBe(true);
    for (const host of ['lodestar.example.com:443', 'lodestar.internal:4242', '10.0.0.5']) expect(behindProxy.allows(host), host).toBe(false);
    expect(behindProxy.secure).toBe(true);
    expect(rule('0.0.0.0', { LODESTAR_PUBLIC_URL: 'http://lodestar.example.com:8080' }).allows('lodestar.example.com:8080')).toBe(true);
    expect(rule('0.0.0.0').secure).toBe(false);
  });

  it('takes an Origin on an allowed host, https for an https public URL, and nothing else', () => {
    const behindProxy = rule('0.0.0.0', { LODESTAR_PUBLIC_URL: 'https://lodestar.example.com' });
    const origin = (value: string | undefined) => () => behindProxy.checkOrigin(request(value === undefined ? {} : { origin: value }));
    expect(origin('https://lodestar.example.com')).not.toThrow();
    // A proxy that sends its own Host upstream: the page's origin is still the public one.
    expect(origin('http://127.0.0.1:4242')).not.toThrow();
    for (const bad of ['http://lodestar.example.com', 'https://evil.example', 'null', 'https://lodestar.example.com/x', 'file://', undefined]) expect(origin(bad), String(bad)).toThrow(/Origin/);
  });

  it('refuses a malformed public URL or host at start, naming the variable', () => {
    expect(() => rule('0.0.0.0', { LODESTAR_PUBLIC_URL: 'lodestar.example.com' })).toThrow(/LODESTAR_PUBLIC_URL/);
    expect(() => rule('0.0.0.0', { LODESTAR_PUBLIC_URL: 'https://user:pw@lodestar.example.com' })).toThrow(/LODESTAR_PUBLIC_URL/);
    expect(() => rule('0.0.0.0', { LODESTAR_PUBLIC_HOSTS: 'https://lodestar.example.com' })).toThrow(/LODESTAR_PUBLIC_HOSTS/);
    expect(() => rule('0.0.0.0', { LODESTAR_PUBLIC_HOSTS: 'a.example,,b.example:1' })).not.toThrow();
  });
});
