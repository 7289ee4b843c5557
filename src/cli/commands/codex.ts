import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { markLedger, sessionEvents, summarizeSession } from '../../ledger/session.js';
import { bundledCodexCatalog, CODEX_INSTALL, codexArguments, codexCatalog, codexEnvironment, findCodex, runCodex, writeCodexCatalog, type CodexModel } from '../../launch/codex.js';
import { LodestarError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';
import { describeSummary } from '../output/session-summary.js';
import { resolveProject } from '../project.js';

interface CodexOptions {
  codexBin?: string;
  project?: string;
  model?: string;
  summaryFile?: string;
}

export function registerCodex(program: Command, context: CliContext): void {
  program
    .command('codex')
    .description("start the daemon if needed, then Codex CLI through it (Lodestar as its model provider, lodestar/auto by default); returns Codex's exit status")
    .usage('[lodestar options] [-- codex arguments]')
    .option('--codex-bin <path>', 'the Codex to run (default: codex on PATH)')
    .option('--project <name>', "the project the session's requests count for (default: .lodestarrc's project, else the git root's name)")
    .option('--model <model>', 'the model Codex asks for (default: lodestar/auto; a -m of Codex after -- wins)', 'lodestar/auto')
    .option('--summary-file <path>', "also write the session's summary as JSON to this file")
    .argument('[codex-args...]', "Codex's own arguments (after --, or any option Lodestar does not know)")
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (codexArgs: string[], options: CodexOptions) => {
      context.exitCode = await launch(context, codexArgs, options);
    });
}

async function launch(context: CliContext, rawArgs: string[], options: CodexOptions): Promise<number> {
  const { config, paths } = context.config();
  const project = resolveProject(options.project, config.project, context.cwd);
  const separator = rawArgs.indexOf('--');
  const userArgs = separator === -1 ? rawArgs : [...rawArgs.slice(0, separator), ...rawArgs.slice(separator + 1)];
  const bin = findCodex(options.codexBin, context.env);
  if (!bin) {
    const what = options.codexBin ? `${options.codexBin} is not an executable file` : 'Codex CLI is not installed (there is no `codex` on PATH)';
    throw new LodestarError(what, { hint: `Install it with: ${CODEX_INSTALL}${options.codexBin ? '' : ' (or point --codex-bin at it)'}` });
  }

  const { state, started } = await ensureDaemon(paths, config.port, context.env);
  if (started) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}); it keeps running after Codex exits (\`lodestar stop\` stops it).`);
  const token = readToken(paths.token);
  if (!token) throw new LodestarError(`the daemon's token is missing (${paths.token})`, { hint: 'Restart the daemon: lodestar stop && lodestar start' });

  const session = `${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
  const mark = markLedger(paths.ledger);
  const baseUrl = `${state.url}/p/${project}/s/${session}/v1`;
  const env = codexEnvironment(context.env, token);

  // Lodestar's models with their windows, on the installed Codex's own settings (no warning, apply_patch offered).
  const catalogFile = join(paths.home, 'codex', `models-${session}.json`);
  const bundled = await bundledCodexCatalog(bin, env, context.cwd);
  const catalog = bundled && codexCatalog(bundled, await offeredModels(state.port, project, token, options.model ?? 'lodestar/auto'));
  if (catalog) writeCodexCatalog(catalogFile, catalog);
  else context.output.note('This Codex does not render its model catalog (codex debug models): it runs with its fallback metadata and warns that it has none for lodestar/auto.');

  let exitCode: number;
  try {
    exitCode = await runCodex(bin, codexArguments({ baseUrl, catalogFile: catalog ? catalogFile : undefined, model: options.model ?? 'lodestar/auto' }, userArgs), env, context.cwd);
  } finally {
    rmSync(catalogFile, { force: true });
  }

  // Every request is in the ledger before its answer's last byte: complete by now.
  const summary = summarizeSession(sessionEvents(paths.ledger, session, mark));
  for (const line of describeSummary(session, project, summary)) context.output.line(line);
  if (options.summaryFile) writeFileSync(options.summaryFile, `${JSON.stringify({ session, project, ...summary }, null, 2)}\n`);
  return exitCode;
}

/**
 * The models Codex is offered: the one it starts with first, the router's virtual models, and
 * every concrete model the daemon lists for the project, each with the context window the
 * daemon reports (a virtual model's: the largest it may route to).
 */
async function offeredModels(port: number, project: string, token: string, first: string): Promise<CodexModel[]> {
  const models = new Map<string, CodexModel>();
  models.set(first, { slug: first, contextWindow: undefined });
  try {
    const reply = await callDaemon({ port }, `/p/${project}/v1/models`, { token, timeoutMs: 5000 });
    for (const entry of (reply.body as { data?: Array<{ id: string; context_window?: number }> }).data ?? []) {
      if (entry.id === 'lodestar/consensus') continue;
      models.set(entry.id, { slug: entry.id, contextWindow: entry.context_window });
    }
  } catch {
    // Codex then sizes its history by the catalog's own figures
  }
  return [...models.values()];
}
