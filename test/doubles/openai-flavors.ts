import { randomUUID } from 'node:crypto';
import { isRecord, randomAlphanumeric, randomHex, type DoubleUsage } from './scenario.js';

/**
 * What differs between the OpenAI-compatible services the OpenAI double can impersonate.
 * Section numbers refer to /work/shared/reference/providers.md; where a detail comes from a
 * public capture or issue instead, the comment names it. "CONSTRUCTED" marks wording the
 * sources did not give verbatim.
 */
export type OpenAIFlavor = 'openai' | 'deepseek' | 'openrouter' | 'groq' | 'mistral' | 'gemini';

export interface Failure {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Path prefixes under which {prefix}/chat/completions and {prefix}/models are served. */
export function basePaths(flavor: OpenAIFlavor): { primary: string; others: string[] } {
  if (flavor === 'gemini') return { primary: '/v1beta/openai', others: [] };
  // DeepSeek's documented base is https://api.deepseek.com (3.1), with /v1 also accepted.
  if (flavor === 'deepseek') return { primary: '/v1', others: [''] };
  return { primary: '/v1', others: [] };
}

export const FLAVOR_MODELS: Readonly<Record<OpenAIFlavor, readonly string[]>> = {
  openai: ['gpt-4o-mini', 'gpt-4.1', 'gpt-5', 'gpt-5-mini'],
  deepseek: ['deepseek-flash', 'deepseek-v4-flash', 'deepseek-v4-pro'],
  openrouter: ['openai/gpt-4o-mini', 'anthropic/claude-sonnet-4.6', 'deepseek/deepseek-flash'],
  groq: ['llama-3.3-70b-versatile', 'openai/gpt-oss-20b'],
  mistral: ['mistral-small-latest', 'devstral-medium-latest'],
  // Gemini's OpenAI-compatible model list names models with a "models/" prefix.
  gemini: ['models/gemini-2.5-flash', 'models/gemini-2.5-pro'],
};

export function completionId(flavor: OpenAIFlavor): string {
  switch (flavor) {
    case 'deepseek':
      return randomUUID();
    case 'openrouter':
      return `gen-${Math.floor(Date.now() / 1000)}-${randomAlphanumeric(20)}`;
    case 'groq':
      return `chatcmpl-${randomUUID()}`;
    case 'mistral':
      return randomHex(32); // capture: "id":"f798ebd5c41a45d88bb079635121cade"
    case 'gemini':
      return randomAlphanumeric(22);
    default:
      return `chatcmpl-${randomAlphanumeric(29)}`;
  }
}

export function toolCallId(flavor: OpenAIFlavor): string {
  // Mistral generates, and demands back, exactly 9 alphanumerics (3.5).
  if (flavor === 'mistral') return randomAlphanumeric(9);
  if (flavor === 'deepseek') return `call_00_${randomAlphanumeric(24)}`;
  return `call_${randomAlphanumeric(24)}`;
}

const GOOGLE_STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** OpenAI's default type/code/message per status (1.4). */
function openAIDefaults(status: number, model: string): { message: string; type: string; code: string | null } {
  switch (status) {
    case 400:
      return { message: 'Invalid request.', type: 'invalid_request_error', code: null };
    case 401:
      return { message: 'Incorrect API key provided.', type: 'invalid_request_error', code: 'invalid_api_key' };
    case 403:
      return { message: 'Country, region, or territory not supported', type: 'request_forbidden', code: 'unsupported_country_region_territory' };
    case 404:
      return { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', code: 'model_not_found' };
    case 429:
      return {
        message: `Rate limit reached for ${model} in organization org-lodestardouble on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s. Visit https://platform.openai.com/account/rate-limits to learn more.`,
        type: 'requests',
        code: 'rate_limit_exceeded',
      };
    case 503:
      return { message: 'The server is overloaded or not ready yet.', type: 'service_unavailable_error', code: 'server_is_overloaded' };
    default:
      if (status >= 500) {
        return {
          message: 'The server had an error processing your request. Sorry about that! You can retry your request, or contact us through our help center at help.openai.com if you keep seeing this error.',
          type: 'server_error',
          code: null,
        };
      }
      return { message: 'Invalid request.', type: 'invalid_request_error', code: null };
  }
}

export interface ErrorSpec {
  status: number;
  message?: string | undefined;
  type?: string | undefined;
  code?: string | null | undefined;
  param?: string | null | undefined;
  model?: string | undefined;
}

/** The error body each flavor sends for a given status. */
export function errorBody(flavor: OpenAIFlavor, spec: ErrorSpec): unknown {
  const defaults = openAIDefaults(spec.status, spec.model ?? 'gpt-4o-mini');
  const message = spec.message ?? defaults.message;
  const type = spec.type ?? defaults.type;
  switch (flavor) {
    case 'openrouter':
      // OpenRouter docs (errors): {error:{code:<number>, message, metadata?}}, code = HTTP status.
      return { error: { message, code: spec.status } };
    case 'groq':
      // Groq's bodies carry only message and type (observed in groq issues quoted by clients).
      return { error: { message, type } };
    case 'mistral':
      // Mistral's flat envelope, e.g. {"object":"error","message":"Tool call id was ...","type":"invalid_function_call","param":null,"code":"3280"}.
      return { object: 'error', message, type: spec.type ?? (spec.status === 429 ? 'rate_limited' : 'invalid_request_error'), param: null, code: spec.code ?? null };
    case 'gemini':
      // Google wraps errors in a one-element array even on the OpenAI-compatible endpoint.
      return [{ error: { code: spec.status, message, status: GOOGLE_STATUS[spec.status] ?? (spec.status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION') } }];
    default:
      return { error: { message, type, param: spec.param ?? null, code: spec.code === undefined ? defaults.code : spec.code } };
  }
}

/** OpenAI shows a key as its first 8 and last 4 characters around asterisks; short keys lose more. */
export function maskKey(key: string): string {
  if (key.length >= 16) return `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}`;
  return `${key.slice(0, Math.floor(key.length / 4))}${'*'.repeat(Math.max(3, key.length - Math.floor(key.length / 4)))}`;
}

/** The rejection for a missing (presented === undefined) or wrong key. */
export function authFailure(flavor: OpenAIFlavor, presented: string | undefined): Failure {
  switch (flavor) {
    case 'openai':
      if (presented === undefined) {
        return {
          status: 401,
          body: errorBody(flavor, {
            status: 401,
            message:
              "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
            code: null,
          }),
        };
      }
      return {
        status: 401,
        body: errorBody(flavor, {
          status: 401,
          message: `Incorrect API key provided: ${maskKey(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`,
          code: 'invalid_api_key',
        }),
      };
    case 'deepseek': {
      const shown = presented ? `****${presented.slice(-4)}` : '';
      // CONSTRUCTED from DeepSeek's usual "Authentication Fails" wording.
      return { status: 401, body: errorBody(flavor, { status: 401, message: `Authentication Fails, Your api key: ${shown} is invalid`, type: 'authentication_error', code: 'invalid_request_error' }) };
    }
    case 'openrouter':
      return { status: 401, body: errorBody(flavor, { status: 401, message: presented === undefined ? 'No auth credentials found' : 'User not found.' }) };
    case 'groq':
      return { status: 401, body: errorBody(flavor, { status: 401, message: 'Invalid API Key', type: 'invalid_request_error' }) };
    case 'mistral':
      // CONSTRUCTED: Mistral answers 401 with a bare message object, not its error envelope.
      return { status: 401, body: { message: 'Unauthorized', request_id: randomHex(32) } };
    case 'gemini':
      // Google: no key = 403 PERMISSION_DENIED; a wrong key = 400 INVALID_ARGUMENT (not 401).
      if (presented === undefined) {
        return {
          status: 403,
          body: errorBody(flavor, {
            status: 403,
            message: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          }),
        };
      }
      return { status: 400, body: errorBody(flavor, { status: 400, message: 'API key not valid. Please pass a valid API key.' }) };
  }
}

const MISTRAL_TOOL_ID = /^[a-zA-Z0-9]{9}$/;

/**
 * Flavor-specific request rejections, checked after the common model/messages validation.
 */
export function flavorRejection(flavor: OpenAIFlavor, body: Record<string, unknown>): Failure | undefined {
  if (flavor === 'deepseek') {
    // 3.1: deepseek-chat / deepseek-reasoner were retired on 2026-07-24; deepseek-flash replaces them.
    if (body.model === 'deepseek-chat' || body.model === 'deepseek-reasoner') {
      return { status: 400, body: errorBody(flavor, { status: 400, message: 'Model Not Exist', code: 'invalid_request_error' }) };
    }
  }
  if (flavor === 'groq') return groqRejection(body);
  if (flavor === 'mistral') return mistralRejection(body);
  return undefined;
}

/** 3.3: Groq rejects logprobs, logit_bias, top_logprobs, messages[].name and n > 1. */
function groqRejection(body: Record<string, unknown>): Failure | undefined {
  const reject = (message: string): Failure => ({ status: 400, body: errorBody('groq', { status: 400, message, type: 'invalid_request_error' }) });
  for (const field of ['logprobs', 'logit_bias', 'top_logprobs']) {
    // Wording in the style of Groq's "property 'store' is unsupported" (CONSTRUCTED for these fields).
    if (body[field] !== undefined && body[field] !== null && body[field] !== false) return reject(`property '${field}' is unsupported`);
  }
  if (typeof body.n === 'number' && body.n > 1) return reject("'n' : number must be at most 1");
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const [index, message] of messages.entries()) {
    if (isRecord(message) && message.name !== undefined) {
      return reject(`'messages.${index}' : for 'role:${String(message.role)}' the following must be satisfied[('messages.${index}' : property 'name' is unsupported)]`);
    }
    // Kai#265 (2026-05): DeepSeek's reasoning_content on an assistant turn is refused.
    if (isRecord(message) && message.role === 'assistant' && message.reasoning_content !== undefined) {
      return reject(`'messages.${index}' : for 'role: assistant' the following must be satisfied[('messages.${index}' : property 'reasoning_content' is unsupported)]`);
    }
  }
  return undefined;
}

/**
 * 3.5: Mistral validates tool-call ids in the conversation (400, type invalid_function_call, code
 * "3280"). Its refusal of fields outside its schema (stream_options among them) is in
 * openai-params.ts.
 */
function mistralRejection(body: Record<string, unknown>): Failure | undefined {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  for (const message of messages) {
    if (!isRecord(message)) continue;
    const ids: unknown[] = [];
    if (Array.isArray(message.tool_calls)) for (const call of message.tool_calls) if (isRecord(call)) ids.push(call.id);
    if (message.role === 'tool') ids.push(message.tool_call_id);
    for (const id of ids) {
      if (typeof id !== 'string' || !MISTRAL_TOOL_ID.test(id)) {
        return {
          status: 400,
          body: errorBody('mistral', { status: 400, message: `Tool call id was ${String(id)} but must be a-z, A-Z, 0-9, with a length of 9.`, type: 'invalid_function_call', code: '3280' }),
        };
      }
    }
  }
  return undefined;
}

/** The usage object in each flavor's shape (1.2, 3.1, 3.3, 3.4, Mistral capture). */
export function usageBody(flavor: OpenAIFlavor, usage: DoubleUsage): Record<string, unknown> {
  const prompt = usage.inputTokens;
  const completion = usage.outputTokens;
  const total = prompt + completion;
  switch (flavor) {
    case 'deepseek':
      return {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: total,
        prompt_tokens_details: { cached_tokens: usage.cacheReadTokens },
        ...(usage.reasoningTokens ? { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } } : {}),
        prompt_cache_hit_tokens: usage.cacheReadTokens,
        prompt_cache_miss_tokens: Math.max(0, prompt - usage.cacheReadTokens),
      };
    case 'openrouter': {
      // 3.4: cost in credits (USD). CONSTRUCTED rate: $1 / $4 per million input / output.
      const promptCost = prompt / 1e6;
      const completionCost = (completion * 4) / 1e6;
      return {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: total,
        cost: round(promptCost + completionCost),
        is_byok: false,
        prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, cache_write_tokens: usage.cacheWriteTokens, audio_tokens: 0 },
        cost_details: { upstream_inference_cost: null, upstream_inference_prompt_cost: round(promptCost), upstream_inference_completions_cost: round(completionCost) },
        completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
      };
    }
    case 'groq':
      return {
        queue_time: 0.012,
        prompt_tokens: prompt,
        prompt_time: round(prompt / 20000),
        completion_tokens: completion,
        completion_time: round(completion / 500),
        total_tokens: total,
        total_time: round(prompt / 20000 + completion / 500),
      };
    case 'mistral':
      return { prompt_tokens: prompt, total_tokens: total, completion_tokens: completion };
    case 'gemini':
      return { completion_tokens: completion, prompt_tokens: prompt, total_tokens: total };
    default:
      return {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: total,
        prompt_tokens_details: { cached_tokens: usage.cacheReadTokens, audio_tokens: 0, ...(usage.cacheWriteTokens ? { cache_write_tokens: usage.cacheWriteTokens } : {}) },
        completion_tokens_details: { reasoning_tokens: usage.reasoningTokens, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
      };
  }
}

function round(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** Headers every response of the flavor carries (1.4 rate-limit headers, 3.4 X-Generation-Id). */
export function flavorHeaders(flavor: OpenAIFlavor, requestId: string, limited: boolean): Record<string, string> {
  if (flavor === 'openai' || flavor === 'groq') {
    return {
      'x-request-id': requestId,
      'x-ratelimit-limit-requests': limited ? '3' : '60',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-requests': limited ? '0' : '59',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': limited ? '20s' : '1s',
      'x-ratelimit-reset-tokens': '6ms',
      ...(flavor === 'openai' ? { 'openai-version': '2020-10-01', 'openai-processing-ms': '42' } : {}),
    };
  }
  if (flavor === 'openrouter') return { 'x-generation-id': requestId };
  return {};
}
