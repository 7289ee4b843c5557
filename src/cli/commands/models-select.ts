import type { Command } from 'commander';
import { TASKS } from '../../router/classify-task.js';
import type { DaemonState } from '../../shared/daemon-state.js';
import { LodestarError, UsageError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { SelectorSource } from '../../ui/ModelSelect.js';
import type { ModelRowView, Outcome, PreviewView, SavedView, TaskChoiceView } from '../../ui/model-select-state.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';

/** The first answer of the selector endpoints can wait on the prices of every catalog model, resolved in a process apart. */
const TIMEOUT_MS = 30_000;

export function registerModelSelect(models: Command, context: CliContext): void {
  models
    .command('select')
    .description("the interactive model selector: choose each task's model, globally or for a project, as the web UI does")
    .option('--task <task>', `the task to start on: one of ${TASKS.join(', ')}`, 'edit')
    .option('--project <name>', "a registered project's own choice, saved in its .lodestarrc (default: the global config.json)")
    .addHelpText('after', "\nKeys: type to filter the models, Enter to choose one, Ctrl-R for the router's choice, then y to save it; Tab or Left/Right switches the task, Ctrl-S the sort (cost, quality, context), Esc quits.")
    .action(async (options: { task: string; project?: string }) => {
      if (!(TASKS as readonly string[]).includes(options.task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got ${JSON.stringify(options.task)}`);
      if (!context.output.isTTY || !process.stdin.isTTY) {
        throw new UsageError("`lodestar models select` is interactive and needs a terminal; without one, choose in the web UI (`lodestar ui`) or set routing.taskModels in config.json or the project's .lodestarrc");
      }
      const loaded = context.config();
      const { state, started } = await ensureDaemon(loaded.paths, loaded.config.port, context.env);
      if (started) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}).`);
      const ask = daemonAsker(state, readToken(loaded.paths.token));
      const project = options.project || undefined;
      const data = (await ask('GET', `/api/ui/models${project ? `?project=${encodeURIComponent(project)}` : ''}`)) as { tasks: TaskChoiceView[]; models: ModelRowView[] };
      const source: SelectorSource = {
        preview: async (task, model) => (await ask('POST', '/api/ui/models/preview', { task, model, project })) as PreviewView,
        save: async (task, model) => (await ask('PUT', '/api/ui/models/choice', { task, model, project })) as SavedView,
      };

      // Ink and React are loaded for this command only: the others start faster without them.
      const [{ render }, { createElement }, { ModelSelectApp }, { describeOutcome, initialState }] = await Promise.all([
        import('ink'),
        import('react'),
        import('../../ui/ModelSelect.js'),
        import('../../ui/model-select-state.js'),
      ]);
      const initial = initialState(data, { task: options.task, project, terminalRows: process.stdout.rows || 24 });
      // Ctrl-C goes to the selector, which quits the same way Esc does; `interactive` holds even where CI is set.
      const instance = render(createElement(ModelSelectApp, { initial, source }), { patchConsole: false, exitOnCtrlC: false, alternateScreen: true, interactive: true });
      const outcome = (await instance.waitUntilExit()) as Outcome;
      context.output.line(describeOutcome(outcome, project));
    });
}

/** One call to the daemon's API; an error answer becomes its own message (404: "No project ... is registered"). */
function daemonAsker(state: DaemonState, token: string | undefined): (method: string, path: string, body?: unknown) => Promise<unknown> {
  return async (method, path, body) => {
    const reply = await callDaemon(state, path, { method, token, body, timeoutMs: TIMEOUT_MS });
    const answer = reply.body as { error?: { message?: string } };
    if (reply.status !== 200) throw new LodestarError(answer.error?.message ?? `the daemon answered ${reply.status} to ${method} ${path}`);
    return reply.body;
  };
}
