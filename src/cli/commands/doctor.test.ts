import { describe, expect, it } from 'vitest';
import { defaultConfig, type LodestarConfig } from '../../config/defaults.js';
import type { LoadedConfig } from '../../config/load.js';
import { lodestarPaths } from '../../config/paths.js';
import { checkEvidence, checkProxy } from './doctor.js';

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

describe('doctor: the model quality check', () => {
  const withKeys = (providers: Array<'anthropic' | 'groq' | 'openai'>, quality?: Partial<LodestarConfig['quality']>): LoadedConfig => {
    const config = defaultConfig();
    for (const id of providers) config.providers[id].apiKey = `key-${id}`;
    Object.assign(config.quality, quality);
    return { config, paths: lodestarPaths('/nonexistent-home') } as unknown as LoadedConfig;
  };

  it('names the available paid models that no evidence covers, once', () => {
    const check = checkEvidence(withKeys(['anthropic', 'openai']));
    expect(check.status).toBe('ok');
    expect(check.detail).toMatch(/^\d+ available model\(s\) meet the edit floor of 70%; no quality evidence for anthropic\/claude-sonnet-5, openai\/gpt-5-mini, openai\/gpt-5-nano, openai\/o4-mini \(used by tier where a floor applies\)$/);
  });

  it('warns when no available model is known to meet the edit floor, and says what to do', () => {
    const check = checkEvidence(withKeys(['groq']));
    expect(check).toMatchObject({ status: 'warn' });
    expect(check.detail).toContain('no available model is known to meet the edit floor of 70%: edits go to a model chosen by tier; no quality evidence for groq/llama-3.3-70b-versatile');
    expect(check.fix).toContain('lodestar models recommend --task edit');
    // With calibration off, Anthropic's models have no evidence either.
    expect(checkEvidence(withKeys(['anthropic'], { calibration: false })).status).toBe('warn');
  });
});
