import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { event } from '../../test/helpers/events.js';
import { Ledger } from './ledger.js';
import { parseReportQuery } from './report-query.js';
import type { RequestEvent } from './request-event.js';
import { rollupFile } from './rollup-store.js';

const folders: string[] = [];
afterEach(() => {
  while (folders.length) rmSync(folders.pop() as string, { recursive: true, force: true });
});

const BY_FILE = { from: '2026-11-01', to: '2026-11-30', timeZone: 'UTC', by: 'file' as const };

/** A ledger with edits in two projects, a request that edited nothing, and one from before the field. */
function ledgerWithEdits(): { directory: string; events: RequestEvent[] } {
  const directory = mkdtempSync(join(tmpdir(), 'lodestar-files-'));
  folders.push(directory);
  const events = [
    event({ costUsd: 0.03, baselineCostUsd: 0.3, usage: { inputTokens: 3000, outputTokens: 300 }, files: [{ path: 'src/a.ts', share: 0.75 }, { path: 'src/b.ts', share: 0.25 }] }),
    event({ costUsd: 0.01, baselineCostUsd: 0.1, files: [{ path: 'src/b.ts', share: 1 }], time: '2026-11-25T09:00:00.000Z' }),
    event({ project: 'api', model: 'openai/gpt-5', costUsd: 0.02, baselineCostUsd: 0.05, files: [{ path: 'src/a.ts', share: 1 }] }),
    event({ costUsd: 0.5 }),
    event({ project: undefined, costUsd: undefined, price: undefined, files: [{ path: 'notes.md', share: 1 }] }),
  ];
  const writer = Ledger.forWriting(directory);
  for (const one of events) writer.record(one);
  writer.close();
  return { directory, events };
}

describe('report --by file', () => {
  it("gives each file its shares of the requests that edited it, keyed <project>/<path>, most expensive first; the totals are the edits', whole", () => {
    const { directory } = ledgerWithEdits();
    const report = Ledger.forReading(directory).report(BY_FILE);
    expect(report.by).toBe('file');
    expect(report.rows.map((row) => [row.key, row.requests, row.costUsd, row.baselineCostUsd])).toEqual([
      ['web/src/a.ts', 1, 0.0225, 0.225],
      ['api/src/a.ts', 1, 0.02, 0.05],
      ['web/src/b.ts', 2, 0.0175, 0.175],
      ['-/notes.md', 1, 0, 0],
    ]);
    expect(report.rows[0]).toMatchObject({ inputTokens: 2250, outputTokens: 225, savedUsd: 0.2025 });
    // The request that edited nothing is in no row and not in the totals.
    // (The unpriced request adds no baseline: savings compare like with like.)
    expect(report.totals).toMatchObject({ requests: 4, costUsd: 0.06, baselineCostUsd: 0.45, unpricedRequests: 1 });
    expect(report.rows.reduce((sum, row) => sum + row.costUsd, 0)).toBeCloseTo(report.totals.costUsd, 9);
    expect(report.flags.unpricedModels).toEqual(['deepseek/deepseek-flash']);
  });

  it('keys rows by the path alone within a project, and takes the period and the project as the other groupings do', () => {
    const { directory } = ledgerWithEdits();
    const ledger = Ledger.forReading(directory);
    const web = ledger.report({ ...BY_FILE, project: 'web' });
    expect(web.rows.map((row) => [row.key, row.costUsd])).toEqual([
      ['src/a.ts', 0.0225],
      ['src/b.ts', 0.0175],
    ]);
    expect(web.totals).toMatchObject({ requests: 2, costUsd: 0.04 });
    const day = ledger.report(parseReportQuery({ day: '2026-11-25', by: 'file', project: 'web', timezone: 'UTC' }));
    expect(day.rows.map((row) => [row.key, row.costUsd])).toEqual([['src/b.ts', 0.01]]);
    expect(ledger.report({ ...BY_FILE, project: 'nobody' })).toMatchObject({ rows: [], totals: { requests: 0, costUsd: 0 } });
  });

  it('rebuilds the per-file rollups from the JSONL when they are missing or from the version before them', () => {
    const { directory } = ledgerWithEdits();
    const before = Ledger.forReading(directory).report(BY_FILE);
    unlinkSync(rollupFile(directory, '2026-11'));
    expect(Ledger.forReading(directory).report(BY_FILE)).toEqual(before);
    // A version-3 file (no per-file buckets) saved by an older Lodestar: counted again from the ledger.
    const reader = Ledger.forReading(directory);
    reader.report(BY_FILE);
    reader.save();
    const saved = JSON.parse(readFileSync(rollupFile(directory, '2026-11'), 'utf8')) as { version: number; files: unknown[] };
    expect(saved.files.length).toBeGreaterThan(0);
    writeFileSync(rollupFile(directory, '2026-11'), JSON.stringify({ ...saved, version: 3, files: undefined }));
    expect(Ledger.forReading(directory).report(BY_FILE)).toEqual(before);
    // The other groupings are unchanged by the files.
    expect(Ledger.forReading(directory).report({ ...BY_FILE, by: 'project' }).totals.requests).toBe(5);
  });

  it('is a word of the report query', () => {
    expect(parseReportQuery({ by: 'file' }, new Date('2026-11-24T12:00:00Z'), 'UTC')).toMatchObject({ by: 'file', from: '2026-11-01', to: '2026-11-30' });
  });
});
