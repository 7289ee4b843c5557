import { describe, expect, it } from 'vitest';
import { fimRequest, ghostText, PREFIX_CHARS, SUFFIX_CHARS } from './fim-context.js';

describe('fimRequest', () => {
  it('sends the text before and after the cursor', () => {
    const text = 'def add(a, b):\n    return \n\nprint(add(1, 2))\n';
    const offset = text.indexOf('return ') + 'return '.length;
    expect(fimRequest(text, offset)).toEqual({ prefix: 'def add(a, b):\n    return ', suffix: '\n\nprint(add(1, 2))\n' });
  });

  it('completes before closing brackets and quotes, not before code', () => {
    expect(fimRequest('print(', 6)).toEqual({ prefix: 'print(', suffix: '' });
    expect(fimRequest('x = foo()', 8)).toEqual({ prefix: 'x = foo(', suffix: ')' });
    expect(fimRequest('x = foo(bar)', 8)).toBeUndefined();
    expect(fimRequest('   ', 3)).toBeUndefined();
  });

  it('bounds the prefix and suffix it sends', () => {
    const text = `${'a'.repeat(PREFIX_CHARS * 2)}\n${'b'.repeat(SUFFIX_CHARS * 2)}`;
    const request = fimRequest(text, PREFIX_CHARS * 2);
    expect(request?.prefix.length).toBe(PREFIX_CHARS);
    expect(request?.suffix.length).toBe(SUFFIX_CHARS);
  });
});

describe('ghostText', () => {
  it('shows nothing for blank text and drops trailing blank lines', () => {
    expect(ghostText(undefined)).toBeUndefined();
    expect(ghostText(' \n\n')).toBeUndefined();
    expect(ghostText('a + b\n\n')).toBe('a + b');
  });
});
