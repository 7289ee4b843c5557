import { describe, expect, it } from 'vitest';
import { isLoopbackHost } from './host-check.js';

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1:4141', true],
    ['localhost:4141', true],
    ['LOCALHOST:4141', true],
    ['[::1]:4141', true],
    ['127.0.0.1:4142', false],
    ['evil.example.com:4141', false],
    ['127.0.0.1.nip.io:4141', false],
    ['localhost', false],
    ['[::1]', false],
    ['', false],
  ])('%s', (host, allowed) => {
    expect(isLoopbackHost(host, 4141)).toBe(allowed);
  });

  it('accepts a bare name only on port 80', () => {
    expect(isLoopbackHost('localhost', 80)).toBe(true);
  });
});
