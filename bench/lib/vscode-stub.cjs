// A stand-in for the editor's `vscode` module, enough for the Lodestar extension's activate() to
// run outside VS Code: every registration returns a disposable, events never fire. Loaded with
// `node --require bench/lib/vscode-stub.cjs`, it answers require('vscode').
const Module = require('node:module');

const disposable = () => ({ dispose() {} });
class EventEmitter {
  constructor() {
    this.event = () => disposable();
  }
  fire() {}
  dispose() {}
}
const item = () => ({ show() {}, hide() {}, dispose() {} });
const stub = {
  EventEmitter,
  ThemeColor: class {
    constructor(id) {
      this.id = id;
    }
  },
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { Notification: 15 },
  QuickPickItemKind: { Separator: -1 },
  TreeItemCollapsibleState: { None: 0 },
  ConfigurationTarget: { Global: 1 },
  Uri: { file: (path) => ({ scheme: 'file', fsPath: path }), parse: (text) => ({ toString: () => text }) },
  window: {
    createStatusBarItem: item,
    createTreeView: () => ({ ...item(), message: '' }),
    registerFileDecorationProvider: disposable,
    showWarningMessage: () => Promise.resolve(undefined),
  },
  languages: { registerCodeLensProvider: disposable, registerInlineCompletionItemProvider: disposable },
  workspace: {
    workspaceFolders: [{ uri: { fsPath: process.cwd() } }],
    isTrusted: true,
    getConfiguration: () => ({ get: (_key, fallback) => fallback }),
    onDidChangeConfiguration: disposable,
    onDidSaveTextDocument: disposable,
    onDidCloseTextDocument: disposable,
  },
  commands: { registerCommand: disposable },
};

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === 'vscode' ? stub : load.call(this, request, ...rest);
};
