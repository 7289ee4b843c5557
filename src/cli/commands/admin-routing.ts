import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { errorMessage, UsageError } from '../../shared/errors.js';
import { applyMergePatch } from '../../shared/merge-patch.js';
import type { CliContext } from '../context.js';
import { callServer } from '../server-client.js';
import type { AdminWork } from './admin.js';

interface SetFlags {
  prefer?: string;
  forbid?: string;
  floor?: string[];
  taskModel?: string[];
  claude?: string[];
  models?: string;
  allModels?: boolean;
  projectOverrides?: boolean;
  freeWhenOverBudget?: boolean;
  routingFile?: string;
}

interface RoutingAnswer {
  team: { id: string; name: string };
  routing: Record<string, unknown> & { projectOverrides: boolean; freeWhenOverBudget: boolean };
  updatedAt: string | null;
  updatedBy: string | null;
  changed?: string[];
}

const SET_HELP = `
Changes only what its flags name (the server merges them: a JSON Merge Patch); the rest stays.
  LIST is comma-separated "<provider>/<model>"; an empty LIST ('') removes the setting.
  TASK=      (nothing after "=") removes that task's floor, model or class.
  --routing-file FILE.json replaces the whole routing with the file's: what \`team routing NAME --json\`
  prints is such a file (or its "routing" alone); flags given with it apply over it.

Examples:
  lodestar admin team set platform --floor edit=75 --floor commit=20 --forbid 'openai/*'
  lodestar admin team set platform --task-model commit=ollama/qwen2.5-coder:3b --prefer anthropic/claude-sonnet-5
  lodestar admin team set platform --no-project-overrides --free-when-over-budget
  lodestar admin team routing platform --json > routing.json && lodestar admin team set platform --routing-file routing.json
`;

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `lodestar admin team routing NAME` and `lodestar admin team set NAME ...`: a team's shared routing on the server. */
export function registerAdminRouting(team: Command, context: CliContext, admin: { flags: (command: Command) => Command; run: (work: AdminWork) => (...args: unknown[]) => Promise<void> }): void {
  const { output } = context;

  admin
    .flags(team.command('routing <name>').description("a team's shared routing: floors, preferred and forbidden models, task models, Claude Code classes, allowed models"))
    .action(
      admin.run(async (target, options, [name]) => {
        const answer = (await callServer(target, 'GET', routingPath(name))) as unknown as RoutingAnswer;
        if (options.json) return output.json(answer);
        for (const line of describe(answer)) output.line(line);
      }),
    );

  admin
    .flags(team.command('set <name>').description("change a team's shared routing (only what the flags name)").addHelpText('after', SET_HELP))
    .option('--prefer <list>', 'models ranked first')
    .option('--forbid <list>', 'models never used ("<provider>/*" for a whole provider)')
    .option('--floor <task=n>', 'minimum quality for a task under lodestar/auto (repeatable)', collect)
    .option('--task-model <task=model>', 'the model a task goes to first (repeatable)', collect)
    .option('--claude <class=model>', "where a class of Claude Code's requests goes: main, background, thinking, longContext, subagent (repeatable)", collect)
    .option('--models <list>', 'the only models the team may use')
    .option('--all-models', 'let the team use every model')
    .option('--project-overrides', "members' project settings (.lodestarrc) apply under the team's (the default)")
    .option('--no-project-overrides', "members' project settings are ignored: the team's routing alone")
    .option('--free-when-over-budget', 'over budget, a free model serves the request instead of a 402')
    .option('--no-free-when-over-budget', 'over budget, requests are refused with 402 (the default)')
    .option('--routing-file <file>', 'replace the whole routing with this JSON file')
    .action(
      admin.run(async (target, options, [name]) => {
        const flags = options as typeof options & SetFlags;
        const patch = patchFrom(flags);
        let answer: RoutingAnswer;
        if (flags.routingFile !== undefined) {
          answer = (await callServer(target, 'PUT', routingPath(name), applyMergePatch(readRoutingFile(flags.routingFile), patch))) as unknown as RoutingAnswer;
        } else {
          if (Object.keys(patch).length === 0) throw new UsageError('nothing to set: give at least one of --prefer, --forbid, --floor, --task-model, --claude, --models, --all-models, --[no-]project-overrides, --[no-]free-when-over-budget, --routing-file');
          answer = (await callServer(target, 'PATCH', routingPath(name), patch)) as unknown as RoutingAnswer;
        }
        if (options.json) return output.json(answer);
        const changed = answer.changed ?? [];
        output.line(changed.length ? `Team ${answer.team.name}: ${changed.join(', ')} changed.` : `Team ${answer.team.name}: nothing changed.`);
        for (const line of describe(answer)) output.line(line);
      }),
    );
}

function routingPath(name: string | undefined): string {
  return `/admin/teams/${encodeURIComponent(String(name))}/routing`;
}

/** The flags as a JSON Merge Patch: only what they name; null removes. */
function patchFrom(flags: SetFlags): Record<string, unknown> {
  if (flags.models !== undefined && flags.allModels) throw new UsageError('give --models or --all-models, not both');
  const patch: Record<string, unknown> = {};
  if (flags.prefer !== undefined) patch.preferred = list(flags.prefer);
  if (flags.forbid !== undefined) patch.forbidden = list(flags.forbid);
  if (flags.models !== undefined) patch.allowedModels = list(flags.models);
  if (flags.allModels) patch.allowedModels = null;
  const floors = pairs(flags.floor, '--floor', 'TASK=N, like edit=75', (text) => {
    const value = Number(text);
    return text.trim() !== '' && Number.isFinite(value) ? value : undefined;
  });
  if (floors) patch.floors = floors;
  const taskModels = pairs(flags.taskModel, '--task-model', 'TASK=MODEL, like commit=ollama/qwen2.5-coder:3b', (text) => text);
  if (taskModels) patch.taskModels = taskModels;
  const claude = pairs(flags.claude, '--claude', 'CLASS=MODEL, like background=deepseek/deepseek-flash', (text) => text);
  if (claude) patch.claude = claude;
  if (flags.projectOverrides !== undefined) patch.projectOverrides = flags.projectOverrides;
  if (flags.freeWhenOverBudget !== undefined) patch.freeWhenOverBudget = flags.freeWhenOverBudget;
  return patch;
}

/** A comma-separated list; empty removes the setting (null in the patch). */
function list(text: string): string[] | null {
  const items = text.split(',').map((item) => item.trim()).filter(Boolean);
  return items.length ? items : null;
}

/** KEY=VALUE flags as an object; KEY= removes KEY (null). The server checks the keys and values. */
function pairs(entries: string[] | undefined, flag: string, shape: string, parse: (text: string) => unknown): Record<string, unknown> | undefined {
  if (!entries?.length) return undefined;
  const result: Record<string, unknown> = {};
  for (const entry of entries) {
    const match = /^([^=\s]+)=(.*)$/.exec(entry.trim());
    if (!match) throw new UsageError(`${flag} must be ${shape} (got ${JSON.stringify(entry)})`);
    const [, key, text] = match as unknown as [string, string, string];
    if (text.trim() === '') {
      result[key] = null;
      continue;
    }
    const value = parse(text.trim());
    if (value === undefined) throw new UsageError(`${flag} must be ${shape} (got ${JSON.stringify(entry)})`);
    result[key] = value;
  }
  return result;
}

function readRoutingFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --routing-file ${file}: ${errorMessage(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--routing-file ${file} is not JSON: ${errorMessage(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`--routing-file ${file} must hold a JSON object ({ ... })`);
  // What `team routing NAME --json` printed, whole: its routing is the document.
  const printed = value as { team?: unknown; routing?: unknown };
  if (printed.team !== undefined && typeof printed.routing === 'object' && printed.routing !== null) return printed.routing;
  return value;
}

function describe(answer: RoutingAnswer): string[] {
  const { routing } = answer;
  const map = (value: unknown, separator: string): string => (value && Object.keys(value).length ? Object.entries(value).map(([key, entry]) => `${key}${separator}${String(entry)}`).join(', ') : 'none');
  const models = (value: unknown): string => (Array.isArray(value) ? (value.length ? value.join(', ') : 'none (an empty list)') : 'none');
  return [
    answer.updatedAt ? `Routing of team ${answer.team.name} (set ${answer.updatedAt} by ${answer.updatedBy ?? 'an admin'}):` : `Routing of team ${answer.team.name} (never set: the server's config applies):`,
    `  floors:           ${map(routing.floors, ' ')}`,
    `  preferred:        ${models(routing.preferred)}`,
    `  forbidden:        ${models(routing.forbidden)}`,
    `  task models:      ${map(routing.taskModels, ' -> ')}`,
    `  claude classes:   ${map(routing.claude, ' -> ')}`,
    `  allowed models:   ${Array.isArray(routing.allowedModels) ? routing.allowedModels.join(', ') : 'every model'}`,
    `  project settings: ${routing.projectOverrides ? "apply under the team's" : "ignored: the team's routing alone"}`,
    `  over budget:      ${routing.freeWhenOverBudget ? 'a free model serves the request' : 'refused (402)'}`,
  ];
}
