import { randomBytes } from 'node:crypto';
import type { ProviderId } from '../../shared/provider-ids.js';
import type { CallOutcome, StreamChunk } from '../spec/provider.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { isNumber, toOpenAIUsage, type Usage } from '../spec/usage.js';

/** One line of Ollama's /api/chat answer (reference/ollama-gpu.md 1.4); metrics are omitempty. */
export interface OllamaChatLine {
  model?: string;
  message?: { role?: string; content?: string; thinking?: string; tool_calls?: Array<{ function?: { name?: string; arguments?: unknown } }> };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  load_duration?: number;
  error?: string;
}

/** prompt_eval_count and eval_count are what Ollama evaluated; absent means 0 was omitted. */
export function ollamaUsage(line: Pick<OllamaChatLine, 'prompt_eval_count' | 'eval_count'>): Usage {
  return {
    inputTokens: isNumber(line.prompt_eval_count) ? line.prompt_eval_count : 0,
    outputTokens: isNumber(line.eval_count) ? line.eval_count : 0,
  };
}

export function finishReasonOf(line: OllamaChatLine, sawToolCalls: boolean): string {
  if (sawToolCalls) return 'tool_calls';
  return line.done_reason === 'length' ? 'length' : 'stop';
}

export function loadDurationMs(line: Pick<OllamaChatLine, 'load_duration'>): number | undefined {
  return isNumber(line.load_duration) ? line.load_duration / 1e6 : undefined;
}

export function completionId(): string {
  return `chatcmpl-${randomBytes(12).toString('base64url')}`;
}

function toolCalls(line: OllamaChatLine, startIndex: number): Array<Record<string, unknown>> | undefined {
  const calls = line.message?.tool_calls;
  if (!calls?.length) return undefined;
  return calls.map((call, offset) => ({
    index: startIndex + offset,
    id: `call_${randomBytes(9).toString('base64url')}`,
    type: 'function',
    function: { name: call.function?.name ?? '', arguments: JSON.stringify(call.function?.arguments ?? {}) },
  }));
}

/** A non-streamed answer as an OpenAI chat.completion. */
export function convertOllamaResponse(line: OllamaChatLine, requestedModel: string, outcome: CallOutcome): string {
  const calls = toolCalls(line, 0)?.map(({ index: _index, ...call }) => call);
  outcome.usage = ollamaUsage(line);
  outcome.finishReason = finishReasonOf(line, Boolean(calls?.length));
  outcome.upstreamModel = line.model ?? requestedModel;
  outcome.loadDurationMs = loadDurationMs(line);
  const message: Record<string, unknown> = { role: 'assistant', content: calls?.length && !line.message?.content ? null : (line.message?.content ?? '') };
  if (calls?.length) message.tool_calls = calls;
  if (line.message?.thinking) message.reasoning_content = line.message.thinking;
  return JSON.stringify({
    id: completionId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: outcome.upstreamModel,
    system_fingerprint: 'fp_ollama',
    choices: [{ index: 0, message, logprobs: null, finish_reason: outcome.finishReason }],
    usage: toOpenAIUsage(outcome.usage),
  });
}

/** Ollama's NDJSON lines as OpenAI chunks, as they arrive; an `error` line fails the stream. */
export async function* translateOllamaStream(lines: AsyncIterable<string>, requestedModel: string, outcome: CallOutcome, provider: ProviderId): AsyncGenerator<StreamChunk> {
  const id = completionId();
  const created = Math.floor(Date.now() / 1000);
  const head = `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(requestedModel)},"system_fingerprint":"fp_ollama","choices":[{"index":0,"delta":`;
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): StreamChunk => ({
    data: `${head}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${finish === null ? 'null' : JSON.stringify(finish)}}]}`,
  });
  let first = true;
  let toolCount = 0;
  for await (const text of lines) {
    let line: OllamaChatLine;
    try {
      line = JSON.parse(text) as OllamaChatLine;
    } catch {
      throw new UpstreamError(provider, 'protocol', `${provider} sent a line that is not JSON`);
    }
    if (line.error !== undefined) throw new UpstreamError(provider, 'protocol', `${provider} reported an error mid-stream: ${line.error}`);
    outcome.upstreamModel ??= line.model;
    const delta: Record<string, unknown> = first ? { role: 'assistant', content: '' } : {};
    const content = line.message?.content;
    if (content) delta.content = content;
    if (line.message?.thinking) delta.reasoning_content = line.message.thinking;
    const calls = toolCalls(line, toolCount);
    if (calls) {
      delta.tool_calls = calls;
      toolCount += calls.length;
    }
    if (first || content || delta.reasoning_content || calls) yield chunk(delta);
    first = false;
    if (line.done) {
      outcome.usage = ollamaUsage(line);
      outcome.finishReason = finishReasonOf(line, toolCount > 0);
      outcome.loadDurationMs = loadDurationMs(line);
      yield chunk({}, outcome.finishReason);
      yield {
        data: `{"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(requestedModel)},"system_fingerprint":"fp_ollama","choices":[],"usage":${JSON.stringify(toOpenAIUsage(outcome.usage))}}`,
        usageOnly: true,
      };
      return;
    }
  }
  // ollama-js treats this the same way: "Did not receive done or success response in stream."
  throw new UpstreamError(provider, 'connection', `${provider} ended the stream before its final (done) line`);
}
