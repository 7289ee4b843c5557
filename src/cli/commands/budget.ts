import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parseJsonc } from '../../config/jsonc.js';
import { loadConfig, validateConfigFile, type LoadedConfig } from '../../config/load.js';
import { BudgetTracker, type BudgetStatus } from '../../ledger/budgets.js';
import { Ledger } from '../../ledger/ledger.js';
import { defaultTimeZone } from '../../ledger/report-query.js';
import { ConfigError, LodestarError, UsageError, errorCode } from '../../shared/errors.js';
import { writeFileAtomic } from '../../shared/files.js';
import { readToken } from '../../shared/token.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { findDaemon } from '../daemon-control.js';
import { formatMoney } from '../../shared/format.js';
import { renderTable } from '../output/table.js';

interface SetOptions {
  monthly?: string;
  daily?: string;
  project?: string;
  hard?: boolean;
  soft?: boolean;
}

export function registerBudget(program: Command, context: CliContext): void {
  const budget = program
    .command('budget')
    .description('budgets and where each stands (`budget set` to change them)')
    .option('--json', 'print JSON only')
    .action(async (options: { json?: boolean }) => {
      const report = await budgetReport(context.config());
      if (options.json) context.output.json(report);
      else for (const line of describe(report.budgets)) context.output.line(line);
    });

  budget
    .command('set')
    .description('set monthly and daily budgets in USD, for all spend or one project; "none" removes one')
    .option('--monthly <usd>', 'the monthly limit in USD (0 allows only free local models; "none" removes it)')
    .option('--daily <usd>', 'the daily limit in USD')
    .option('--project <name>', 'for this project only')
    .option('--hard', 'block paid models once reached (a free local model serves if it can)')
    .option('--soft', 'only alert (the default)')
    .action(async (options: SetOptions) => {
      const loaded = context.config();
      const changes = setBudgets(loaded, options);
      const daemon = findDaemon(loaded.paths);
      if (daemon.kind === 'alive') {
        const reply = await callDaemon(daemon.state, '/api/budget/reload', { method: 'POST', token: readToken(loaded.paths.token) });
        if (reply.status !== 200) context.output.note(`The daemon could not reload its budgets (HTTP ${reply.status}); restart it: lodestar stop && lodestar start`);
      }
      for (const line of changes) context.output.line(line);
    });
}

export async function budgetReport(loaded: LoadedConfig): Promise<{ timeZone: string; budgets: BudgetStatus[] }> {
  const daemon = findDaemon(loaded.paths);
  if (daemon.kind === 'alive') {
    try {
      const reply = await callDaemon(daemon.state, '/api/budget', { token: readToken(loaded.paths.token) });
      if (reply.status === 200) return reply.body as { timeZone: string; budgets: BudgetStatus[] };
    } catch {
      // not answering: read the ledger ourselves
    }
  }
  const timeZone = loaded.config.timezone ?? defaultTimeZone();
  const tracker = new BudgetTracker({
    config: loaded.config.budgets,
    timeZone,
    ledger: Ledger.forReading(loaded.paths.ledger),
    statePath: join(loaded.paths.ledger, 'budget-alerts.json'),
  });
  return { timeZone, budgets: tracker.status() };
}

function describe(budgets: readonly BudgetStatus[]): string[] {
  if (!budgets.length) return ['No budgets set. Set one: lodestar budget set --monthly 20 --hard'];
  const rows = budgets.map((budget) => [
    budget.scope === 'all' ? 'all projects' : budget.scope,
    `${budget.period} ${budget.periodKey}`,
    budget.mode,
    formatMoney(budget.limitUsd),
    formatMoney(budget.spentUsd),
    budget.reservedUsd ? formatMoney(budget.reservedUsd) : '',
    Number.isFinite(budget.percent) ? `${budget.percent.toFixed(1)}%` : 'over',
    budget.reached ? (budget.mode === 'hard' ? 'reached: paid models blocked' : 'reached') : budget.alertsFired.length ? `alerted at ${budget.alertsFired.join(', ')}%` : '',
  ]);
  return [
    renderTable(
      [{ header: 'budget' }, { header: 'period' }, { header: 'mode' }, { header: 'limit', align: 'right' }, { header: 'spent', align: 'right' }, { header: 'in flight', align: 'right' }, { header: 'used', align: 'right' }, { header: 'state', flexible: true }],
      rows,
      160,
    ),
  ];
}

/** One line for `lodestar status`: the budget nearest its limit. */
export function budgetSummary(budgets: readonly BudgetStatus[]): string | undefined {
  const nearest = [...budgets].sort((a, b) => b.percent - a.percent)[0];
  if (!nearest) return undefined;
  const whose = nearest.scope === 'all' ? '' : ` (project ${nearest.scope})`;
  const used = Number.isFinite(nearest.percent) ? `${nearest.percent.toFixed(1)}%` : 'over';
  return `Budget: ${formatMoney(nearest.spentUsd)} of ${formatMoney(nearest.limitUsd)} ${nearest.period === 'monthly' ? 'this month' : 'today'}${whose}, ${used}, ${nearest.mode}${nearest.reached && nearest.mode === 'hard' ? ': paid models blocked' : ''}.`;
}

function parseLimit(flag: string, value: string | undefined): number | null | undefined {
  if (value === undefined) return undefined;
  if (value === 'none') return null;
  if (!/^\d+(\.\d+)?$/.test(value)) throw new UsageError(`${flag} must be an amount in USD like 20 or 12.50, or "none", got ${JSON.stringify(value)}`);
  return Number(value);
}

/** Changes the budgets in $LODESTAR_HOME/config.json (kept at mode 0600) and says what changed. */
function setBudgets(loaded: LoadedConfig, options: SetOptions): string[] {
  const monthly = parseLimit('--monthly', options.monthly);
  const daily = parseLimit('--daily', options.daily);
  if (monthly === undefined && daily === undefined) throw new UsageError('say what to set: --monthly USD and/or --daily USD');
  if (options.hard && options.soft) throw new UsageError('choose one of --hard and --soft');
  if (options.project !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(options.project)) {
    throw new UsageError(`--project must be 1-64 letters, digits, ".", "_" or "-", got ${JSON.stringify(options.project)}`);
  }
  const path = loaded.paths.config;
  let raw: Record<string, unknown> = {};
  try {
    raw = parseJsonc(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw new ConfigError(path, undefined, error instanceof Error ? error.message : String(error));
  }
  const budgets = (raw.budgets ??= {}) as Record<string, unknown>;
  let target: Record<string, unknown> = budgets;
  if (options.project) {
    const projects = (budgets.projects ??= {}) as Record<string, Record<string, unknown>>;
    target = projects[options.project] ??= {};
  }
  const lines: string[] = [];
  const scope = options.project ? `project ${options.project}'s` : 'the';
  for (const [period, limit] of [['monthly', monthly], ['daily', daily]] as const) {
    if (limit === undefined) continue;
    if (limit === null) {
      delete target[period];
      lines.push(`Removed ${scope} ${period} budget.`);
      continue;
    }
    const previous = target[period] as { mode?: 'hard' | 'soft' } | undefined;
    const mode = options.hard ? 'hard' : options.soft ? 'soft' : (previous?.mode ?? 'soft');
    target[period] = { limitUsd: limit, mode };
    lines.push(
      `Set ${scope} ${period} budget to ${formatMoney(limit)} (${mode}): ${mode === 'hard' ? 'paid models are blocked once it is reached; free local models still serve' : 'alerts at 50, 80 and 100%, nothing blocked'}.`,
    );
  }
  validateConfigFile(path, raw);
  writeFileAtomic(path, `${JSON.stringify(raw, null, 2)}\n`);
  // What was written must load: the same checks every command runs.
  loadConfig({ env: { ...process.env, LODESTAR_HOME: loaded.paths.home }, includeProject: false });
  if (!lines.length) throw new LodestarError('nothing changed');
  return lines;
}
