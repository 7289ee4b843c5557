import type { Command } from 'commander';
import { UsageError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { callServer, serverTarget, type ServerTarget } from '../server-client.js';
import { registerAdminBudget } from './admin-budget.js';
import { registerAdminReport } from './admin-report.js';
import { registerAdminRouting } from './admin-routing.js';

export interface Common {
  server?: string;
  adminKey?: string;
  json?: boolean;
}

const HELP = `
Talks to a team server's admin API (\`lodestar server\`) over HTTP.
  --server URL     or LODESTAR_SERVER     (e.g. https://lodestar.example.com)
  --admin-key KEY  or LODESTAR_ADMIN_KEY  (lsa_...; printed once by the server at its first start; never printed here)

Examples:
  lodestar admin team add platform --monthly 500 --hard --models claude-sonnet-4-5,gpt-5-mini
  lodestar admin user add ana@example.com --team platform --monthly 50 --rpm 60
  lodestar admin user list --json
  lodestar admin key revoke 6f1c...-...
  lodestar admin budget set --team platform --monthly 800 --hard
  lodestar admin budget set --user ana@example.com --monthly none --rpm 120
  lodestar admin report --by user --month 2026-12 --csv

Exit status: 0 done, 1 the server refused or could not be reached, 2 bad usage.
Not yet: audit, compliance, sla, backup, restore.
`;

/** Adds the flags every admin command takes, so they may come before or after the subcommand. */
export function common(command: Command): Command {
  return command
    .option('--server <url>', 'the team server (default: LODESTAR_SERVER)')
    .option('--admin-key <key>', 'an admin key, lsa_... (default: LODESTAR_ADMIN_KEY)')
    .option('--json', 'print JSON only');
}

export function registerAdmin(program: Command, context: CliContext): void {
  const admin = common(program.command('admin').description('manage a team server: teams, users, keys').addHelpText('after', HELP));
  const team = admin.command('team').description('teams');
  const user = admin.command('user').description('users and their keys');
  const key = admin.command('key').description('user keys');
  const run = (work: AdminWork) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals<Common>();
      await work(serverTarget(options, context.env), options, command.args);
    };
  const { output } = context;

  common(team.command('add <name>').description('add a team'))
    .option('--monthly <usd>', 'monthly budget in USD')
    .option('--daily <usd>', 'daily budget in USD')
    .option('--hard', 'a hard budget: refused when spent')
    .option('--soft', 'a soft budget: warned when spent (the default)')
    .option('--models <list>', 'comma-separated models the team may use (default: every model)')
    .action(
      run(async (target, options, [name]) => {
        const flags = options as Common & { monthly?: string; daily?: string; hard?: boolean; soft?: boolean; models?: string };
        if (flags.hard && flags.soft) throw new UsageError('give --hard or --soft, not both');
        const body: Record<string, unknown> = { name };
        if (flags.monthly !== undefined) body.monthlyUsd = usd(flags.monthly, '--monthly');
        if (flags.daily !== undefined) body.dailyUsd = usd(flags.daily, '--daily');
        body.mode = flags.hard ? 'hard' : 'soft';
        if (flags.models !== undefined) body.models = flags.models.split(',').map((model) => model.trim()).filter(Boolean);
        const answer = await callServer(target, 'POST', '/admin/teams', body);
        if (options.json) return output.json(answer.team);
        const made = answer.team as { id: string; name: string; monthlyBudgetUsd?: number; dailyBudgetUsd?: number; budgetMode: string; allowedModels?: string[] };
        output.line(`Team ${made.name} added (id ${made.id}).`);
        output.line(`  budget: ${money(made.monthlyBudgetUsd)} a month, ${money(made.dailyBudgetUsd)} a day, ${made.budgetMode}`);
        output.line(`  models: ${made.allowedModels?.join(', ') ?? 'every model'}`);
      }),
    );

  common(user.command('add <email>').description("add a user and make their first key (shown once)"))
    .requiredOption('--team <team>', "the user's team (name or id)")
    .option('--monthly <usd>', 'monthly budget in USD')
    .option('--rpm <n>', 'requests per minute at most')
    .option('--tpm <n>', 'tokens per minute at most')
    .action(
      run(async (target, options, [email]) => {
        const flags = options as Common & { team: string; monthly?: string; rpm?: string; tpm?: string };
        const body: Record<string, unknown> = { email, team: flags.team };
        if (flags.monthly !== undefined) body.monthlyUsd = usd(flags.monthly, '--monthly');
        if (flags.rpm !== undefined) body.rpm = whole(flags.rpm, '--rpm');
        if (flags.tpm !== undefined) body.tpm = whole(flags.tpm, '--tpm');
        const answer = await callServer(target, 'POST', '/admin/users', body);
        if (options.json) return output.json({ id: answer.id, key: answer.key, user: answer.user, team: answer.team });
        const made = answer.user as { id: string; email: string };
        output.line(`User ${made.email} added to team ${(answer.team as { name: string }).name} (user id ${made.id}, key id ${String(answer.id)}).`);
        output.line(`Key: ${String(answer.key)}`);
        output.line('This key will not be shown again: give it to its user now (the server keeps only its hash).');
      }),
    );

  common(user.command('list').description('every user, their team, limits and keys')).action(
    run(async (target, options) => {
      const answer = await callServer(target, 'GET', '/admin/users');
      const users = answer.users as Array<{ user: { email: string; monthlyBudgetUsd?: number; rpm?: number; tpm?: number }; team: { name: string }; keys: Array<{ id: string; prefix: string; revokedAt?: string }> }>;
      if (options.json) return output.json(users);
      if (users.length === 0) return output.line('No users yet: lodestar admin user add EMAIL --team TEAM');
      for (const { user: member, team: group, keys } of users) {
        const limits = [`${money(member.monthlyBudgetUsd)} a month`, member.rpm ? `${member.rpm} rpm` : undefined, member.tpm ? `${member.tpm} tpm` : undefined].filter(Boolean).join(', ');
        output.line(`${member.email}  team ${group.name}  ${limits}`);
        for (const entry of keys) output.line(`  key ${entry.prefix}...  id ${entry.id}${entry.revokedAt ? `  revoked ${entry.revokedAt}` : ''}`);
      }
    }),
  );

  common(key.command('revoke <id>').description('revoke a key, on every instance within a second')).action(
    run(async (target, options, [id]) => {
      const answer = await callServer(target, 'POST', `/admin/keys/${encodeURIComponent(String(id))}/revoke`);
      if (options.json) return output.json(answer.key);
      const revoked = answer.key as { id: string; prefix: string; revokedAt: string };
      output.line(`Key ${revoked.prefix}... (id ${revoked.id}) revoked at ${revoked.revokedAt}.`);
    }),
  );

  registerAdminRouting(team, context, { flags: common, run });
  registerAdminBudget(admin, context, { flags: common, run });
  registerAdminReport(admin, context, { flags: common, run });
}

/** What an admin command does, given the server to call, its flags (with the admin command's own) and its arguments. */
export type AdminWork = (target: ServerTarget, options: Common, positional: string[]) => Promise<void>;

export function usd(text: string, flag: string): number {
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(value)) throw new UsageError(`${flag} must be an amount of USD, 0 or more (got ${JSON.stringify(text)})`);
  return value;
}

export function whole(text: string, flag: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text.trim())) throw new UsageError(`${flag} must be a whole number, 1 or more (got ${JSON.stringify(text)})`);
  return Number(text);
}

export function money(value: number | undefined): string {
  return value === undefined || value === null ? 'no limit' : `$${value.toFixed(2)}`;
}
