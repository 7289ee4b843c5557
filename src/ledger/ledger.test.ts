import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger } from './ledger.js';
import { ledgerFile } from './ledger-writer.js';
import { event } from '../../test/helpers/events.js';
import { rollupFile } from './rollup-store.js';

const folders: string[] = [];
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'lodestar-ledger-'));
  folders.push(path);
  return path;
}
afterEach(() => {
  while (folders.length) rmSync(folders.pop() as string, { recursive: true, force: true });
});

const QUERY = { from: '2026-11-01', to: '2026-11-30', timeZone: 'UTC', by: 'model' as const };

describe('Ledger', () => {
  it('appends one line per event, at mode 0600, and reports them from rollups', () => {
    const directory = folder();
    const ledger = Ledger.forWriting(directory);
    ledger.record(event());
    ledger.record(event({ model: 'ollama/qwen2.5-coder:3b', provider: 'ollama', costUsd: 0, baselineCostUsd: 0.02 }));
    const lines = readFileSync(ledgerFile(directory, '2026-11'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ v: 1, model: 'deepseek/deepseek-flash' });
    expect(statSync(ledgerFile(directory, '2026-11')).mode & 0o777).toBe(0o600);
    const report = ledger.report(QUERY);
    expect(report.totals).toMatchObject({ requests: 2, inputTokens: 2000, cachedInputTokens: 400, outputTokens: 200, costUsd: 0.001, baselineCostUsd: 0.03, savedUsd: 0.029 });
    ledger.close();
    expect(statSync(rollupFile(directory, '2026-11')).mode & 0o777).toBe(0o600);
  });

  it('rebuilds missing rollups from the JSONL, and a reader sees what the writer wrote', () => {
    const directory = folder();
    const writer = Ledger.forWriting(directory);
    for (let index = 0; index < 50; index++) writer.record(event({ time: `2026-11-${String(1 + (index % 28)).padStart(2, '0')}T12:00:00.000Z` }));
    writer.close();
    const before = Ledger.forReading(directory).report(QUERY);
    unlinkSync(rollupFile(directory, '2026-11'));
    const rebuilt = Ledger.forReading(directory).report(QUERY);
    expect(rebuilt).toEqual(before);
    expect(rebuilt.totals.requests).toBe(50);
  });

  it('catches stale rollups up without counting anything twice', () => {
    const directory = folder();
    const writer = Ledger.forWriting(directory);
    for (let index = 0; index < 10; index++) writer.record(event());
    writer.save();
    // A crash after more events were written but before the rollups were saved again.
    for (let index = 0; index < 7; index++) writer.record(event());
    writer.close = () => undefined;
    const reader = Ledger.forReading(directory);
    expect(reader.report(QUERY).totals.requests).toBe(17);
    reader.save();
    expect(Ledger.forReading(directory).report(QUERY).totals.requests).toBe(17);
  });

  it('survives a line torn by a crash: counted as unreadable, never merged with the next', () => {
    const directory = folder();
    const first = Ledger.forWriting(directory);
    first.record(event());
    first.close();
    appendFileSync(ledgerFile(directory, '2026-11'), '{"v":1,"id":"torn","time":"2026-11-24T10:0');
    const second = Ledger.forWriting(directory);
    second.record(event());
    second.close();
    const reader = Ledger.forReading(directory);
    expect(reader.report(QUERY).totals.requests).toBe(2);
    expect(reader.corruptLines(['2026-11'])).toBe(1);
    unlinkSync(rollupFile(directory, '2026-11'));
    expect(Ledger.forReading(directory).report(QUERY).totals.requests).toBe(2);
  });

  it('starts over when the ledger is shorter than what the rollups counted (replaced)', () => {
    const directory = folder();
    const writer = Ledger.forWriting(directory);
    for (let index = 0; index < 5; index++) writer.record(event());
    writer.close();
    const path = ledgerFile(directory, '2026-11');
    const firstLine = readFileSync(path, 'utf8').split('\n')[0];
    truncateSync(path, 0);
    writeFileSync(path, `${firstLine}\n`);
    expect(Ledger.forReading(directory).report(QUERY).totals.requests).toBe(1);
  });

  it('ignores rollups written by another version', () => {
    const directory = folder();
    const writer = Ledger.forWriting(directory);
    writer.record(event());
    writer.close();
    writeFileSync(rollupFile(directory, '2026-11'), JSON.stringify({ version: 0, metrics: [], offset: 999, corruptLines: 0, buckets: [] }));
    expect(Ledger.forReading(directory).report(QUERY).totals.requests).toBe(1);
  });

  it('keeps months apart and reports a period across them', () => {
    const directory = folder();
    const writer = Ledger.forWriting(directory);
    writer.record(event({ time: '2026-10-31T23:30:00.000Z' }));
    writer.record(event({ time: '2026-11-01T00:30:00.000Z' }));
    writer.close();
    const reader = Ledger.forReading(directory);
    expect(reader.report(QUERY).totals.requests).toBe(1);
    // 23:30 UTC on Oct 31 is Nov 1 in Tokyo.
    expect(reader.report({ ...QUERY, timeZone: 'Asia/Tokyo' }).totals.requests).toBe(2);
    expect(reader.report({ ...QUERY, from: '2026-10-01', to: '2026-11-30' }).totals.requests).toBe(2);
  });
});
