import { randomBytes } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { HttpDouble } from './http-double.js';

/**
 * Shared behaviour scripting for the upstream doubles. A test queues behaviours (one per
 * generation request, FIFO); when the queue is empty the default behaviour applies.
 *
 * A behaviour is consumed by each request that reaches the generation stage: requests rejected
 * earlier (bad key, invalid body, unknown model) and Ollama's load/unload requests (empty
 * messages or prompt) consume nothing, as a real service would never get that far.
 */
export type Behaviour =
  | {
      kind: 'reply';
      text?: string;
      reasoning?: string;
      toolCalls?: Array<{ name: string; arguments: string }>;
      usage?: Partial<DoubleUsage>;
      firstByteDelayMs?: number;
      chunkDelayMs?: number;
      chunkSize?: number;
      finishReason?: 'stop' | 'length' | 'tool_calls';
    }
  | { kind: 'error'; status: number; message?: string; type?: string; headers?: Record<string, string>; delayMs?: number }
  | { kind: 'midstream-error'; afterChunks: number; message?: string; type?: string }
  /** Send that many content chunks, then go silent with the connection left open. */
  | { kind: 'stall'; afterChunks: number }
  /** Send that many content chunks, then destroy the socket (no terminator). */
  | { kind: 'drop'; afterChunks: number };

export type ReplyBehaviour = Extract<Behaviour, { kind: 'reply' }>;
/** The behaviours that break a response partway: mid-stream error, stall, drop. */
export type FaultBehaviour = Extract<Behaviour, { kind: 'midstream-error' | 'stall' | 'drop' }>;

/**
 * Token usage in one neutral shape; each double renders it in its provider's semantics.
 * - inputTokens is the TOTAL input, cache reads and writes included (OpenAI's prompt_tokens).
 *   The Anthropic double therefore reports input_tokens = inputTokens - cacheRead - cacheWrite
 *   (providers.md 2.3), DeepSeek reports hit = cacheRead and miss = inputTokens - cacheRead (3.1).
 * - outputTokens is the TOTAL output, reasoning included (OpenAI's completion_tokens).
 */
export interface DoubleUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  body: unknown;
  rawBody: string;
  receivedAt: number;
  /** Which TCP connection it came on (1, 2, ... in the order they were accepted): keep-alive reuse shows here. */
  connection: number;
  /** True when the client disconnected before the response ended. */
  aborted: boolean;
}

export interface Double {
  url: string;
  port: number;
  requests: RecordedRequest[];
  enqueue(...behaviours: Behaviour[]): void;
  setDefault(behaviour: Behaviour): void;
  reset(): void;
  close(): Promise<void>;
}

/** The Double a test holds: the server's address and record, and its queue of behaviours. */
export function doubleOf(http: HttpDouble, behaviours: BehaviourQueue, url = http.origin): Double {
  return {
    url,
    port: http.port,
    requests: http.requests,
    enqueue: (...items) => behaviours.enqueue(...items),
    setDefault: (behaviour) => behaviours.setDefault(behaviour),
    reset: () => {
      behaviours.reset();
      http.requests.length = 0;
    },
    close: () => http.close(),
  };
}

export const DEFAULT_BEHAVIOUR: Behaviour = { kind: 'reply' };
export const DEFAULT_CHUNK_SIZE = 8;
const ECHO_LIMIT = 64;

/** The FIFO of scripted behaviours plus the default, shared by every double. */
export class BehaviourQueue {
  private queue: Behaviour[] = [];
  private fallback: Behaviour = DEFAULT_BEHAVIOUR;

  enqueue(...behaviours: Behaviour[]): void {
    this.queue.push(...behaviours);
  }

  setDefault(behaviour: Behaviour): void {
    this.fallback = behaviour;
  }

  next(): Behaviour {
    return this.queue.shift() ?? this.fallback;
  }

  reset(): void {
    this.queue = [];
    this.fallback = DEFAULT_BEHAVIOUR;
  }
}

/** What one generation will produce, already resolved from the behaviour and the request. */
export interface PlannedReply {
  text: string;
  reasoning: string;
  toolCalls: Array<{ name: string; arguments: string }>;
  usage: DoubleUsage;
  finishReason: 'stop' | 'length' | 'tool_calls';
  chunkSize: number;
  chunkDelayMs: number;
  firstByteDelayMs: number;
}

export interface ReplyInput {
  /** Characters of all input text (messages, system prompt). */
  promptChars: number;
  /** The last user message's text, for the default echo reply. */
  lastUserText: string;
  /** The request's output cap in tokens (max_tokens, num_predict), if any. */
  maxOutputTokens?: number | undefined;
  /** The text of an unscripted reply instead of the echo: JSON valid against a requested schema. */
  defaultText?: string | undefined;
  /** The reasoning of a reply whose script gives none (a model that always thinks, as DeepSeek's do). */
  defaultReasoning?: string | undefined;
}

export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

export function echoText(lastUserText: string): string {
  const text = lastUserText.replace(/\s+/g, ' ').trim();
  const shown = text.length > ECHO_LIMIT ? `${text.slice(0, ECHO_LIMIT)}...` : text;
  return `Echo: ${shown || '(no user message)'}`;
}

/**
 * Resolves a reply behaviour against a request. Defaults: text echoes the last user message (or
 * is the request's `defaultText`: JSON for a structured-output request), reasoning is the
 * request's `defaultReasoning` or none, input tokens ~ chars/4, output tokens ~ (text +
 * reasoning + tool arguments)/4. When the
 * computed output exceeds the request's cap, the reply is cut there with finish reason
 * 'length', as a real model would stop; explicit usage overrides still win afterwards.
 */
export function planReply(behaviour: ReplyBehaviour, input: ReplyInput): PlannedReply {
  const toolCalls = behaviour.toolCalls ?? [];
  let text = behaviour.text ?? (toolCalls.length ? '' : (input.defaultText ?? echoText(input.lastUserText)));
  let reasoning = behaviour.reasoning ?? input.defaultReasoning ?? '';
  let calls = toolCalls;
  let finishReason = behaviour.finishReason ?? (toolCalls.length ? 'tool_calls' : 'stop');
  const reasoningTokens = estimateTokens(reasoning.length);
  const toolChars = calls.reduce((sum, call) => sum + call.name.length + call.arguments.length, 0);
  let outputTokens = estimateTokens(text.length) + reasoningTokens + estimateTokens(toolChars);
  const cap = input.maxOutputTokens;
  if (cap !== undefined && cap >= 0 && outputTokens > cap) {
    const reasoningKept = Math.min(reasoning.length, cap * 4);
    reasoning = reasoning.slice(0, reasoningKept);
    text = text.slice(0, Math.max(0, cap * 4 - reasoningKept));
    calls = [];
    finishReason = 'length';
    outputTokens = cap;
  }
  const usage: DoubleUsage = {
    inputTokens: estimateTokens(input.promptChars),
    outputTokens,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: Math.min(estimateTokens(reasoning.length), outputTokens),
    ...definedOnly(behaviour.usage ?? {}),
  };
  return {
    text,
    reasoning,
    toolCalls: calls,
    usage,
    finishReason,
    chunkSize: Math.max(1, behaviour.chunkSize ?? DEFAULT_CHUNK_SIZE),
    chunkDelayMs: behaviour.chunkDelayMs ?? 0,
    firstByteDelayMs: behaviour.firstByteDelayMs ?? 0,
  };
}

function definedOnly(usage: Partial<DoubleUsage>): Partial<DoubleUsage> {
  return Object.fromEntries(Object.entries(usage).filter(([, value]) => value !== undefined)) as Partial<DoubleUsage>;
}

/**
 * One content-bearing step of a streamed reply, in the order every provider streams them:
 * reasoning first, then text, then each tool call (a start, then argument fragments).
 * A fault behaviour's afterChunks counts these pieces.
 */
export type ReplyPiece =
  | { kind: 'reasoning'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'tool-call-start'; index: number; name: string }
  | { kind: 'tool-call-arguments'; index: number; text: string };

export function replyPieces(reply: PlannedReply): ReplyPiece[] {
  const pieces: ReplyPiece[] = [];
  for (const part of splitText(reply.reasoning, reply.chunkSize)) pieces.push({ kind: 'reasoning', text: part });
  for (const part of splitText(reply.text, reply.chunkSize)) pieces.push({ kind: 'text', text: part });
  reply.toolCalls.forEach((call, index) => {
    pieces.push({ kind: 'tool-call-start', index, name: call.name });
    for (const part of splitText(call.arguments, reply.chunkSize)) pieces.push({ kind: 'tool-call-arguments', index, text: part });
  });
  return pieces;
}

export function splitText(text: string, size: number): string[] {
  const parts: string[] = [];
  // Split on code points, never inside a surrogate pair.
  const points = Array.from(text);
  for (let start = 0; start < points.length; start += size) parts.push(points.slice(start, start + size).join(''));
  return parts;
}

/** Waits, but returns early (without throwing) when the signal fires. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: the caller checks signal.aborted
  }
}

/** Between streamed chunks: the configured delay, or one event-loop turn so each write leaves separately. */
export async function pauseBetweenChunks(ms: number, signal: AbortSignal): Promise<void> {
  if (ms > 0) await sleep(ms, signal);
  else await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Resolves when the signal fires; used by 'stall' to keep a connection open and silent. */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE62[byte % BASE62.length];
  return out;
}

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

/** Concatenated text of a message content that is a string or an array of typed parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) => {
      if (typeof part === 'string') return part;
      if (part && typeof part === 'object') {
        const record = part as Record<string, unknown>;
        if (typeof record.text === 'string') return record.text;
        if ('content' in record) return contentText(record.content);
      }
      return '';
    })
    .join('');
}

/** Input size and last user text of a chat-style messages array. */
export function summarizeMessages(messages: unknown[]): { chars: number; lastUserText: string } {
  let chars = 0;
  let lastUserText = '';
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const record = message as Record<string, unknown>;
    const text = contentText(record.content);
    chars += text.length;
    if (record.role === 'user' && text) lastUserText = text;
  }
  return { chars, lastUserText };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
