import { describe, expect, it } from 'vitest';
import { checkProxy } from './doctor.js';

describe('doctor: the proxy check', () => {
  it('is there only when a proxy is set', () => {
    expect(checkProxy({})).toBeUndefined();
    expect(checkProxy({ NO_PROXY: 'intranet.example' })).toBeUndefined();
  });

  it('names the proxy without its credentials, and what goes through it', () => {
    const check = checkProxy({ HTTPS_PROXY: 'http://alice:s3cret-pass@proxy.corp:3128', no_proxy: 'intranet.example' }, '24.21.0');
    expect(check).toEqual({ name: 'proxy', status: 'ok', detail: 'HTTPS_PROXY http://proxy.corp:3128 for cloud providers; Ollama on this machine directly; NO_PROXY intranet.example' });
    expect(JSON.stringify(check)).not.toContain('s3cret');
  });

  it('warns on a Node without proxy support, and on a value that is not a URL', () => {
    expect(checkProxy({ HTTPS_PROXY: 'http://proxy.corp:3128' }, '22.19.0')).toMatchObject({ status: 'warn', detail: "HTTPS_PROXY http://proxy.corp:3128 set, but Node 22.19.0 can't send requests through a proxy" });
    expect(checkProxy({ HTTPS_PROXY: 'http://proxy.corp:3128' }, '22.21.0')?.status).toBe('ok');
    expect(checkProxy({ https_proxy: 'proxy.corp 3128' }, '24.21.0')).toMatchObject({ status: 'warn', detail: 'HTTPS_PROXY is not a URL' });
  });
});
