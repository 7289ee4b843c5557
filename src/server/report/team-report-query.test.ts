import { describe, expect, it } from 'vitest';
import { ReportQueryError } from '../../ledger/report-query.js';
import { teamReportQuery } from './team-report-query.js';

const NOW = new Date('2026-12-07T23:30:00Z');
const query = (search: string, timeZone = 'UTC') => teamReportQuery(new URLSearchParams(search), timeZone, NOW);

function refusal(search: string): ReportQueryError {
  try {
    query(search);
  } catch (error) {
    expect(error).toBeInstanceOf(ReportQueryError);
    return error as ReportQueryError;
  }
  throw new Error(`expected ${search} to be refused`);
}

describe("GET /admin/report's words", () => {
  it("by user over this month in the server's time zone unless told otherwise", () => {
    expect(query('')).toEqual({ from: '2026-12-01', to: '2026-12-31', timeZone: 'UTC', by: 'user' });
    // Already the 8th in Tokyo, whose month it still is.
    expect(query('day', 'Asia/Tokyo')).toEqual({ from: '2026-12-08', to: '2026-12-08', timeZone: 'Asia/Tokyo', by: 'user' });
    expect(query('month=&by=tool')).toMatchObject({ from: '2026-12-01', to: '2026-12-31', by: 'tool' });
  });

  it('takes the words of the local report: month, day, since/until, project, timezone', () => {
    expect(query('by=team&month=2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28', timeZone: 'UTC', by: 'team' });
    expect(query('by=day&since=2026-11-20&until=2026-12-03&timezone=Europe/Paris&project=web')).toEqual({ from: '2026-11-20', to: '2026-12-03', timeZone: 'Europe/Paris', by: 'day', project: 'web' });
  });

  it.each([
    ['by=nope', 'by'],
    ['month=2026-13', 'month'],
    ['day=2026-02-30', 'day'],
    ['since=2026-04-31', 'since'],
    ['until=2026-12-32', 'until'],
    ['since=2026-12-05&until=2026-12-01', 'since'],
    ['month=2026-12&day=2026-12-01', 'period'],
    ['timezone=Mars/Olympus', 'timezone'],
    ['project=', 'project'],
    ['from=2026-12-01', 'from'],
    ['by=user&by=team', 'by'],
  ])('%s is refused, naming %s', (search, word) => {
    expect(refusal(search).word).toBe(word);
  });
});
