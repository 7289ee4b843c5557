import type { ServerResponse } from 'node:http';
import type { AnthropicProvider } from '../../providers/anthropic/anthropic-provider.js';
import { convertAnthropicUsage } from '../../providers/anthropic/convert-anthropic-usage.js';
import { SseParser, type SseEvent } from '../../providers/http/sse.js';
import type { CallOutcome } from '../../providers/spec/provider.js';
import type { AnswerObserver } from '../chat/answer-capture.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { relayPassThrough, type PassThroughFormat, type SideReader } from '../chat/pass-through-relay.js';
import type { OutputCeiling } from '../../router/model-limits.js';

export interface PassThroughInput {
  /** The client's body, byte for byte. */
  raw: string;
  /** The model the client named; when the router chose another Anthropic model, only that field changes. */
  requestedModel: string;
  stream: boolean;
  /** `/v1/messages` and the client's query (`?beta=true`). */
  path: string;
  /** The client's anthropic-version and anthropic-beta. */
  headers: Record<string, string>;
  response: ServerResponse;
  extraHeaders: Record<string, string>;
  /** max_tokens lowered to what this model can write, when the client asked for more. */
  ceiling?: OutputCeiling | undefined;
  /** Reads the answer as it goes out, for the files it edits. */
  observer?: AnswerObserver | undefined;
}

/**
 * An Anthropic candidate for a Messages request: the request goes as the client sent it, and the
 * answer comes back as Anthropic sent it, byte for byte, read on the side for its usage (input
 * uncached, cache reads and writes, output) and stop reason. The ledger has the request before
 * the stream's message_stop goes out.
 */
export async function passThroughAttempt(attempt: Attempt, input: PassThroughInput, finished: (result: DispatchResult) => void): Promise<void> {
  const provider = attempt.provider as AnthropicProvider;
  const body = forAnthropic(input.raw, input.requestedModel, attempt.candidate.model, input.ceiling?.maxTokens);
  const upstream = await provider.passThrough({ path: input.path, body, headers: input.headers, stream: input.stream, signal: attempt.signal });
  await relayPassThrough(attempt, upstream, { stream: input.stream, response: input.response, extraHeaders: input.extraHeaders, observer: input.observer }, MESSAGES_FORMAT, finished);
}

/** Anthropic's Messages format, as a pass-through reads and ends it. */
const MESSAGES_FORMAT: PassThroughFormat = {
  provider: 'anthropic',
  relayedHeaders: ['request-id'],
  readWhole: (text, outcome) => {
    readMessage(text, outcome);
    return 'ok';
  },
  reader: (outcome) => new UsageScanner(outcome),
  errorFrame: (_reader, message) => errorEvent('api_error', message),
  terminal: 'message_stop',
};

/**
 * The body for Anthropic: the client's bytes, unless the router chose another Anthropic model
 * (only the model's value changes, in place) or the history holds thinking blocks without a
 * signature (written by another provider's answer earlier in the session, which Anthropic
 * refuses: they are left out).
 */
export function forAnthropic(raw: string, requested: string, model: string, maxTokens?: number): string {
  let body = raw;
  if (model !== requested) {
    const field = `"model":${JSON.stringify(requested)}`;
    const at = body.indexOf(field);
    body = at !== -1 && body.indexOf(field, at + 1) === -1 ? `${body.slice(0, at)}"model":${JSON.stringify(model)}${body.slice(at + field.length)}` : JSON.stringify({ ...(JSON.parse(body) as object), model });
  }
  if (maxTokens !== undefined) body = withMaxTokens(body, maxTokens);
  if (body.includes('"signature":""')) body = withoutUnsignedThinking(body);
  return body;
}

/** Anthropic requires a thinking budget below max_tokens: one that no longer fits is lowered with it. */
const MIN_THINKING_BUDGET = 1024;

/**
 * The body with max_tokens lowered to what the model can write (the only change: the rest goes
 * as the client wrote it), and a thinking budget_tokens kept below it as Anthropic requires.
 */
function withMaxTokens(raw: string, maxTokens: number): string {
  const parsed = JSON.parse(raw) as { max_tokens?: number; thinking?: { budget_tokens?: number } };
  parsed.max_tokens = maxTokens;
  const budget = parsed.thinking?.budget_tokens;
  if (parsed.thinking && typeof budget === 'number' && budget >= maxTokens) parsed.thinking.budget_tokens = Math.max(MIN_THINKING_BUDGET, Math.floor(maxTokens / 2));
  return JSON.stringify(parsed);
}

function withoutUnsignedThinking(raw: string): string {
  const parsed = JSON.parse(raw) as { messages?: Array<{ content?: unknown }> };
  let changed = false;
  for (const message of parsed.messages ?? []) {
    if (!Array.isArray(message.content)) continue;
    const kept = message.content.filter((block) => !((block as { type?: string }).type === 'thinking' && (block as { signature?: string }).signature === ''));
    if (kept.length !== message.content.length) {
      message.content = kept.length ? kept : [{ type: 'text', text: '' }];
      changed = true;
    }
  }
  return changed ? JSON.stringify(parsed) : raw;
}

function readMessage(text: string, outcome: CallOutcome): void {
  try {
    const message = JSON.parse(text) as { model?: string; stop_reason?: string; usage?: unknown };
    convertAnthropicUsage(message.usage, outcome.usage);
    outcome.finishReason = message.stop_reason;
    outcome.upstreamModel = message.model;
  } catch {
    // not JSON: passed on as it is, with no usage known
  }
}

export function errorEvent(type: string, message: string): string {
  return `event: error\ndata: ${JSON.stringify({ type: 'error', error: { type, message } })}\n\n`;
}

/**
 * Reads Anthropic's stream as it passes, with the SSE parser every stream uses, for what the
 * ledger needs: message_start's usage (input, cache), message_delta's cumulative usage and stop
 * reason; says when message_stop arrives. Events go by their name (a text that mentions
 * "message_stop" is not one); only those two are parsed.
 */
export class UsageScanner implements SideReader {
  private readonly outcome: CallOutcome;
  private readonly parser = new SseParser((event) => this.read(event));
  private stopped = false;

  constructor(outcome: CallOutcome) {
    this.outcome = outcome;
  }

  /** 'ok' once this chunk completes the message_stop event. */
  push(chunk: Buffer): 'ok' | undefined {
    this.parser.push(chunk);
    return this.stopped ? 'ok' : undefined;
  }

  private read(event: SseEvent): void {
    if (event.event === 'message_stop') {
      this.stopped = true;
      return;
    }
    if (event.event !== 'message_start' && event.event !== 'message_delta') return;
    try {
      const payload = JSON.parse(event.data) as { message?: { model?: string; usage?: unknown }; delta?: { stop_reason?: string }; usage?: unknown };
      if (event.event === 'message_start') {
        this.outcome.upstreamModel = payload.message?.model;
        convertAnthropicUsage(payload.message?.usage, this.outcome.usage);
      } else {
        convertAnthropicUsage(mergedDeltaUsage(payload.usage, this.outcome), this.outcome.usage);
        if (payload.delta?.stop_reason) this.outcome.finishReason = payload.delta.stop_reason;
      }
    } catch {
      // not JSON: relayed all the same
    }
  }
}

/**
 * message_delta's usage is cumulative and its input fields may be absent or null: what
 * message_start said of the input stands unless the delta restates it.
 */
function mergedDeltaUsage(raw: unknown, outcome: CallOutcome): unknown {
  if (!raw || typeof raw !== 'object') return raw;
  const delta = raw as Record<string, unknown>;
  const known = outcome.usage;
  const read = typeof delta.cache_read_input_tokens === 'number' ? delta.cache_read_input_tokens : (known.cachedInputTokens ?? 0);
  const write = typeof delta.cache_creation_input_tokens === 'number' ? delta.cache_creation_input_tokens : (known.cacheWriteTokens ?? 0);
  const uncached = typeof delta.input_tokens === 'number' ? delta.input_tokens : known.inputTokens === undefined ? undefined : known.inputTokens - (known.cachedInputTokens ?? 0) - (known.cacheWriteTokens ?? 0);
  return { input_tokens: uncached, cache_read_input_tokens: read, cache_creation_input_tokens: write, output_tokens: delta.output_tokens };
}
