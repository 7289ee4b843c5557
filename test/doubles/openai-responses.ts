import { sendJson, traceRefusal, writeChunk, type DoubleExchange } from './http-double.js';
import { errorBody, flavorHeaders, type Failure } from './openai-flavors.js';
import { isOpenAIReasoningModel } from './model-limits.js';
import { sampleOf } from './json-schema-sample.js';
import { newResponseId, planOutput, responseObject, type OutputItem, type ResponseShape } from './openai-responses-output.js';
import { ResponsesStreamWriter } from './openai-responses-stream.js';
import { bad, contextOverflow, summarizeInput, tokensOf, validateResponsesRequest, type StoredTurn } from './openai-responses-validate.js';
import { DEFAULT_BEHAVIOUR, echoText, isRecord, planReply, randomHex, sleep, untilAborted, type BehaviourQueue, type ReplyBehaviour } from './scenario.js';

/**
 * OpenAI's Responses API in the OpenAI double: POST {base}/responses, JSON and SSE
 * (responses-api.md sections 1-5), scripted through the same behaviour queue as Chat
 * Completions. Responses are stored unless `store: false`, so `previous_response_id` can name
 * them; a name this double never stored is refused as OpenAI refuses it.
 */
export interface ResponsesEndpoint {
  handle(exchange: DoubleExchange): Promise<void>;
}

export function startResponsesEndpoint(options: { behaviours: BehaviourQueue }): ResponsesEndpoint {
  const stored = new Map<string, StoredTurn>();
  const requestId = (): string => `req_${randomHex(32)}`;
  const headers = (limited = false): Record<string, string> => flavorHeaders('openai', requestId(), limited);
  const reject = (exchange: DoubleExchange, failure: Failure): void => {
    traceRefusal('openai responses', failure.status, failure.body, exchange.record.rawBody);
    sendJson(exchange.response, failure.status, failure.body, { ...headers(failure.status === 429), ...failure.headers });
  };

  async function handle(exchange: DoubleExchange): Promise<void> {
    const body = exchange.record.body;
    if (!isRecord(body)) {
      return reject(
        exchange,
        bad(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
          null,
          null,
        ),
      );
    }
    const invalid = validateResponsesRequest({ request: body, lookup: (id) => stored.get(id) });
    if (invalid) return reject(exchange, invalid);

    const model = body.model as string;
    const previous = typeof body.previous_response_id === 'string' ? stored.get(body.previous_response_id) : undefined;
    const input = summarizeInput(body);
    const promptChars = input.chars + (previous?.chars ?? 0);
    const stream = body.stream === true;
    const shape: ResponseShape = { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), model, request: body };
    const overflow = contextOverflow(model, tokensOf(promptChars), typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined);
    if (overflow) {
      if (!stream) return reject(exchange, overflow);
      traceRefusal('openai responses', overflow.status, overflow.body, exchange.record.rawBody);
      return streamOverflow(exchange, shape, overflow, headers());
    }

    const behaviour = options.behaviours.next();
    if (behaviour.kind === 'error') {
      await sleep(behaviour.delayMs ?? 0, exchange.signal);
      const extra: Record<string, string> = behaviour.status === 429 ? { 'retry-after': '1' } : {};
      const failureBody = errorBody('openai', { status: behaviour.status, message: behaviour.message, type: behaviour.type, model });
      return sendJson(exchange.response, behaviour.status, failureBody, { ...headers(behaviour.status === 429), ...extra, ...behaviour.headers });
    }
    const replyBehaviour: ReplyBehaviour = behaviour.kind === 'reply' ? behaviour : (DEFAULT_BEHAVIOUR as ReplyBehaviour);
    const reasoningModel = isOpenAIReasoningModel(model);
    // A model that does not reason shows and bills none, whatever the script says.
    const reply = planReply(reasoningModel ? replyBehaviour : { ...replyBehaviour, reasoning: '' }, {
      promptChars,
      lastUserText: input.lastUserText,
      maxOutputTokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : undefined,
      defaultText: structuredDefault(body.text, input.lastUserText),
    });
    const items = planOutput(reply, body, reasoningModel);
    const fault = behaviour.kind === 'reply' ? undefined : behaviour;

    if (!fault && body.store !== false) {
      const callIds = new Set([...(previous?.callIds ?? []), ...input.callIds, ...items.flatMap((item) => (typeof item.call_id === 'string' ? [item.call_id] : []))]);
      const outputChars = reply.text.length + reply.toolCalls.reduce((sum, call) => sum + call.arguments.length, 0);
      stored.set(shape.id, { callIds, chars: promptChars + outputChars });
    }

    if (stream) {
      const streamOptions = isRecord(body.stream_options) ? body.stream_options : {};
      const writer = new ResponsesStreamWriter(exchange.response, shape, streamOptions.include_obfuscation !== false);
      const hooks = { signal: exchange.signal, drop: () => exchange.drop(), untilAborted: () => untilAborted(exchange.signal) };
      return writer.write(items, reply, headers(), hooks, fault);
    }

    // Non-streamed: a fault becomes a server error, a hang, or a cut connection.
    if (fault?.kind === 'stall') return untilAborted(exchange.signal);
    if (fault?.kind === 'drop') return exchange.drop();
    if (fault?.kind === 'midstream-error') return sendJson(exchange.response, 500, errorBody('openai', { status: 500, message: fault.message, type: fault.type }), headers());
    await sleep(reply.firstByteDelayMs, exchange.signal);
    if (exchange.signal.aborted) return;
    const status = reply.finishReason === 'length' ? 'incomplete' : 'completed';
    sendJson(exchange.response, 200, responseObject(shape, status, items as OutputItem[], reply.usage), headers());
  }

  return { handle };
}

/** A json_schema text format constrains the output: the default reply is a sample of it. */
function structuredDefault(text: unknown, lastUserText: string): string | undefined {
  if (!isRecord(text) || !isRecord(text.format) || text.format.type !== 'json_schema') return undefined;
  return JSON.stringify(sampleOf(text.format.schema, echoText(lastUserText)));
}

/**
 * A streamed request over the window: the stream opens, then an `error` event carries the
 * refusal (dyad#1672, opencode#6071: {"type":"error","sequence_number":2,"error":{...}}) and
 * the stream ends. The openai SDK throws it as an APIError.
 */
function streamOverflow(exchange: DoubleExchange, shape: ResponseShape, failure: Failure, headers: Record<string, string>): void {
  const { response } = exchange;
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
  const frame = (type: string, data: Record<string, unknown>): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  const created = responseObject(shape, 'in_progress', [], undefined);
  writeChunk(response, frame('response.created', { type: 'response.created', sequence_number: 0, response: created }));
  writeChunk(response, frame('response.in_progress', { type: 'response.in_progress', sequence_number: 1, response: created }));
  const error = (failure.body as { error: { message: string; param: string | null; code: string | null } }).error;
  writeChunk(response, frame('error', { type: 'error', sequence_number: 2, error: { type: 'invalid_request_error', code: error.code, message: error.message, param: error.param } }));
  response.end();
}
