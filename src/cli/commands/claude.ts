import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { markLedger, sessionEvents, summarizeSession } from '../../ledger/session.js';
import { CLAUDE_INSTALL, claudeArguments, claudeEnvironment, findClaude, runClaude, statusLineCommand } from '../../launch/claude.js';
import { LodestarError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { CliContext } from '../context.js';
import { ensureDaemon } from '../daemon-control.js';
import { describeSummary } from '../output/session-summary.js';
import { resolveProject } from '../project.js';

interface ClaudeOptions {
  claudeBin?: string;
  project?: string;
  summaryFile?: string;
  statusline: boolean;
}

export function registerClaude(program: Command, context: CliContext): void {
  program
    .command('claude')
    .description("start the daemon if needed, then Claude Code through it, with Lodestar's spend in its status line; returns Claude Code's exit status")
    .usage('[lodestar options] [-- claude arguments]')
    .option('--claude-bin <path>', 'the Claude Code to run (default: claude on PATH)')
    .option('--project <name>', "the project the session's requests count for (default: .lodestarrc's project, else the git root's name)")
    .option('--summary-file <path>', "also write the session's summary as JSON to this file")
    .option('--no-statusline', "leave Claude Code's status line as the user's settings have it")
    .argument('[claude-args...]', "Claude Code's own arguments (after --, or any option Lodestar does not know)")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (claudeArgs: string[], options: ClaudeOptions) => {
      context.exitCode = await launch(context, claudeArgs, options);
    });
}

async function launch(context: CliContext, rawArgs: string[], options: ClaudeOptions): Promise<number> {
  const loaded = context.config();
  const { config, paths } = loaded;
  const project = resolveProject(options.project, config.project, context.cwd);
  const separator = rawArgs.indexOf('--');
  const userArgs = separator === -1 ? rawArgs : [...rawArgs.slice(0, separator), ...rawArgs.slice(separator + 1)];
  const bin = findClaude(options.claudeBin, context.env);
  if (!bin) {
    const what = options.claudeBin ? `${options.claudeBin} is not an executable file` : 'Claude Code is not installed (there is no `claude` on PATH)';
    throw new LodestarError(what, { hint: `Install it with: ${CLAUDE_INSTALL}${options.claudeBin ? '' : ' (or point --claude-bin at it)'}` });
  }

  const { state, started } = await ensureDaemon(paths, config.port, context.env);
  if (started) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}); it keeps running after Claude Code exits (\`lodestar stop\` stops it).`);
  const token = readToken(paths.token);
  if (!token) throw new LodestarError(`the daemon's token is missing (${paths.token})`, { hint: 'Restart the daemon: lodestar stop && lodestar start' });

  const session = `${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
  const mark = markLedger(paths.ledger);
  const baseUrl = `${state.url}/p/${project}/s/${session}`;
  const since = Object.entries(mark).map(([month, offset]) => `${month}:${offset}`).join(',') || 'start';
  const args = options.statusline ? claudeArguments(statusLineCommand(session, since), userArgs) : userArgs;
  const exitCode = await runClaude(bin, args, claudeEnvironment(context.env, baseUrl, token), context.cwd);

  // Every request is in the ledger before its answer's last byte: complete by now.
  const summary = summarizeSession(sessionEvents(paths.ledger, session, mark));
  for (const line of describeSummary(session, project, summary)) context.output.line(line);
  if (options.summaryFile) writeFileSync(options.summaryFile, `${JSON.stringify({ session, project, ...summary }, null, 2)}\n`);
  return exitCode;
}
