import type { Command } from 'commander';
import { LodestarError } from '../../shared/errors.js';
import { readToken } from '../../shared/token.js';
import type { DashboardSource } from '../../ui/Dashboard.js';
import type { CliContext } from '../context.js';
import { callDaemon } from '../daemon-client.js';
import { findDaemon } from '../daemon-control.js';
import { subscribeToEvents } from '../../shared/events-client.js';
import { DASHBOARD_EVENT_TYPES } from '../../ui/dashboard-state.js';
import type { LodestarPaths } from '../../config/paths.js';

export function registerDashboard(program: Command, context: CliContext): void {
  program
    .command('dashboard')
    .description('live panels: spend and budgets, savings, tokens and cost by model, GPU, loaded models, providers, latest requests (q quits)')
    .option('--compact', 'three lines, for a split pane beside Aider')
    .option('--once', 'draw one frame from what the daemon has now, and exit')
    .action(async (options: { compact?: boolean; once?: boolean }) => {
      const { paths } = context.config();
      const daemon = findDaemon(paths);
      if (daemon.kind !== 'alive') throw new LodestarError('Lodestar is not running, so there is nothing to show', { hint: 'Start it with `lodestar start`.' });
      const source = httpSource(paths);
      // Ink and React are loaded for this command only: the others start faster without them.
      const [{ render }, { createElement }, { DashboardApp, DashboardView }, state] = await Promise.all([
        import('ink'),
        import('react'),
        import('../../ui/Dashboard.js'),
        import('../../ui/dashboard-state.js'),
      ]);
      if (options.once) {
        let frame = state.initialState();
        try {
          const snapshot = await source.snapshot();
          frame = state.withExperiments(state.withBudgets(state.withUsage(state.withHealth({ ...frame, url: snapshot.url }, snapshot.health), snapshot.today, snapshot.month), snapshot.budgets), snapshot.experiments);
          for (const event of await recentEvents(paths)) frame = state.withEvent(frame, event);
        } catch (error) {
          frame = state.withProblem(frame, error instanceof Error ? error.message : String(error));
        }
        frame = { ...frame, updatedAt: new Date().toISOString() };
        const instance = render(createElement(DashboardView, { state: frame, width: context.output.isTTY ? context.output.columns : 100, height: 40, compact: options.compact === true }), { patchConsole: false });
        instance.unmount();
        await instance.waitUntilExit();
        if (frame.connected === false) context.exitCode = 1;
        return;
      }
      const instance = render(createElement(DashboardApp, { source, compact: options.compact === true }), { patchConsole: false, exitOnCtrlC: true });
      await instance.waitUntilExit();
    });
}

/** The daemon's HTTP API as the dashboard reads it; the port is looked up again at each reconnect. */
export function httpSource(paths: LodestarPaths): DashboardSource {
  const target = (): { port: number; url: string; token: string } => {
    const daemon = findDaemon(paths);
    if (daemon.kind !== 'alive') throw new Error('the daemon is not running');
    const token = readToken(paths.token);
    if (!token) throw new Error(`no token in ${paths.token}`);
    return { port: daemon.state.port, url: daemon.state.url, token };
  };
  const get = async (path: string): Promise<unknown> => {
    const { port, token } = target();
    const reply = await callDaemon({ port }, path, { token, timeoutMs: 5000 });
    if (reply.status !== 200) throw new Error(`${path} answered ${reply.status}`);
    return reply.body;
  };
  return {
    async snapshot() {
      // Today and this month in the daemon's time zone (that of reports and budgets).
      const [day, month, budgets, health, experiments] = await Promise.all([get('/api/usage?day=&by=model'), get('/api/usage?month=&by=model'), get('/api/budget'), get('/health'), get('/api/ui/experiments').catch(() => undefined)]);
      return { url: target().url, today: day as never, month: month as never, budgets: budgets as never, health: health as Record<string, unknown>, experiments: experiments as never };
    },
    async health() {
      return (await get('/health')) as Record<string, unknown>;
    },
    async subscribe(onEvent, onEnd) {
      const { port, token } = target();
      const subscription = await subscribeToEvents(port, token, onEvent, { recent: 50, types: DASHBOARD_EVENT_TYPES, onEnd });
      return () => subscription.close();
    },
  };
}

/** The last requests the daemon remembers (for --once, which does not wait for new ones). */
async function recentEvents(paths: LodestarPaths): Promise<Array<{ type: string; data: unknown }>> {
  const daemon = findDaemon(paths);
  const token = readToken(paths.token);
  if (daemon.kind !== 'alive' || !token) return [];
  const events: Array<{ type: string; data: unknown }> = [];
  const subscription = await subscribeToEvents(daemon.state.port, token, (event) => events.push(event), { recent: 50, types: DASHBOARD_EVENT_TYPES });
  // The replay is written at once on connect; a moment later it is all here.
  await new Promise((resolve) => setTimeout(resolve, 200));
  subscription.close();
  return events;
}
