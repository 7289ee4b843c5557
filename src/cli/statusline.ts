import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isatty } from 'node:tty';
import { lodestarPaths, lodestarHome } from '../config/paths.js';
import { sessionEvents, summarizeSession, type LedgerMark } from '../ledger/session.js';
import { inspectDaemon } from '../shared/daemon-state.js';
import { formatMoney, formatTokens } from '../shared/format.js';

export interface StatusLineOptions {
  /** The session of `lodestar claude`; else the one in Claude Code's JSON (session_id). */
  session?: string;
  /** Where the ledger's month files ended when the session began: "2026-12:1234,..." or "start". */
  since?: string;
}

/**
 * Claude Code's status line (`lodestar claude` sets it): the session's real spend, read from the
 * ledger itself (from where the session began, so it stays quick however big the month), its
 * tokens and requests, the model that served last, and what is left of the nearest budget.
 * The daemon down or anything amiss: an empty line, never an error (Claude Code shows stderr).
 * Light on purpose: `bin/lodestar` loads this module without the rest of the CLI.
 */
export function statusLine(options: StatusLineOptions, stdin: string, env: NodeJS.ProcessEnv = process.env): string {
  const paths = lodestarPaths(lodestarHome(env));
  const daemon = inspectDaemon(paths.daemonState);
  if (daemon.kind !== 'alive') return '';
  const session = options.session ?? sessionOf(stdin);
  if (!session) return '';
  const events = sessionEvents(paths.ledger, session, parseSince(options.since));
  const summary = summarizeSession(events);
  const budget = nearestBudget(paths.home);
  const parts = [`Lodestar ${formatMoney(summary.costUsd)}${summary.unpriced ? ` + ${summary.unpriced} unpriced` : ''}`, `${summary.requests} requests`, `${formatTokens(summary.inputTokens + summary.outputTokens)} tokens`];
  const last = events.findLast((event) => event.model !== undefined && event.status === 'ok')?.model;
  if (last) parts.push(`last ${last}`);
  if (budget) parts.push(budget);
  // A model name or budget scope is data: no control characters on Claude Code's screen.
  return parts.join(' · ').replace(/[\x00-\x1f\x7f]/g, '');
}

function sessionOf(stdin: string): string | undefined {
  try {
    const id = (JSON.parse(stdin) as { session_id?: unknown }).session_id;
    return typeof id === 'string' && /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

function parseSince(since: string | undefined): LedgerMark {
  const mark: LedgerMark = {};
  if (!since || since === 'start') return mark;
  for (const part of since.split(',')) {
    const [month, offset] = part.split(':');
    if (month && /^\d{4}-\d{2}$/.test(month) && /^\d+$/.test(offset ?? '')) mark[month] = Number(offset);
  }
  return mark;
}

/**
 * "$17.88 left of $20 this month" for the budget nearest its limit, from the status file the
 * daemon keeps (status-file.ts): a file read, where asking the daemon over HTTP cost this
 * command a fifth of its time. Undefined without a budget or the file.
 */
function nearestBudget(home: string): string | undefined {
  try {
    const budgets = (JSON.parse(readFileSync(join(home, 'status.json'), 'utf8')) as { budgets?: Array<{ limitUsd: number; spentUsd: number; percent: number; period: string; scope: string }> }).budgets ?? [];
    const nearest = [...budgets].sort((a, b) => b.percent - a.percent)[0];
    if (!nearest) return undefined;
    const left = Math.max(0, nearest.limitUsd - nearest.spentUsd);
    return `${formatMoney(left)} left of ${formatMoney(nearest.limitUsd)} ${nearest.period === 'monthly' ? 'this month' : 'today'}${nearest.scope === 'all' ? '' : ` (${nearest.scope})`}`;
  } catch {
    return undefined;
  }
}

/** `lodestar statusline [--session S] [--since M]`, without the CLI around it: reads stdin, prints one line. */
export async function runStatusLine(argv: readonly string[]): Promise<void> {
  const value = (name: string): string | undefined => {
    const index = argv.indexOf(name);
    return index === -1 ? undefined : argv[index + 1];
  };
  // Claude Code writes its JSON and closes stdin: one read to the end, no stream to set up.
  const stdin = isatty(0) ? '' : readStdin();
  let line = '';
  try {
    line = statusLine({ session: value('--session'), since: value('--since') }, stdin);
  } catch {
    line = '';
  }
  process.stdout.write(`${line}\n`);
}

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return '';
  }
}
