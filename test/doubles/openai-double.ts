import { sendJson, startHttpDouble, traceRefusal, type DoubleExchange } from './http-double.js';
import {
  authFailure,
  basePaths,
  completionId,
  errorBody,
  FLAVOR_MODELS,
  flavorHeaders,
  flavorRejection,
  toolCallId,
  usageBody,
  type Failure,
  type OpenAIFlavor,
} from './openai-flavors.js';
import { writeChatStream, type OpenAIStreamContext } from './openai-stream.js';
import { parameterRejection } from './openai-params.js';
import { limitRejection, type SizeRequest } from './openai-limits.js';
import { deepseekDeserializationError, deepseekThinking, deepseekThinkingRejection, DEFAULT_DEEPSEEK_REASONING } from './deepseek-rules.js';
import { sampleOf } from './json-schema-sample.js';
import { tableOf, tokensOf } from './model-limits.js';
import { startResponsesEndpoint, type ResponsesEndpoint } from './openai-responses.js';
import {
  BehaviourQueue,
  DEFAULT_BEHAVIOUR,
  echoText,
  isRecord,
  planReply,
  randomAlphanumeric,
  randomHex,
  sleep,
  summarizeMessages,
  untilAborted,
  type Double,
  type PlannedReply,
  type ReplyBehaviour,
  doubleOf,
} from './scenario.js';

export type { OpenAIFlavor } from './openai-flavors.js';

export interface OpenAIDoubleOptions {
  flavor?: OpenAIFlavor;
  /** When set, any other key is rejected with the flavor's 401 (or Google's 400/403). */
  apiKey?: string;
  port?: number;
}

/**
 * A double of OpenAI's Chat Completions API (providers.md section 1) and of the OpenAI-compatible
 * services in section 3, chosen by `flavor`. Serves POST {base}/chat/completions and GET {base}/models,
 * and for OpenAI itself POST {base}/responses (openai-responses.ts). A request without any Bearer
 * key is always rejected, as every real service does; what each service refuses besides (fields,
 * values, output caps, windows) is refused in its words before any behaviour is consumed.
 */
export async function startOpenAIDouble(options: OpenAIDoubleOptions = {}): Promise<Double> {
  const flavor = options.flavor ?? 'openai';
  const behaviours = new BehaviourQueue();
  const fingerprint = `fp_${randomHex(10)}`;
  const paths = basePaths(flavor);
  const prefixes = [paths.primary, ...paths.others];

  // The Responses API exists on OpenAI only (responses-api.md): the other flavors answer 404 there.
  let responses: ResponsesEndpoint | undefined;

  const http = await startHttpDouble(options.port ?? 0, async (exchange) => {
    const route = prefixes.map((prefix) => routeOf(exchange.url.pathname, prefix)).find((found) => found !== undefined);
    const method = exchange.request.method ?? 'GET';
    if (route === '/chat/completions' && method === 'POST') return chatCompletions(exchange);
    if (route === '/responses' && method === 'POST' && responses) {
      const failure = authorize(exchange);
      if (failure) return reject(exchange, failure);
      return responses.handle(exchange);
    }
    if (route === '/models' && (method === 'GET' || method === 'HEAD')) return listModels(exchange);
    const message = `Invalid URL (${method} ${exchange.url.pathname})`;
    return sendJson(exchange.response, 404, errorBody(flavor, { status: 404, message, code: null }));
  });

  function reject(exchange: DoubleExchange, failure: Failure): void {
    traceRefusal(flavor, failure.status, failure.body, exchange.record.rawBody);
    sendJson(exchange.response, failure.status, failure.body, { ...flavorHeaders(flavor, requestId(), failure.status === 429), ...failure.headers });
  }

  function authorize(exchange: DoubleExchange): Failure | undefined {
    const header = exchange.request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const presented = match?.[1];
    if (presented === undefined) return authFailure(flavor, undefined);
    if (options.apiKey !== undefined && presented !== options.apiKey) return authFailure(flavor, presented);
    return undefined;
  }

  async function listModels(exchange: DoubleExchange): Promise<void> {
    const failure = authorize(exchange);
    if (failure) return reject(exchange, failure);
    const created = 1_700_000_000;
    const data = FLAVOR_MODELS[flavor].map((id) => (flavor === 'openrouter' ? openRouterModel(id, created) : { id, object: 'model', created, owned_by: ownerOf(flavor) }));
    sendJson(exchange.response, 200, flavor === 'openrouter' ? { data } : { object: 'list', data }, flavorHeaders(flavor, requestId(), false));
  }

  async function chatCompletions(exchange: DoubleExchange): Promise<void> {
    const authFailed = authorize(exchange);
    if (authFailed) return reject(exchange, authFailed);
    const body = exchange.record.body;
    const invalid = validate(body, exchange.record.rawBody);
    if (invalid) return reject(exchange, invalid);
    const request = body as Record<string, unknown>;
    const model = request.model as string;
    const behaviour = behaviours.next();

    if (behaviour.kind === 'error') {
      await sleep(behaviour.delayMs ?? 0, exchange.signal);
      const headers: Record<string, string> = { ...flavorHeaders(flavor, requestId(), behaviour.status === 429) };
      // 1.4: a 429 tells the client when to come back.
      if (behaviour.status === 429) headers['retry-after'] = '1';
      const failureBody = errorBody(flavor, { status: behaviour.status, message: behaviour.message, type: behaviour.type, model });
      return sendJson(exchange.response, behaviour.status, failureBody, { ...headers, ...behaviour.headers });
    }

    const { chars, lastUserText } = summarizeMessages(request.messages as unknown[]);
    const cap = capOf(request)?.value;
    const replyBehaviour: ReplyBehaviour = behaviour.kind === 'reply' ? behaviour : (DEFAULT_BEHAVIOUR as ReplyBehaviour);
    const reply = planReply(replyBehaviour, {
      promptChars: chars,
      lastUserText,
      maxOutputTokens: cap,
      defaultText: structuredDefault(request.response_format, lastUserText),
      // DeepSeek's V4-era models think unless told not to, and say so in reasoning_content.
      defaultReasoning: flavor === 'deepseek' && deepseekThinking(request) ? DEFAULT_DEEPSEEK_REASONING : undefined,
    });
    const id = completionId(flavor);
    const created = Math.floor(Date.now() / 1000);
    const toolCallIds = reply.toolCalls.map(() => toolCallId(flavor));
    const headers = flavorHeaders(flavor, flavor === 'openrouter' ? id : requestId(), false);
    const fault = behaviour.kind === 'reply' ? undefined : behaviour;

    if (request.stream === true) {
      const streamOptions = isRecord(request.stream_options) ? request.stream_options : {};
      const context: OpenAIStreamContext = {
        flavor,
        id,
        created,
        model,
        fingerprint,
        includeUsage: streamOptions.include_usage === true,
        obfuscate: flavor === 'openai' && streamOptions.include_obfuscation !== false,
        groqRequestId: `req_${randomAlphanumeric(26).toLowerCase()}`,
        toolCallIds,
      };
      const hooks = { signal: exchange.signal, drop: () => exchange.drop(), untilAborted: () => untilAborted(exchange.signal) };
      return writeChatStream(exchange.response, context, reply, headers, hooks, fault);
    }

    // Non-streamed: a fault becomes a server error, a hang, or a cut connection.
    if (fault?.kind === 'stall') return untilAborted(exchange.signal);
    if (fault?.kind === 'drop') return exchange.drop();
    if (fault?.kind === 'midstream-error') {
      return sendJson(exchange.response, 500, errorBody(flavor, { status: 500, message: fault.message, type: fault.type }), headers);
    }
    await sleep(reply.firstByteDelayMs, exchange.signal);
    if (exchange.signal.aborted) return;
    sendJson(exchange.response, 200, completionBody({ id, created, model, reply, toolCallIds }), headers);
  }

  /**
   * Validation every flavor shares (model and messages required, JSON body), then the flavor's
   * own, in the order a service meets them: parsing (DeepSeek's typed deserializer), fields and
   * values, model rules, sizes (output limit, window), then conversation rules.
   */
  function validate(body: unknown, raw: string): Failure | undefined {
    const bad = (message: string, param: string | null, code: string | null): Failure => ({
      status: 400,
      body: errorBody(flavor, { status: 400, message, type: 'invalid_request_error', param, code }),
    });
    if (!isRecord(body)) {
      return bad(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
        null,
        null,
      );
    }
    if (typeof body.model !== 'string' || body.model === '') return bad('you must provide a model parameter', null, null);
    if (body.messages === undefined) return bad("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
    if (!Array.isArray(body.messages)) return bad(`Invalid type for 'messages': expected an array of objects, but got ${typeof body.messages} instead.`, 'messages', 'invalid_type');
    if (body.messages.length === 0) {
      return bad("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'messages', 'empty_array');
    }
    const size: SizeRequest = { model: body.model, promptTokens: tokensOf(summarizeMessages(body.messages).chars), cap: capOf(body) };
    return (
      (flavor === 'deepseek' ? deepseekDeserializationError(body, raw) : undefined) ??
      parameterRejection(flavor, body) ??
      flavorRejection(flavor, body) ??
      limitRejection(flavor, size) ??
      (flavor === 'deepseek' ? deepseekThinkingRejection(body) : undefined)
    );
  }

  function completionBody(parts: { id: string; created: number; model: string; reply: PlannedReply; toolCallIds: string[] }): Record<string, unknown> {
    const { id, created, model, reply, toolCallIds } = parts;
    const toolCalls = reply.toolCalls.map((call, index) => ({ id: toolCallIds[index], type: 'function', function: { name: call.name, arguments: call.arguments } }));
    const content = reply.text === '' && toolCalls.length ? null : reply.text;
    const withTools = toolCalls.length ? { tool_calls: toolCalls } : {};
    const usage = usageBody(flavor, reply.usage);
    const finish_reason = reply.finishReason;
    switch (flavor) {
      case 'deepseek': {
        const message = { role: 'assistant', content, ...(reply.reasoning ? { reasoning_content: reply.reasoning } : {}), ...withTools };
        return { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason }], usage, system_fingerprint: fingerprint };
      }
      case 'openrouter': {
        const message = { role: 'assistant', content, refusal: null, reasoning: reply.reasoning || null, ...withTools };
        return { id, provider: 'OpenAI', model, object: 'chat.completion', created, choices: [{ logprobs: null, finish_reason, native_finish_reason: finish_reason, index: 0, message }], usage };
      }
      case 'groq': {
        const message = { role: 'assistant', content, ...(reply.reasoning ? { reasoning: reply.reasoning } : {}), ...withTools };
        return {
          id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason }], usage,
          system_fingerprint: fingerprint, x_groq: { id: `req_${randomAlphanumeric(26).toLowerCase()}` }, service_tier: 'on_demand',
        };
      }
      case 'mistral': {
        const calls = toolCalls.map((call, index) => ({ id: call.id, function: call.function, index }));
        const message = { role: 'assistant', content: content ?? '', tool_calls: calls.length ? calls : null };
        return { id, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason }], usage };
      }
      case 'gemini': {
        const message = { content, role: 'assistant', ...withTools };
        return { choices: [{ finish_reason, index: 0, message }], created, id, model, object: 'chat.completion', usage };
      }
      default: {
        // 1.2, the spec's example shape.
        const message = { role: 'assistant', content, ...withTools, refusal: null, annotations: [] };
        return {
          id, object: 'chat.completion', created, model, choices: [{ index: 0, message, logprobs: null, finish_reason }], usage,
          service_tier: 'default', system_fingerprint: fingerprint,
        };
      }
    }
  }

  if (flavor === 'openai') responses = startResponsesEndpoint({ behaviours });
  return doubleOf(http, behaviours, http.origin + paths.primary);
}

/** The output cap a chat request asks for, and in which field (max_completion_tokens wins). */
function capOf(body: Record<string, unknown>): SizeRequest['cap'] {
  const completion = numberOrUndefined(body.max_completion_tokens);
  if (completion !== undefined) return { field: 'max_completion_tokens', value: completion };
  const tokens = numberOrUndefined(body.max_tokens);
  return tokens !== undefined ? { field: 'max_tokens', value: tokens } : undefined;
}

/** A json_schema response format constrains the output: the default reply is a sample of it. */
function structuredDefault(format: unknown, lastUserText: string): string | undefined {
  if (!isRecord(format) || format.type !== 'json_schema' || !isRecord(format.json_schema)) return undefined;
  return JSON.stringify(sampleOf(format.json_schema.schema, echoText(lastUserText)));
}

/**
 * OpenRouter's model object (openrouter.ai/docs/models, "Models API Standard"): context_length,
 * architecture, pricing as strings per token, top_provider with its own context_length and
 * max_completion_tokens, per_request_limits, supported_parameters. Limits from model-limits.ts.
 */
function openRouterModel(id: string, created: number): Record<string, unknown> {
  const limits = tableOf('openrouter')[id];
  const contextLength = limits?.contextWindow ?? 128_000;
  return {
    id,
    canonical_slug: id,
    name: id,
    created,
    description: `${id} through OpenRouter (test double).`,
    context_length: contextLength,
    architecture: { modality: 'text->text', input_modalities: ['text'], output_modalities: ['text'], tokenizer: 'Other', instruct_type: null },
    pricing: { prompt: '0.000001', completion: '0.000004', request: '0', image: '0', web_search: '0', internal_reasoning: '0', input_cache_read: '0', input_cache_write: '0' },
    top_provider: { context_length: contextLength, max_completion_tokens: limits?.maxOutputTokens ?? null, is_moderated: false },
    per_request_limits: null,
    supported_parameters: ['max_tokens', 'temperature', 'top_p', 'stop', 'tools', 'tool_choice', 'reasoning', 'include_reasoning', 'response_format', 'seed'],
    default_parameters: null,
  };
}

function routeOf(pathname: string, prefix: string): string | undefined {
  if (!pathname.startsWith(`${prefix}/`)) return undefined;
  const rest = pathname.slice(prefix.length).replace(/\/+$/, '');
  return rest === '/chat/completions' || rest === '/models' || rest === '/responses' ? rest : undefined;
}

function ownerOf(flavor: OpenAIFlavor): string {
  return { openai: 'system', deepseek: 'deepseek', openrouter: 'openrouter', groq: 'Meta', mistral: 'mistralai', gemini: 'google' }[flavor];
}

function requestId(): string {
  return `req_${randomHex(32)}`;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
