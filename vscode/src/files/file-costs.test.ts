import { describe, expect, it } from 'vitest';
import { describeFileCost, fileBadge, fileCosts, periodQuery } from './file-costs.js';

describe('file costs', () => {
  it('sorts the files by spend, most first', () => {
    const rows = [
      { key: 'src/a.py', costUsd: 0.01, requests: 1 },
      { key: 'src/b.py', costUsd: 0.3, requests: 4 },
      { key: 'README.md', costUsd: 0.01, requests: 2 },
    ];
    expect(fileCosts({ rows } as never)).toEqual([
      { path: 'src/b.py', costUsd: 0.3, requests: 4 },
      { path: 'README.md', costUsd: 0.01, requests: 2 },
      { path: 'src/a.py', costUsd: 0.01, requests: 1 },
    ]);
  });

  it('asks /api/usage for the period in the local calendar', () => {
    const now = new Date(2026, 0, 3, 12); // 3 January 2026, local time
    expect(periodQuery('today', now)).toEqual({ day: '2026-01-03' });
    expect(periodQuery('week', now)).toEqual({ since: '2025-12-28', until: '2026-01-03' });
    expect(periodQuery('month', now)).toEqual({ month: '2026-01' });
    expect(periodQuery('last-month', now)).toEqual({ month: '2025-12' });
  });

  it('keeps the badge within two characters and the amount in words', () => {
    expect(fileBadge({ path: 'a', costUsd: 0.42, requests: 3 })).toBe('$');
    expect(fileBadge({ path: 'a', costUsd: 12, requests: 3 })).toBe('$$');
    expect(describeFileCost({ path: 'a', costUsd: 0.42, requests: 1 }, 'month')).toBe('AI edits of this file: $0.42 this month (1 request)');
  });
});
