import * as vscode from 'vscode';
import { registerCommands, startDaemon } from './commands.js';
import { LodestarCompletions } from './complete/provider.js';
import { Connection } from './connection.js';
import { FileCostStore } from './files/file-cost-store.js';
import { fileCostLens, fileDecorations, FileCostTree } from './files/file-cost-views.js';
import { StatusBar } from './status/status-bar.js';

/**
 * Lodestar in VS Code. Everything goes through the daemon's HTTP API, as the web UI does:
 * activation only wires things up (nothing waits on the network), then the connection finds
 * the daemon and the status bar, the file costs and the completions follow its events.
 */
export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
  const connection = new Connection(folder);
  const status = new StatusBar(connection);
  const files = new FileCostStore(connection);
  const tree = new FileCostTree(files);
  const view = vscode.window.createTreeView('lodestar.fileCosts', { treeDataProvider: tree });
  const completions = new LodestarCompletions(connection);
  const refresh = (): void => {
    status.refreshSoon(0);
    files.refreshSoon(0);
  };
  let offered = false;
  context.subscriptions.push(
    connection,
    status,
    files,
    view,
    completions,
    files.onChange(() => (view.message = tree.message(connection.client !== undefined))),
    connection.onChange((change) => {
      if (change === 'down') {
        view.message = tree.message(false);
        if (!offered && vscode.workspace.isTrusted) {
          offered = true;
          void vscode.window.showWarningMessage(`Lodestar: ${connection.downReason}. Start the daemon?`, 'Start', 'Not now').then((answer) => {
            if (answer === 'Start') void startDaemon(connection);
          });
        }
      }
      status.refreshSoon(change === 'usage' ? 150 : 0);
      files.refreshSoon(change === 'usage' ? 200 : 0);
    }),
    vscode.window.registerFileDecorationProvider(fileDecorations(files)),
    vscode.languages.registerCodeLensProvider({ scheme: 'file' }, fileCostLens(files)),
    vscode.languages.registerInlineCompletionItemProvider({ pattern: '**' }, completions),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('lodestar.daemonUrl') || event.affectsConfiguration('lodestar.home')) void connection.connect();
      else if (event.affectsConfiguration('lodestar.costPeriod')) files.refreshSoon(0);
    }),
    vscode.workspace.onDidSaveTextDocument((document) => {
      if (document.fileName.endsWith('.lodestarrc')) void connection.connect();
    }),
    ...registerCommands(connection, files, refresh),
  );
  void connection.connect();
  activationMs = performance.now() - started;
}

/** How long activate() took, for the bench (the target is 200 ms). */
export let activationMs = 0;

export function deactivate(): void {}
