import { describe, expect, it } from 'vitest';
import { armFor, isFailedEditReply } from './ab-split.js';

describe('armFor', () => {
  it('splits 2,000 sessions as asked, within 5 points, and keeps each session in one arm', () => {
    for (const split of [50, 20, 80]) {
      const sessions = Array.from({ length: 2000 }, (_, index) => `20261203-${String(index).padStart(4, '0')}-${(index * 7919).toString(16)}`);
      const inA = sessions.filter((session) => armFor('exp-1', session, split) === 'a').length;
      expect(Math.abs((inA / sessions.length) * 100 - split)).toBeLessThanOrEqual(5);
      for (const session of sessions.slice(0, 50)) expect(armFor('exp-1', session, split)).toBe(armFor('exp-1', session, split));
    }
  });

  it('draws again for another experiment', () => {
    const sessions = Array.from({ length: 500 }, (_, index) => `s${index}`);
    const same = sessions.filter((session) => armFor('exp-1', session, 50) === armFor('exp-2', session, 50)).length;
    expect(same).toBeGreaterThan(150);
    expect(same).toBeLessThan(350);
  });
});

describe('isFailedEditReply', () => {
  it("reads Aider's reply to an edit that did not apply", () => {
    expect(isFailedEditReply('# 1 SEARCH/REPLACE block failed to match!\n\n## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in app.py')).toBe(true);
    expect(isFailedEditReply('# 2 SEARCH/REPLACE blocks failed to match!')).toBe(true);
    expect(isFailedEditReply('Rename greet to hello in app.py')).toBe(false);
  });
});
