import { describe, expect, it } from 'vitest';
import { reportMarkdown } from './report-markdown.js';

describe('reportMarkdown', () => {
  it('puts the totals and one row per key in a table', () => {
    const totals = { requests: 3, inputTokens: 12000, cachedInputTokens: 0, outputTokens: 900, costUsd: 0.012, baselineCostUsd: 0.05, savedUsd: 0.038, savedPercent: 76, cacheHits: 0, errors: 0, unpricedRequests: 0, approximateRequests: 0 };
    const text = reportMarkdown({ period: { from: '2026-12-01', to: '2026-12-31' }, timeZone: 'UTC', by: 'model', project: 'app', totals, rows: [{ key: 'deepseek/deepseek-chat', ...totals }], flags: { unpricedModels: ['ollama/x'], approximateModels: [] } }, 'Lodestar: app');
    expect(text).toContain('2026-12-01 to 2026-12-31 (UTC), project app');
    expect(text).toContain('**$0.012** for 3 requests; saved $0.038 (76.0%) against the baseline ($0.05).');
    expect(text).toContain('| deepseek/deepseek-chat | 3 | 12.0k | 900 | $0.012 | $0.05 | 76.0% |');
    expect(text).toContain('Not in the cost (no known price): ollama/x.');
  });
});
