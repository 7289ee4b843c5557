import { describe, expect, it } from 'vitest';
import { TranslationError } from '../../providers/spec/translation-error.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { Candidate } from '../../router/resolve-model.js';
import { FallbackPlan, isProviderWide } from './fallback-plan.js';

const candidate = (id: string): Candidate => {
  const slash = id.indexOf('/');
  return { id, provider: id.slice(0, slash) as Candidate['provider'], model: id.slice(slash + 1) };
};
const CANDIDATES = ['deepseek/deepseek-flash', 'deepseek/deepseek-v4-pro', 'openai/o3', 'openai/gpt-5', 'anthropic/claude-sonnet-4-6', 'gemini/gemini-2.5-pro'].map(candidate);

describe('isProviderWide', () => {
  it('a 5xx, an overload, a connection failure, a timeout, a refused key: the provider; a 429, a 404, a 400: the model or the request', () => {
    const http = (status: number): UpstreamError => new UpstreamError('openai', 'http', `status ${status}`, { status });
    for (const status of [500, 502, 503, 529, 401, 402, 403]) expect(isProviderWide(http(status)), String(status)).toBe(true);
    for (const status of [429, 404, 400, 413, 422]) expect(isProviderWide(http(status)), String(status)).toBe(false);
    expect(isProviderWide(new UpstreamError('openai', 'connection', 'ECONNREFUSED'))).toBe(true);
    expect(isProviderWide(new UpstreamError('openai', 'timeout', 'no first byte in 120 s'))).toBe(true);
    expect(isProviderWide(new UpstreamError('openai', 'aborted', 'the client went away'))).toBe(false);
    expect(isProviderWide(new TranslationError('tools', 'tools are not supported'))).toBe(false);
  });
});

describe('FallbackPlan', () => {
  it("after a provider-wide failure, skips that provider's other models", () => {
    const plan = new FallbackPlan(CANDIDATES, 3);
    plan.attempting(CANDIDATES[0] as Candidate);
    plan.failed(CANDIDATES[0] as Candidate, new UpstreamError('deepseek', 'http', 'boom', { status: 500 }));
    expect(plan.admits(CANDIDATES[1] as Candidate)).toBe(false);
    expect(plan.admits(CANDIDATES[2] as Candidate)).toBe(true);
  });

  it('after a 429, still admits a sibling at the same provider', () => {
    const plan = new FallbackPlan(CANDIDATES, 3);
    plan.attempting(CANDIDATES[2] as Candidate);
    plan.failed(CANDIDATES[2] as Candidate, new UpstreamError('openai', 'http', 'rate limited', { status: 429 }));
    expect(plan.admits(CANDIDATES[3] as Candidate)).toBe(true);
  });

  it('counts providers, not models, against the bound', () => {
    const plan = new FallbackPlan(CANDIDATES, 2);
    for (const index of [0, 2]) plan.attempting(CANDIDATES[index] as Candidate);
    // A second OpenAI model is within the bound (OpenAI was tried); a third provider is not.
    expect(plan.admits(CANDIDATES[3] as Candidate)).toBe(true);
    expect(plan.admits(CANDIDATES[4] as Candidate)).toBe(false);
    expect(plan.hasNext(3)).toBe(false);
    expect(plan.hasNext(2)).toBe(true);
  });
});
