import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "Lodestar" output channel: what the extension did and why (the daemon found, lost, started). Never a token. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Lodestar', { log: true });
  return channel;
}
