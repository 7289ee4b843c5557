import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { event } from '../../test/helpers/events.js';
import { ledgerLine } from './ledger-writer.js';
import { markLedger, sessionEvents, summarizeSession } from './session.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function ledgerDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lodestar-session-'));
  dirs.push(dir);
  return dir;
}

describe('a session in the ledger', () => {
  it("reads only what came after the mark, only this session's lines, a new month whole, and skips a torn line", () => {
    const dir = ledgerDir();
    writeFileSync(join(dir, '2026-10.jsonl'), ledgerLine(event({ session: 's1', time: '2026-10-31T23:00:00.000Z' })));
    writeFileSync(join(dir, '2026-11.jsonl'), ledgerLine(event({ session: 's1', costUsd: 5 })));
    const mark = markLedger(dir);
    appendFileSync(join(dir, '2026-11.jsonl'), ledgerLine(event({ session: 's1', costUsd: 0.25, baselineCostUsd: 1, model: 'deepseek/deepseek-flash' })));
    appendFileSync(join(dir, '2026-11.jsonl'), ledgerLine(event({ session: 'other', costUsd: 7 })));
    appendFileSync(join(dir, '2026-11.jsonl'), '{"v":1,"session":"s1","tor');
    appendFileSync(join(dir, '2026-11.jsonl'), '\n');
    writeFileSync(join(dir, '2026-12.jsonl'), ledgerLine(event({ session: 's1', costUsd: undefined, baselineCostUsd: 2, model: 'openrouter/some-new-model', usage: { inputTokens: 10, outputTokens: 1 } })));
    const events = sessionEvents(dir, 's1', mark);
    expect(events.map((entry) => entry.model)).toEqual(['deepseek/deepseek-flash', 'openrouter/some-new-model']);
    const summary = summarizeSession(events);
    expect(summary).toMatchObject({ requests: 2, costUsd: 0.25, baselineCostUsd: 1, savedUsd: 0.75, unpriced: 1, inputTokens: 1010, outputTokens: 101 });
    expect(summary.byModel.map((row) => [row.model, row.costUsd, row.unpriced])).toEqual([
      ['deepseek/deepseek-flash', 0.25, 0],
      ['openrouter/some-new-model', 0, 1],
    ]);
  });

  it('is empty for a session with no requests, and with no ledger at all', () => {
    const dir = ledgerDir();
    expect(sessionEvents(dir, 'nothing', markLedger(dir))).toEqual([]);
    expect(summarizeSession([])).toMatchObject({ requests: 0, costUsd: 0, byModel: [] });
    expect(sessionEvents(join(dir, 'missing'), 'nothing', {})).toEqual([]);
  });
});
