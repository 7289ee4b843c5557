import { readlinkSync } from 'node:fs';
import { GROUPS, isValidTimeZone, lastDayOfMonth, today, type GroupBy, type ReportQuery } from './report.js';

/** The words of `lodestar report` and of GET /api/usage (INTERFACE.md: the same words). */
export interface ReportWords {
  /** true (the flag alone) means this month. */
  month?: string | boolean;
  day?: string | boolean;
  since?: string;
  until?: string;
  project?: string;
  by?: string;
  timezone?: string;
}

/** A report word that is wrong; the CLI exits 2 with it, the daemon answers 400. */
export class ReportQueryError extends Error {
  readonly word: string;
  constructor(word: string, message: string) {
    super(message);
    this.word = word;
  }
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
const DAY = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * The system's time zone: TZ, else the zone /etc/localtime points to, else what Intl says.
 * Asking Intl first would load ICU's data (~8 MB) into a daemon that may never need it.
 */
export function defaultTimeZone(): string {
  const fromEnvironment = process.env.TZ?.replace(/^:/, '');
  if (fromEnvironment && isValidTimeZone(fromEnvironment)) return fromEnvironment;
  try {
    const target = readlinkSync('/etc/localtime');
    const zone = /zoneinfo\/(.+)$/.exec(target)?.[1];
    if (zone) return zone;
  } catch {
    // not a symlink here (or not Linux)
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Turns report words into a query: this month in the user's time zone unless told otherwise. */
export function parseReportQuery(words: ReportWords, now: Date = new Date(), fallbackTimeZone = defaultTimeZone()): ReportQuery {
  const timeZone = words.timezone ?? fallbackTimeZone;
  if (!isValidTimeZone(timeZone)) throw new ReportQueryError('timezone', `--timezone ${JSON.stringify(timeZone)} is not a time zone: use an IANA name such as Europe/Paris or UTC`);
  const by = (words.by ?? 'model') as GroupBy;
  if (!GROUPS.includes(by)) throw new ReportQueryError('by', `--by must be one of ${GROUPS.join(', ')}, got ${JSON.stringify(words.by)}`);
  const current = today(timeZone, now);
  const chosen = [words.month !== undefined && words.month !== false, words.day !== undefined && words.day !== false, words.since !== undefined || words.until !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new ReportQueryError('period', 'choose one period: --month, --day, or --since/--until');

  let from: string;
  let to: string;
  if (words.day !== undefined && words.day !== false) {
    const day = words.day === true ? current : words.day;
    if (!DAY.test(day)) throw new ReportQueryError('day', `--day must be a date like 2026-11-24, got ${JSON.stringify(day)}`);
    from = to = day;
  } else if (words.since !== undefined || words.until !== undefined) {
    const since = words.since;
    const until = words.until ?? current;
    if (since !== undefined && !DAY.test(since)) throw new ReportQueryError('since', `--since must be a date like 2026-11-01, got ${JSON.stringify(since)}`);
    if (!DAY.test(until)) throw new ReportQueryError('until', `--until must be a date like 2026-11-30, got ${JSON.stringify(until)}`);
    from = since ?? `${until.slice(0, 7)}-01`;
    to = until;
    if (from > to) throw new ReportQueryError('since', `--since ${from} is after --until ${to}`);
  } else {
    const month = words.month === undefined || words.month === true || words.month === false ? current.slice(0, 7) : words.month;
    if (!MONTH.test(month)) throw new ReportQueryError('month', `--month must be a month like 2026-11, got ${JSON.stringify(month)}`);
    from = `${month}-01`;
    to = lastDayOfMonth(month);
  }
  return { from, to, timeZone, by, ...(words.project ? { project: words.project } : {}) };
}
