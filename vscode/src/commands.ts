import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { WarmResult } from '../../src/shared/model-facts.js';
import type { Report } from '../../src/shared/report-facts.js';
import type { Connection } from './connection.js';
import { stateFolder } from './daemon/locate.js';
import { PERIODS, periodLabel, periodQuery } from './files/file-costs.js';
import type { FileCostStore } from './files/file-cost-store.js';
import { pickModel } from './models/pick-model.js';
import { reportMarkdown } from './report-markdown.js';
import { log } from './log.js';
import { readSettings } from './settings.js';

/** The extension's commands (package.json `contributes.commands`). */
export function registerCommands(connection: Connection, files: FileCostStore, refresh: () => void): vscode.Disposable[] {
  const needsDaemon =
    (run: (client: NonNullable<Connection['client']>) => Promise<void>) =>
    async (): Promise<void> => {
      const client = connection.client;
      if (!client) {
        const answer = await vscode.window.showErrorMessage(`Lodestar: ${connection.downReason}.`, 'Start the daemon');
        if (answer) await startDaemon(connection);
        return;
      }
      try {
        await run(client);
      } catch (error) {
        void vscode.window.showErrorMessage(`Lodestar: ${(error as Error).message}`);
      }
    };
  return [
    vscode.commands.registerCommand('lodestar.pickModel', () => pickModel(connection)),
    vscode.commands.registerCommand('lodestar.startDaemon', () => startDaemon(connection)),
    vscode.commands.registerCommand('lodestar.refresh', refresh),
    vscode.commands.registerCommand(
      'lodestar.openWebUi',
      needsDaemon(async (client) => {
        const login = await client.call<{ url: string }>('/api/ui/login', { method: 'POST' });
        await vscode.env.openExternal(vscode.Uri.parse(login.url));
      }),
    ),
    vscode.commands.registerCommand(
      'lodestar.showReport',
      needsDaemon(async (client) => {
        const project = connection.project.name;
        const report = await client.call<Report>(`/api/usage?${new URLSearchParams({ month: '', by: 'model', project })}`);
        const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: reportMarkdown(report, `Lodestar: ${project} this month, by model`) });
        await vscode.window.showTextDocument(document, { preview: true });
      }),
    ),
    vscode.commands.registerCommand(
      'lodestar.warm',
      needsDaemon(async (client) => {
        const reply = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lodestar: warming the local models…' }, () =>
          client.call<{ results: WarmResult[] }>('/api/models/warm', { method: 'POST', body: {}, timeoutMs: 180_000 }),
        );
        const lines = reply.results.map((result) => `${result.model}: ${result.outcome}${result.ms === undefined ? '' : ` in ${(result.ms / 1000).toFixed(1)} s`}${result.reason ? ` (${result.reason})` : ''}`);
        void vscode.window.showInformationMessage(`Lodestar: ${lines.join('; ') || 'no local model to warm'}.`);
      }),
    ),
    vscode.commands.registerCommand('lodestar.costPeriod', async () => {
      const now = readSettings().costPeriod;
      const chosen = await vscode.window.showQuickPick(
        PERIODS.map((period) => ({ label: periodLabel(period), description: period === now ? '(current)' : Object.values(periodQuery(period)).join(' to '), period })),
        { title: 'Lodestar: cost by file over which period' },
      );
      if (!chosen) return;
      await vscode.workspace.getConfiguration('lodestar').update('costPeriod', chosen.period, vscode.ConfigurationTarget.Global);
      await files.refresh();
    }),
  ];
}

let starting: Promise<void> | undefined;

/** `lodestar start` with the extension's state folder, then connects; one at a time. */
export function startDaemon(connection: Connection): Promise<void> {
  starting ??= Promise.resolve(vscode.window
    .withProgress({ location: vscode.ProgressLocation.Notification, title: 'Lodestar: starting the daemon…' }, async () => {
      const settings = readSettings();
      const folder = connection.project.root;
      log().info(`starting the daemon: ${settings.command} start (LODESTAR_HOME=${stateFolder(settings)})`);
      const result = await new Promise<{ ok: boolean; output: string }>((resolve) => {
        execFile(settings.command, ['start'], { cwd: folder, env: { ...process.env, LODESTAR_HOME: stateFolder(settings), PWD: folder }, timeout: 60_000 }, (error, stdout, stderr) => {
          if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') return resolve({ ok: false, output: `${settings.command} is not on this machine's PATH: install Lodestar, or set lodestar.command to its full path` });
          resolve({ ok: !error, output: `${stdout}${stderr}`.trim() || String(error ?? '') });
        });
      });
      if (!result.ok) {
        log().error(`the daemon did not start: ${result.output}`);
        void vscode.window.showErrorMessage(`Lodestar: the daemon did not start: ${result.output.slice(-400)}`);
        return;
      }
      log().info(result.output);
      await connection.connect();
    })
    .then(
      () => {
        starting = undefined;
      },
      () => {
        starting = undefined;
      },
    ));
  return starting;
}
