import { describe, expect, it } from 'vitest';
import { CircuitBreakers } from './circuit-breaker.js';

describe('CircuitBreakers', () => {
  it('opens after the threshold of consecutive failures, probes once after the cooldown, and closes on success', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 3, cooldownMs: 1000 }, () => now);
    expect(breakers.tryAcquire('anthropic')).toBe(true);
    breakers.failure('anthropic', 'anthropic answered 529');
    breakers.failure('anthropic', 'anthropic answered 529');
    expect(breakers.state('anthropic')).toBe('closed');
    breakers.failure('anthropic', 'anthropic answered 529');
    expect(breakers.state('anthropic')).toBe('open');
    expect(breakers.tryAcquire('anthropic')).toBe(false);
    expect(breakers.health('anthropic')).toMatchObject({ state: 'open', consecutiveFailures: 3, lastError: 'anthropic answered 529', retryAt: '1970-01-01T00:00:01.000Z' });

    now = 1000;
    expect(breakers.state('anthropic')).toBe('half-open');
    expect(breakers.tryAcquire('anthropic')).toBe(true);
    // Only one probe at a time.
    expect(breakers.tryAcquire('anthropic')).toBe(false);
    breakers.success('anthropic', 120);
    expect(breakers.state('anthropic')).toBe('closed');
    expect(breakers.tryAcquire('anthropic')).toBe(true);
    expect(breakers.health('anthropic')).toMatchObject({ consecutiveFailures: 0, successes: 1, failures: 3, latencyMs: 120 });
  });

  it('reopens at once when the probe fails, for another full cooldown', () => {
    let now = 0;
    const breakers = new CircuitBreakers({ failureThreshold: 2, cooldownMs: 500 }, () => now);
    breakers.failure('openai', 'x');
    breakers.failure('openai', 'x');
    now = 600;
    expect(breakers.tryAcquire('openai')).toBe(true);
    breakers.failure('openai', 'still down');
    expect(breakers.state('openai')).toBe('open');
    now = 1000;
    expect(breakers.state('openai')).toBe('open');
    now = 1100;
    expect(breakers.state('openai')).toBe('half-open');
  });

  it('keeps providers apart, and a success resets the count', () => {
    const breakers = new CircuitBreakers({ failureThreshold: 2, cooldownMs: 500 }, () => 0);
    breakers.failure('openai', 'x');
    breakers.success('openai');
    breakers.failure('openai', 'x');
    breakers.failure('deepseek', 'y');
    expect(breakers.state('openai')).toBe('closed');
    expect(breakers.state('deepseek')).toBe('closed');
    expect(breakers.health('mistral').state).toBe('closed');
  });
});
