import type { ServerResponse } from 'node:http';
import { writeChunk } from './http-double.js';
import { usageBody, type OpenAIFlavor } from './openai-flavors.js';
import { pauseBetweenChunks, randomAlphanumeric, replyPieces, sleep, type FaultBehaviour, type PlannedReply, type ReplyPiece } from './scenario.js';

/** Per-response identity and options shared by every chunk of one stream. */
export interface OpenAIStreamContext {
  flavor: OpenAIFlavor;
  id: string;
  created: number;
  model: string;
  fingerprint: string;
  /** stream_options.include_usage (providers.md 1.3). */
  includeUsage: boolean;
  /** OpenAI pads chunks with `obfuscation` unless stream_options.include_obfuscation is false. */
  obfuscate: boolean;
  /** Groq's x_groq.id (request id), on the first and the final chunk. */
  groqRequestId: string;
  toolCallIds: string[];
}

export interface StreamHooks {
  signal: AbortSignal;
  drop(): void;
  untilAborted(): Promise<void>;
}

const frame = (payload: unknown): string => `data: ${JSON.stringify(payload)}\n\n`;
// 3.4: OpenRouter keeps connections alive with SSE comments, one of them before any data.
const OPENROUTER_COMMENT = ': OPENROUTER PROCESSING\n\n';

/** Reasoning text is visible only where the service streams it (3.1 reasoning_content, 3.4 reasoning). */
function showsReasoning(flavor: OpenAIFlavor): boolean {
  return flavor === 'deepseek' || flavor === 'openrouter' || flavor === 'groq';
}

/** Mistral and Gemini send each tool call whole in one delta instead of argument fragments. */
function wholeToolCalls(flavor: OpenAIFlavor): boolean {
  return flavor === 'mistral' || flavor === 'gemini';
}

export function chunkEnvelope(context: OpenAIStreamContext, choices: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { id, created, model } = context;
  const object = 'chat.completion.chunk';
  switch (context.flavor) {
    case 'openai':
      return {
        id, object, created, model, service_tier: 'default', system_fingerprint: context.fingerprint, choices,
        ...(context.includeUsage ? { usage: null } : {}),
        ...extra,
        ...(context.obfuscate ? { obfuscation: randomAlphanumeric(4 + Math.floor(Math.random() * 12)) } : {}),
      };
    case 'openrouter':
      return { id, provider: 'OpenAI', model, object, created, choices, ...extra };
    case 'gemini':
      return { choices, created, id, model, object, ...extra };
    case 'mistral':
      return { id, object, created, model, choices, ...extra };
    default:
      return { id, object, created, model, system_fingerprint: context.fingerprint, choices, ...extra };
  }
}

export function streamChoice(context: OpenAIStreamContext, delta: Record<string, unknown>, finishReason: string | null): Record<string, unknown> {
  switch (context.flavor) {
    case 'openrouter':
      // OpenRouter repeats role on every delta and adds native_finish_reason.
      return { index: 0, delta: { role: 'assistant', ...delta }, finish_reason: finishReason, native_finish_reason: finishReason, logprobs: null };
    case 'mistral':
      return { index: 0, delta, finish_reason: finishReason };
    case 'gemini':
      return { delta: { role: 'assistant', ...delta }, finish_reason: finishReason, index: 0 };
    default:
      return { index: 0, delta, logprobs: null, finish_reason: finishReason };
  }
}

function roleDelta(context: OpenAIStreamContext, reply: PlannedReply): Record<string, unknown> {
  const toolOnly = !reply.text && reply.toolCalls.length > 0;
  if (context.flavor === 'openai') return { role: 'assistant', content: toolOnly ? null : '', refusal: null };
  if (context.flavor === 'deepseek' && reply.reasoning) return { role: 'assistant', content: null, reasoning_content: '' };
  return { role: 'assistant', content: '' };
}

function pieceDelta(context: OpenAIStreamContext, piece: ReplyPiece, reply: PlannedReply): Record<string, unknown> {
  const { flavor } = context;
  switch (piece.kind) {
    case 'reasoning':
      return flavor === 'deepseek' ? { content: null, reasoning_content: piece.text } : { content: '', reasoning: piece.text };
    case 'text':
      return flavor === 'deepseek' && reply.reasoning ? { content: piece.text, reasoning_content: null } : { content: piece.text };
    case 'tool-call-start': {
      const id = context.toolCallIds[piece.index];
      if (wholeToolCalls(flavor)) {
        const call = reply.toolCalls[piece.index];
        const fn = { name: piece.name, arguments: call?.arguments ?? '' };
        return { tool_calls: [flavor === 'mistral' ? { id, function: fn, index: piece.index } : { function: fn, id, type: 'function', index: piece.index }] };
      }
      return { tool_calls: [{ index: piece.index, id, type: 'function', function: { name: piece.name, arguments: '' } }] };
    }
    case 'tool-call-arguments':
      return { tool_calls: [{ index: piece.index, function: { arguments: piece.text } }] };
  }
}

/** The pieces this flavor actually shows on the wire. */
export function visiblePieces(context: OpenAIStreamContext, reply: PlannedReply): ReplyPiece[] {
  return replyPieces(reply).filter((piece) => {
    if (piece.kind === 'reasoning') return showsReasoning(context.flavor);
    if (piece.kind === 'tool-call-arguments') return !wholeToolCalls(context.flavor);
    return true;
  });
}

export function streamHeaders(extra: Record<string, string>): Record<string, string> {
  return { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...extra };
}

/**
 * Streams one chat completion (providers.md 1.3): role chunk, content deltas, a finish chunk with
 * an empty delta, the usage chunk when due, then [DONE]. A fault behaviour cuts it after
 * `afterChunks` content pieces (0 = right after the headers).
 */
export async function writeChatStream(response: ServerResponse, context: OpenAIStreamContext, reply: PlannedReply, headers: Record<string, string>, hooks: StreamHooks, fault?: FaultBehaviour): Promise<void> {
  const { flavor } = context;
  const openrouter = flavor === 'openrouter';
  if (!openrouter) await sleep(reply.firstByteDelayMs, hooks.signal);
  if (hooks.signal.aborted) return;
  response.writeHead(200, streamHeaders(headers));
  response.flushHeaders();
  if (openrouter) {
    writeChunk(response, OPENROUTER_COMMENT);
    await sleep(reply.firstByteDelayMs, hooks.signal);
  }
  const pieces = visiblePieces(context, reply);
  const limit = fault ? Math.min(fault.afterChunks, pieces.length) : pieces.length;
  const mistralTail = flavor === 'mistral' && !fault;

  if (!fault || fault.afterChunks > 0) {
    const first = chunkEnvelope(context, [streamChoice(context, roleDelta(context, reply), null)], flavor === 'groq' ? { x_groq: { id: context.groqRequestId } } : {});
    // Gemini has no separate role chunk: its first delta already carries text.
    if (flavor !== 'gemini') writeChunk(response, frame(first));
    for (let index = 0; index < limit; index++) {
      if (hooks.signal.aborted) return;
      const piece = pieces[index] as ReplyPiece;
      const isLast = index === limit - 1;
      if (mistralTail && isLast) break; // Mistral folds the last piece into its finish chunk
      writeChunk(response, frame(chunkEnvelope(context, [streamChoice(context, pieceDelta(context, piece, reply), null)])));
      if (openrouter && index === 0) writeChunk(response, OPENROUTER_COMMENT);
      await pauseBetweenChunks(reply.chunkDelayMs, hooks.signal);
    }
  }
  if (hooks.signal.aborted) return;

  if (fault) {
    if (fault.kind === 'drop') return hooks.drop();
    if (fault.kind === 'stall') return hooks.untilAborted();
    writeChunk(response, frame(midstreamError(context, fault)));
    response.end();
    return;
  }

  const usage = usageBody(flavor, reply.usage);
  if (mistralTail) {
    // Mistral capture: the last content chunk carries finish_reason and usage, always.
    const last = pieces[pieces.length - 1];
    const delta = last ? pieceDelta(context, last, reply) : { content: '' };
    writeChunk(response, frame(chunkEnvelope(context, [streamChoice(context, delta, reply.finishReason)], { usage })));
  } else {
    const finishExtra = flavor === 'groq' ? { x_groq: { id: context.groqRequestId, usage } } : {};
    const finishDelta = openrouter || flavor === 'gemini' ? { content: '' } : {};
    writeChunk(response, frame(chunkEnvelope(context, [streamChoice(context, finishDelta, reply.finishReason)], finishExtra)));
    // 3.4: OpenRouter always sends usage (with cost); the others only when asked (1.3).
    if (openrouter || context.includeUsage) {
      const usageChunk = chunkEnvelope({ ...context, includeUsage: false }, [], { usage });
      writeChunk(response, frame(usageChunk));
    }
  }
  writeChunk(response, 'data: [DONE]\n\n');
  response.end();
}

function midstreamError(context: OpenAIStreamContext, fault: Extract<FaultBehaviour, { kind: 'midstream-error' }>): unknown {
  const message = fault.message ?? 'The server had an error while processing your request. Sorry about that!';
  if (context.flavor === 'openrouter') {
    // 3.4: errors after streaming began arrive as a data chunk with an error field and finish_reason "error".
    return chunkEnvelope(context, [{ index: 0, delta: { content: '' }, finish_reason: 'error' }], { error: { code: fault.type ?? 'server_error', message } });
  }
  return { error: { message, type: fault.type ?? 'server_error', param: null, code: null } };
}

