import type { Command } from 'commander';
import { UsageError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { callServer } from '../server-client.js';
import { money, usd, whole, type AdminWork, type Common } from './admin.js';

interface BudgetFlags extends Common {
  team?: string;
  user?: string;
  monthly?: string;
  daily?: string;
  hard?: boolean;
  soft?: boolean;
  rpm?: string;
  tpm?: string;
}

interface Limits {
  monthlyBudgetUsd?: number;
  dailyBudgetUsd?: number;
  budgetMode?: string;
  rpm?: number;
  tpm?: number;
}

interface BudgetAnswer {
  team: Limits & { id: string; name: string; budgetMode: string };
  user?: Limits & { id: string; email: string };
  changes: Record<string, { from: number | string | null; to: number | string | null }>;
}

const HELP = `
Changes only what its flags name; the rest stays. "none" removes a limit (--monthly none).
The new limits apply to each request from the next one on, on every instance within a second.

Examples:
  lodestar admin budget set --team platform --monthly 800 --daily 60 --hard
  lodestar admin budget set --user ana@example.com --monthly 50 --rpm 120 --tpm none
`;

/** `lodestar admin budget set`: a team's or a user's budgets and limits (POST /admin/budgets). */
export function registerAdminBudget(admin: Command, context: CliContext, helpers: { flags: (command: Command) => Command; run: (work: AdminWork) => (...args: unknown[]) => Promise<void> }): void {
  const { output } = context;
  const budget = admin.command('budget').description("teams' and users' budgets and limits");
  helpers
    .flags(budget.command('set').description("set a team's or a user's budgets and limits").addHelpText('after', HELP))
    .option('--team <name>', 'the team (its name or id)')
    .option('--user <email>', 'the user (their email or id)')
    .option('--monthly <usd>', 'monthly budget in USD, or none')
    .option('--daily <usd>', 'daily budget in USD, or none')
    .option('--hard', 'a hard budget: refused when spent')
    .option('--soft', 'a soft budget: warned when spent')
    .option('--rpm <n>', "requests per minute at most, or none (a user's only)")
    .option('--tpm <n>', "tokens per minute at most, or none (a user's only)")
    .action(
      helpers.run(async (target, options) => {
        const answer = (await callServer(target, 'POST', '/admin/budgets', budgetBody(options as BudgetFlags))) as unknown as BudgetAnswer;
        if (options.json) return output.json(answer);
        for (const line of describeBudget(answer)) output.line(line);
      }),
    );
}

/** The flags as POST /admin/budgets's body; a wrong one is a usage error naming it. */
export function budgetBody(flags: BudgetFlags): Record<string, unknown> {
  if ((flags.team === undefined) === (flags.user === undefined)) throw new UsageError('give --team NAME or --user EMAIL: whose budget to set (one of them)');
  if (flags.hard && flags.soft) throw new UsageError('give --hard or --soft, not both');
  const body: Record<string, unknown> = flags.team !== undefined ? { team: flags.team } : { user: flags.user };
  if (flags.monthly !== undefined) body.monthlyUsd = orNone(flags.monthly, (text) => usd(text, '--monthly'));
  if (flags.daily !== undefined) body.dailyUsd = orNone(flags.daily, (text) => usd(text, '--daily'));
  if (flags.hard || flags.soft) body.mode = flags.hard ? 'hard' : 'soft';
  for (const flag of ['rpm', 'tpm'] as const) {
    if (flags[flag] === undefined) continue;
    if (flags.team !== undefined) throw new UsageError(`--${flag} is a user's limit, not a team's: give it with --user`);
    body[flag] = orNone(flags[flag] as string, (text) => whole(text, `--${flag}`));
  }
  if (Object.keys(body).length === 1) throw new UsageError('nothing to set: give --monthly, --daily, --hard or --soft, --rpm or --tpm');
  return body;
}

function orNone(text: string, parse: (text: string) => number): number | null {
  return text.trim().toLowerCase() === 'none' ? null : parse(text);
}

function describeBudget(answer: BudgetAnswer): string[] {
  const { team, user } = answer;
  const limits = (of: Limits) => `${money(of.monthlyBudgetUsd)} a month, ${money(of.dailyBudgetUsd)} a day`;
  const lines = user
    ? [
        `User ${user.email} (team ${team.name}): ${limits(user)}, ${user.budgetMode ?? `the team's mode (${team.budgetMode})`}` +
          `, ${user.rpm ? `${user.rpm} rpm` : 'no rpm limit'}, ${user.tpm ? `${user.tpm} tpm` : 'no tpm limit'}.`,
      ]
    : [`Team ${team.name}: ${limits(team)}, ${team.budgetMode}.`];
  const shown = (field: string, value: number | string | null) => (value === null ? (field === 'mode' ? "the team's" : 'none') : field.endsWith('Usd') ? money(value as number) : String(value));
  const changes = Object.entries(answer.changes).map(([field, change]) => `${field} ${shown(field, change.from)} -> ${shown(field, change.to)}`);
  if (changes.length) lines.push(`Changed: ${changes.join(', ')}.`);
  return lines;
}
