import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor } from './redact.js';

describe('Redactor', () => {
  it('removes known secrets wherever they appear', () => {
    const redactor = new Redactor(['my-very-secret-key', undefined, 'short']);
    expect(redactor.redact('key=my-very-secret-key; again my-very-secret-key')).toBe(`key=${REDACTED}; again ${REDACTED}`);
    // Values too short to be keys are left alone rather than redacting ordinary words.
    expect(redactor.redact('a short word')).toBe('a short word');
  });

  it('removes things shaped like keys that it was never told about', () => {
    const redactor = new Redactor();
    const text = redactor.redact(
      'Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwx; Authorization: Bearer abc.def.ghi-123; token ls-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123; {"x-api-key":"sk-ant-api03-zzzzzzzzzzzzzzzzzzzz"}',
    );
    expect(text).not.toMatch(/abcdefghijklmnop|abc\.def|ABCDEFGHIJ|zzzzzzzz/);
    expect(text).toContain('Incorrect API key provided: ');
    expect(text).toContain(`Bearer ${REDACTED}`);
  });

  it('removes a password from a URL, keeping where it points', () => {
    expect(new Redactor().redact('cannot reach redis://team:s3cret-pass@cache.internal:6379 (ECONNREFUSED)')).toBe(`cannot reach redis://team:${REDACTED}@cache.internal:6379 (ECONNREFUSED)`);
  });
});
