import type { ServerResponse } from 'node:http';
import { sendJson, startHttpDouble, traceRefusal, writeChunk, type DoubleExchange } from './http-double.js';
import { modelRejection, promptTooLong, thinkingOmitted, validateMessagesBody } from './anthropic-validate.js';
import { sampleOf } from './json-schema-sample.js';
import {
  ANTHROPIC_MODELS,
  anthropicModel,
  contentBlocks,
  errorBody,
  modelsPage,
  newMessageId,
  newRequestId,
  newSignature,
  newToolUseId,
  PING_EVENT,
  sseEvent,
  statusOfErrorType,
  stopReason,
  usageBody,
} from './anthropic-wire.js';
import {
  BehaviourQueue,
  DEFAULT_BEHAVIOUR,
  contentText,
  echoText,
  estimateTokens,
  isRecord,
  planReply,
  replyPieces,
  pauseBetweenChunks,
  sleep,
  summarizeMessages,
  untilAborted,
  type Double,
  type FaultBehaviour,
  type PlannedReply,
  type ReplyBehaviour,
  type ReplyPiece,
  doubleOf,
} from './scenario.js';

export interface AnthropicDoubleOptions {
  /** When set, any other key is rejected with 401 authentication_error. */
  apiKey?: string;
  port?: number;
}

interface Rejection {
  status: number;
  message: string;
  headers?: Record<string, string>;
}

/**
 * A double of Anthropic's Messages API (providers.md section 2): POST /v1/messages (JSON or SSE),
 * POST /v1/messages/count_tokens and GET /v1/models. `url` is what ANTHROPIC_BASE_URL holds.
 */
export async function startAnthropicDouble(options: AnthropicDoubleOptions = {}): Promise<Double> {
  const behaviours = new BehaviourQueue();

  const http = await startHttpDouble(options.port ?? 0, async (exchange) => {
    const requestId = newRequestId();
    const path = exchange.url.pathname.replace(/\/+$/, '');
    const method = exchange.request.method ?? 'GET';
    const fail = (rejection: Rejection): void => {
      traceRefusal('anthropic', rejection.status, rejection.message, exchange.record.rawBody);
      sendJson(exchange.response, rejection.status, errorBody(rejection.status, requestId, rejection.message), { 'request-id': requestId, ...rejection.headers });
    };

    const known = (method === 'POST' && (path === '/v1/messages' || path === '/v1/messages/count_tokens')) || (method === 'GET' && path.startsWith('/v1/models'));
    if (!known) return fail({ status: 404, message: 'Not Found' });
    const unauthorized = authorize(exchange);
    if (unauthorized) return fail(unauthorized);
    // 2.1: the version header is mandatory; any date is accepted (SDK 1.12 sends 2026-10-21).
    if (!exchange.request.headers['anthropic-version']) return fail({ status: 400, message: 'anthropic-version: header is required' });

    if (method === 'GET') {
      const id = decodeURIComponent(path.slice('/v1/models'.length).replace(/^\//, ''));
      if (!id) return sendJson(exchange.response, 200, modelsPage(exchange.url.searchParams), { 'request-id': requestId });
      const model = ANTHROPIC_MODELS.find((candidate) => candidate.id === id);
      if (!model) return fail({ status: 404, message: `model: ${id}` });
      return sendJson(exchange.response, 200, { type: 'model', ...model }, { 'request-id': requestId });
    }

    const body = exchange.record.body;
    const countOnly = path === '/v1/messages/count_tokens';
    const betaHeader = exchange.request.headers['anthropic-beta'];
    const betas = (Array.isArray(betaHeader) ? betaHeader.join(',') : (betaHeader ?? '')).split(',').map((beta) => beta.trim());
    const invalid = validateMessagesBody(body, countOnly, betas);
    if (invalid) return fail({ status: 400, message: invalid });
    const request = body as Record<string, unknown>;
    const { chars, lastUserText } = summarizeMessages(request.messages as unknown[]);
    const promptChars = chars + contentText(request.system).length;
    const promptTokens = estimateTokens(promptChars);
    if (countOnly) return sendJson(exchange.response, 200, { input_tokens: promptTokens }, { 'request-id': requestId });
    const refused = modelRejection(request) ?? promptTooLong(request.model as string, promptTokens);
    if (refused) return fail({ status: 400, message: refused });

    const behaviour = behaviours.next();
    if (behaviour.kind === 'error') {
      await sleep(behaviour.delayMs ?? 0, exchange.signal);
      const headers: Record<string, string> = { 'request-id': requestId };
      if (behaviour.status === 429) Object.assign(headers, rateLimitHeaders());
      const failure = errorBody(behaviour.status, requestId, behaviour.message, behaviour.type);
      return sendJson(exchange.response, behaviour.status, failure, { ...headers, ...behaviour.headers });
    }
    const replyBehaviour: ReplyBehaviour = behaviour.kind === 'reply' ? behaviour : (DEFAULT_BEHAVIOUR as ReplyBehaviour);
    // The answer may not run past the window: what is left of it caps the output below max_tokens.
    const maxTokens = request.max_tokens as number;
    const windowLeft = anthropicModel(request.model as string).info.max_input_tokens - promptTokens;
    const reply = planReply(replyBehaviour, {
      promptChars,
      lastUserText,
      maxOutputTokens: Math.min(maxTokens, windowLeft),
      defaultText: structuredDefault(request.output_config, lastUserText),
    });
    const windowCut = reply.finishReason === 'length' && windowLeft < maxTokens;
    const fault = behaviour.kind === 'reply' ? undefined : behaviour;
    const message: MessageIdentity = {
      id: newMessageId(),
      model: request.model as string,
      toolUseIds: reply.toolCalls.map(() => newToolUseId()),
      signature: newSignature(),
      omitThinking: thinkingOmitted(request),
      stopReason: stopReason(reply, windowCut),
    };

    if (request.stream === true) return streamMessage(exchange, requestId, message, reply, fault);
    if (fault?.kind === 'stall') return untilAborted(exchange.signal);
    if (fault?.kind === 'drop') return exchange.drop();
    if (fault?.kind === 'midstream-error') {
      const type = fault.type ?? 'overloaded_error';
      return sendJson(exchange.response, statusOfErrorType(type), errorBody(statusOfErrorType(type), requestId, fault.message, type), { 'request-id': requestId });
    }
    await sleep(reply.firstByteDelayMs, exchange.signal);
    if (exchange.signal.aborted) return;
    sendJson(
      exchange.response,
      200,
      {
        id: message.id,
        type: 'message',
        role: 'assistant',
        model: message.model,
        content: contentBlocks(reply, message.toolUseIds, message.signature, message.omitThinking),
        stop_reason: message.stopReason,
        stop_sequence: null,
        usage: usageBody(reply.usage, reply.usage.outputTokens),
      },
      { 'request-id': requestId },
    );
  });

  /** 2.1: the key comes as x-api-key or as Authorization: Bearer (what SDK 1.12 sends). */
  function authorize(exchange: DoubleExchange): Rejection | undefined {
    const headers = exchange.request.headers;
    const bearer = typeof headers.authorization === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization)?.[1] : undefined;
    const presented = typeof headers['x-api-key'] === 'string' && headers['x-api-key'] ? headers['x-api-key'] : bearer;
    if (presented === undefined) return { status: 401, message: 'x-api-key header is required' };
    if (options.apiKey !== undefined && presented !== options.apiKey) return { status: 401, message: 'invalid x-api-key' };
    return undefined;
  }

  return doubleOf(http, behaviours);
}

/**
 * output_config.format (a JSON schema) constrains the answer: the default reply is JSON valid
 * against it (SDK 1.12 OutputConfig; structured outputs). A scripted text is sent as given.
 */
function structuredDefault(outputConfig: unknown, lastUserText: string): string | undefined {
  if (!isRecord(outputConfig) || !isRecord(outputConfig.format) || outputConfig.format.type !== 'json_schema') return undefined;
  return JSON.stringify(sampleOf(outputConfig.format.schema, echoText(lastUserText)));
}

function rateLimitHeaders(): Record<string, string> {
  const reset = new Date(Date.now() + 20_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    'retry-after': '1',
    'anthropic-ratelimit-requests-limit': '50',
    'anthropic-ratelimit-requests-remaining': '0',
    'anthropic-ratelimit-requests-reset': reset,
    'anthropic-ratelimit-tokens-limit': '40000',
    'anthropic-ratelimit-tokens-remaining': '0',
    'anthropic-ratelimit-tokens-reset': reset,
  };
}

interface MessageIdentity {
  id: string;
  model: string;
  toolUseIds: string[];
  signature: string;
  /** Thinking display omitted: thinking blocks keep their place and signature, not their text. */
  omitThinking: boolean;
  stopReason: string;
}

/**
 * Streams a Message in the fixture order of 2.4 / Appendix A: message_start (output_tokens 1),
 * per block content_block_start / deltas / content_block_stop with one ping after the first
 * block start, then message_delta (cumulative output_tokens) and message_stop.
 */
async function streamMessage(exchange: DoubleExchange, requestId: string, message: MessageIdentity, reply: PlannedReply, fault?: FaultBehaviour): Promise<void> {
  const { response, signal } = exchange;
  await sleep(reply.firstByteDelayMs, signal);
  if (signal.aborted) return;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'request-id': requestId });
  response.flushHeaders();

  const pieces = replyPieces(reply);
  const limit = fault ? Math.min(fault.afterChunks, pieces.length) : pieces.length;
  if (!fault || fault.afterChunks > 0) {
    const usage = usageBody(reply.usage, 1);
    const start = { id: message.id, type: 'message', role: 'assistant', model: message.model, content: [], stop_reason: null, stop_sequence: null, usage };
    writeChunk(response, sseEvent('message_start', { type: 'message_start', message: start }));
    const blocks = new BlockWriter(response, message, reply);
    if (!pieces.length) blocks.open({ kind: 'text', text: '' });
    for (let index = 0; index < limit; index++) {
      if (signal.aborted) return;
      blocks.write(pieces[index] as ReplyPiece);
      await pauseBetweenChunks(reply.chunkDelayMs, signal);
    }
    if (!fault) {
      blocks.close();
      const delta = { type: 'message_delta', delta: { stop_reason: message.stopReason, stop_sequence: null }, usage: { output_tokens: reply.usage.outputTokens } };
      writeChunk(response, sseEvent('message_delta', delta));
      writeChunk(response, sseEvent('message_stop', { type: 'message_stop' }));
      response.end();
      return;
    }
  }
  if (signal.aborted || !fault) return;
  if (fault.kind === 'drop') return exchange.drop();
  if (fault.kind === 'stall') return untilAborted(signal);
  // 2.4: an error event after HTTP 200 was sent, then the stream ends.
  const error = { type: 'error', error: { type: fault.type ?? 'overloaded_error', message: fault.message ?? 'Overloaded' } };
  writeChunk(response, sseEvent('error', error));
  response.end();
}

/** Turns reply pieces into content blocks, opening and closing blocks as the piece kind changes. */
class BlockWriter {
  private index = -1;
  private current: 'thinking' | 'text' | 'tool_use' | undefined;
  private pinged = false;

  constructor(
    private readonly response: ServerResponse,
    private readonly message: MessageIdentity,
    private readonly reply: PlannedReply,
  ) {}

  open(piece: ReplyPiece): void {
    this.close();
    this.index++;
    let block: unknown;
    if (piece.kind === 'reasoning') [this.current, block] = ['thinking', { type: 'thinking', thinking: '', signature: '' }];
    else if (piece.kind === 'text') [this.current, block] = ['text', { type: 'text', text: '' }];
    else {
      const name = piece.kind === 'tool-call-start' ? piece.name : (this.reply.toolCalls[piece.index]?.name ?? '');
      [this.current, block] = ['tool_use', { type: 'tool_use', id: this.message.toolUseIds[piece.index], name, input: {} }];
    }
    this.emit('content_block_start', { type: 'content_block_start', index: this.index, content_block: block });
    if (!this.pinged) {
      this.pinged = true;
      writeChunk(this.response, PING_EVENT);
    }
  }

  write(piece: ReplyPiece): void {
    const kind = piece.kind === 'reasoning' ? 'thinking' : piece.kind === 'text' ? 'text' : 'tool_use';
    if (piece.kind === 'tool-call-start' || kind !== this.current) this.open(piece);
    switch (piece.kind) {
      case 'reasoning':
        // An omitted display sends no thinking text, only the block and its signature.
        if (this.message.omitThinking) return;
        return this.delta({ type: 'thinking_delta', thinking: piece.text });
      case 'text':
        return this.delta({ type: 'text_delta', text: piece.text });
      case 'tool-call-start':
        // 2.4: the first input_json_delta of a tool_use block is empty.
        return this.delta({ type: 'input_json_delta', partial_json: '' });
      case 'tool-call-arguments':
        return this.delta({ type: 'input_json_delta', partial_json: piece.text });
    }
  }

  close(): void {
    if (this.current === undefined) return;
    if (this.current === 'thinking') this.delta({ type: 'signature_delta', signature: this.message.signature });
    this.emit('content_block_stop', { type: 'content_block_stop', index: this.index });
    this.current = undefined;
  }

  private delta(delta: Record<string, unknown>): void {
    this.emit('content_block_delta', { type: 'content_block_delta', index: this.index, delta });
  }

  private emit(type: string, data: unknown): void {
    writeChunk(this.response, sseEvent(type, data));
  }
}

