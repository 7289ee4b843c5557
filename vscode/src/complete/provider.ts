import * as vscode from 'vscode';
import type { Connection } from '../connection.js';
import { readSettings } from '../settings.js';
import { fimRequest, ghostText } from './fim-context.js';
import { CompletionScheduler, type FimRequest } from './scheduler.js';

/** POST /p/<project>/v1/completions's answer, as much of it as is read. */
interface CompletionAnswer {
  choices?: Array<{ text?: string }>;
}

/**
 * Ghost text from the daemon's completion model (lodestar/complete: a free local
 * fill-in-the-middle model): the prefix and suffix around the cursor go as `prompt` and
 * `suffix`. One scheduler per editor: debounced, superseded by the next keystroke (its request
 * aborted), never more than one in flight.
 */
export class LodestarCompletions implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private readonly schedulers = new Map<string, CompletionScheduler>();
  private readonly closed: vscode.Disposable;

  constructor(private readonly connection: Connection) {
    this.closed = vscode.workspace.onDidCloseTextDocument((document) => {
      const key = document.uri.toString();
      this.schedulers.get(key)?.cancel();
      this.schedulers.delete(key);
    });
  }

  async provideInlineCompletionItems(document: vscode.TextDocument, position: vscode.Position, context: vscode.InlineCompletionContext, token: vscode.CancellationToken): Promise<vscode.InlineCompletionItem[] | undefined> {
    const settings = readSettings().completions;
    if (!settings.enabled || !this.connection.client) return undefined;
    // With the suggest widget open, ghost text must extend its item: leave that case to the language.
    if (context.selectedCompletionInfo) return undefined;
    const request = fimRequest(document.getText(), document.offsetAt(position));
    if (!request) return undefined;
    const cancelled = new AbortController();
    const listener = token.onCancellationRequested(() => cancelled.abort());
    try {
      const text = ghostText(await this.scheduler(document).complete(request, cancelled.signal));
      if (text === undefined || token.isCancellationRequested) return undefined;
      return [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];
    } catch {
      return undefined; // a failed completion shows nothing; the daemon's log and ledger say why
    } finally {
      listener.dispose();
    }
  }

  private scheduler(document: vscode.TextDocument): CompletionScheduler {
    const key = document.uri.toString();
    let scheduler = this.schedulers.get(key);
    if (!scheduler) {
      scheduler = new CompletionScheduler(
        (request, signal) => this.send(request, signal),
        () => readSettings().completions.debounceMs,
      );
      this.schedulers.set(key, scheduler);
    }
    return scheduler;
  }

  private async send(request: FimRequest, signal: AbortSignal): Promise<string | undefined> {
    const client = this.connection.client;
    if (!client) return undefined;
    const settings = readSettings().completions;
    const answer = await client.call<CompletionAnswer>(`${this.connection.prefix}/v1/completions`, {
      method: 'POST',
      headers: { 'x-lodestar-tool': 'vscode' },
      body: { model: settings.model, prompt: request.prefix, suffix: request.suffix, max_tokens: settings.maxTokens, temperature: 0.1, stop: ['\n\n'], stream: false },
      signal,
      timeoutMs: 15_000,
    });
    return answer.choices?.[0]?.text;
  }

  dispose(): void {
    for (const scheduler of this.schedulers.values()) scheduler.cancel();
    this.schedulers.clear();
    this.closed.dispose();
  }
}
