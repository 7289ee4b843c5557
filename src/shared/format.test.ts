import { expect, it } from 'vitest';
import { formatMoney, savings } from './format.js';

it('says a saving as one, and a session dearer than the baseline in words, never as a negative saving', () => {
  expect(savings(0.31, 0.5)).toBe('saved $0.31 (62.0%)');
  expect(savings(-0.005, 0.00508)).toBe('$0.0050 more than on the baseline (+98.4%)');
  expect(savings(-0.5, 0)).toBe('$0.50 more than on the baseline');
  expect(savings(0, 0)).toBe('nothing saved: the same as on the baseline');
  expect(formatMoney(-0.005)).toBe('-$0.0050');
});
