import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { summarizeSession, markLedger, sessionEvents } from '../../ledger/session.js';
import { describeSummary } from '../output/session-summary.js';
import type { RequestEvent } from '../../ledger/request-event.js';
import { AIDER_INSTALL, aiderArguments, aiderEnvironment, findAider, runAider, writeAiderModelFiles } from '../../launch/aider.js';
import { LodestarError, UsageError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';
import { resolveProject } from '../project.js';
import { subscribeToEvents } from '../../shared/events-client.js';
import { formatMoney, formatTokens } from '../../shared/format.js';

interface AiderOptions {
  aiderBin?: string;
  project?: string;
  title: string;
  summaryFile?: string;
  tmux?: boolean;
}

export function registerAider(program: Command, context: CliContext): void {
  program
    .command('aider')
    .description("start the daemon if needed, then Aider through it, with the session's cost in the terminal title; returns Aider's exit status")
    .usage('[lodestar options] [-- aider arguments]')
    .option('--aider-bin <path>', 'the Aider to run (default: aider on PATH)')
    .option('--project <name>', "the project the session's requests count for (default: .lodestarrc's project, else the git root's name)")
    .option('--title <when>', 'the live counter in the terminal title: auto (when stdout is a terminal), on, off', 'auto')
    .option('--summary-file <path>', "also write the session's summary as JSON to this file")
    .option('--tmux', 'inside tmux: a pane below Aider with `lodestar dashboard --compact`, closed when Aider exits')
    .argument('[aider-args...]', "Aider's own arguments (after --, or any option Lodestar does not know); they win over Lodestar's")
    // Aider's options pass through as they are, with or without `--`.
    .allowUnknownOption(true)
    .allowExcessArguments(true)
    .action(async (aiderArgs: string[], options: AiderOptions) => {
      context.exitCode = await launch(context, aiderArgs, options);
    });
}

async function launch(context: CliContext, rawArgs: string[], options: AiderOptions): Promise<number> {
  if (!['auto', 'on', 'off'].includes(options.title)) throw new UsageError(`--title must be auto, on or off, got ${JSON.stringify(options.title)}`);
  const loaded = context.config();
  const { config, paths } = loaded;
  const project = resolveProject(options.project, config.project, context.cwd);
  // Commander keeps a `--` that follows options it does not know; it separates, it is not Aider's.
  const separator = rawArgs.indexOf('--');
  const userArgs = separator === -1 ? rawArgs : [...rawArgs.slice(0, separator), ...rawArgs.slice(separator + 1)];
  const bin = findAider(options.aiderBin, context.env);
  if (!bin) {
    const what = options.aiderBin ? `${options.aiderBin} is not an executable file` : 'Aider is not installed (there is no `aider` on PATH)';
    throw new LodestarError(what, { hint: `Install it with: ${AIDER_INSTALL}${options.aiderBin ? '' : ' (or point --aider-bin at it)'}` });
  }

  const { state, started } = await ensureDaemon(paths, config.port, context.env);
  if (started) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}); it keeps running after Aider exits (\`lodestar stop\` stops it).`);
  const token = readToken(paths.token);
  if (!token) throw new LodestarError(`the daemon's token is missing (${paths.token})`, { hint: 'Restart the daemon: lodestar stop && lodestar start' });

  const session = `${new Date().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
  const models = { model: config.aider.model, weakModel: config.aider.weakModel, editorModel: config.aider.editorModel ?? config.aider.model };
  const windows = await contextWindows(state.port, project, token);
  const folder = join(paths.home, 'aider', session);
  const files = writeAiderModelFiles(folder, models, windows);
  const baseUrl = `${state.url}/p/${project}/s/${session}/v1`;
  const mark = markLedger(paths.ledger);

  const counter = new Counter(project, options.title === 'on' || (options.title === 'auto' && context.output.isTTY));
  const events = await subscribeToEvents(state.port, token, (event) => {
    if (event.type === 'request' && (event.data as RequestEvent).session === session) counter.add(event.data as RequestEvent);
  }, { types: ['request'] }).catch(() => undefined);
  counter.start();
  const pane = options.tmux ? openDashboardPane(context.env, paths.home) : undefined;
  let exitCode: number;
  try {
    exitCode = await runAider(bin, aiderArguments(models, files, userArgs), aiderEnvironment(context.env, baseUrl, token), context.cwd);
  } finally {
    pane?.close();
    events?.close();
    rmSync(folder, { recursive: true, force: true });
  }

  // The ledger has every request before its answer's last byte, so it is complete by now; the
  // live events may still be on their way (they are batched), so the title's last word is the
  // ledger's.
  const ledgerEvents = sessionEvents(paths.ledger, session, mark);
  counter.settle(ledgerEvents);
  counter.stop();
  const summary = summarizeSession(ledgerEvents);
  for (const line of describeSummary(session, project, summary)) context.output.line(line);
  if (options.summaryFile) writeFileSync(options.summaryFile, `${JSON.stringify({ session, project, ...summary }, null, 2)}\n`);
  return exitCode;
}

/** The context windows the daemon reports for this project's models (virtual ones included). */
async function contextWindows(port: number, project: string, token: string): Promise<Map<string, number>> {
  const windows = new Map<string, number>();
  try {
    const reply = await callDaemon({ port }, `/p/${project}/v1/models`, { token, timeoutMs: 5000 });
    for (const entry of (reply.body as { data?: Array<{ id: string; context_window?: number }> }).data ?? []) {
      if (typeof entry.context_window === 'number') windows.set(entry.id, entry.context_window);
    }
  } catch {
    // Aider then treats the models as of unknown size: it still works
  }
  return windows;
}

/**
 * The session's spend in the terminal's title (an OSC 0 escape, which moves no cursor, so it
 * does not disturb Aider's own drawing), updated as /api/events reports each request. The
 * terminal's own title is saved first and given back at the end (xterm's title stack).
 */
class Counter {
  private costUsd = 0;
  private unpriced = 0;
  private tokens = 0;
  private requests = 0;
  private last: string | undefined;
  constructor(
    private readonly project: string,
    private readonly enabled: boolean,
  ) {}

  start(): void {
    if (!this.enabled) return;
    process.stdout.write('\x1b[22;0t');
    this.show();
  }

  add(event: RequestEvent): void {
    this.count(event);
    this.show();
  }

  /** Shows the totals of these events (the ledger's), if they differ from what is shown. */
  settle(events: readonly RequestEvent[]): void {
    const shown = this.title();
    this.costUsd = 0;
    this.unpriced = 0;
    this.tokens = 0;
    this.requests = 0;
    this.last = undefined;
    for (const event of events) this.count(event);
    if (this.title() !== shown) this.show();
  }

  private count(event: RequestEvent): void {
    this.requests++;
    this.tokens += (event.usage.inputTokens ?? 0) + (event.usage.outputTokens ?? 0);
    if (event.costUsd !== undefined) this.costUsd += event.costUsd;
    else if (event.usage.inputTokens !== undefined || event.usage.outputTokens !== undefined) this.unpriced++;
    if (event.model) this.last = event.model;
  }

  stop(): void {
    if (this.enabled) process.stdout.write('\x1b[23;0t');
  }

  private show(): void {
    if (this.enabled) process.stdout.write(`\x1b]0;${this.title()}\x07`);
  }

  private title(): string {
    const cost = `${formatMoney(this.costUsd)}${this.unpriced ? ` + ${this.unpriced} unpriced` : ''}`;
    const parts = [`Lodestar ${this.project}`, cost, `${formatTokens(this.tokens)} tokens`, `${this.requests} requests`];
    if (this.last) parts.push(`last: ${this.last}`);
    // Control characters out of the title: a model name is data.
    return parts.join(' · ').replace(/[\x00-\x1f\x7f]/g, '');
  }
}

/**
 * A tmux pane of four lines under Aider's, running the compact dashboard; nothing outside tmux
 * (said once). The pane is closed when Aider exits.
 */
function openDashboardPane(env: NodeJS.ProcessEnv, home: string): { close(): void } | undefined {
  if (!env.TMUX) {
    process.stderr.write('--tmux: not inside tmux, so no dashboard pane (the terminal title still shows the cost).\n');
    return undefined;
  }
  const command = [process.execPath, ...process.execArgv, process.argv[1] ?? 'lodestar', 'dashboard', '--compact'].map(shellQuote).join(' ');
  const split = spawnSync('tmux', ['split-window', '-d', '-v', '-l', '4', '-P', '-F', '#{pane_id}', '-e', `LODESTAR_HOME=${home}`, command], { env, encoding: 'utf8' });
  const pane = split.status === 0 ? split.stdout.trim() : '';
  if (!pane) {
    process.stderr.write(`--tmux: tmux could not split the window (${(split.stderr || split.error?.message || 'no reason given').trim()}).\n`);
    return undefined;
  }
  return { close: () => void spawnSync('tmux', ['kill-pane', '-t', pane], { env }) };
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
