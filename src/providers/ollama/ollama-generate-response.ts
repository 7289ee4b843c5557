import type { ProviderId } from '../../shared/provider-ids.js';
import type { CallOutcome } from '../spec/provider.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { loadDurationMs, ollamaUsage } from './ollama-chat-response.js';

/** One line of Ollama's /api/generate answer (reference/ollama-gpu.md 1.2-1.3); metrics are omitempty. */
export interface OllamaGenerateLine {
  model?: string;
  response?: string;
  done?: boolean;
  /** "stop" or "length"; "load" when the prompt was empty (Ollama only loaded the model). */
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  load_duration?: number;
  error?: string;
}

/** The final line's facts: usage (prompt_eval_count, eval_count), why it stopped, the load it waited for. */
export function finishGenerate(line: OllamaGenerateLine, outcome: CallOutcome): void {
  outcome.usage = ollamaUsage(line);
  outcome.finishReason = line.done_reason === 'length' ? 'length' : 'stop';
  outcome.loadDurationMs = loadDurationMs(line);
  outcome.upstreamModel ??= line.model;
}

/**
 * The pieces of text of a streamed /api/generate answer, as they arrive; the final (done) line
 * fills in the outcome. An `error` line, a line that is not JSON, or an end before the done line
 * fails the stream.
 */
export async function* generatePieces(lines: AsyncIterable<string>, outcome: CallOutcome, provider: ProviderId): AsyncGenerator<string> {
  for await (const text of lines) {
    let line: OllamaGenerateLine;
    try {
      line = JSON.parse(text) as OllamaGenerateLine;
    } catch {
      throw new UpstreamError(provider, 'protocol', `${provider} sent a line that is not JSON`);
    }
    if (line.error !== undefined) throw new UpstreamError(provider, 'protocol', `${provider} reported an error mid-stream: ${line.error}`);
    if (line.response) yield line.response;
    if (line.done) {
      finishGenerate(line, outcome);
      return;
    }
  }
  throw new UpstreamError(provider, 'connection', `${provider} ended the stream before its final (done) line`);
}
