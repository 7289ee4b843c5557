import { errorBody, type Failure, type OpenAIFlavor } from './openai-flavors.js';
import { isOpenAIReasoningModel } from './model-limits.js';
import { isRecord } from './scenario.js';

/**
 * Which top-level request fields each flavor takes, and what it answers to the others.
 * Sources are named per flavor; where none could be found the flavor stays lenient.
 */

/** providers.md 1.1 = openai-node 7.57 ChatCompletionCreateParamsBase, field for field. */
export const OPENAI_CHAT_PARAMS: ReadonlySet<string> = new Set([
  'messages', 'model', 'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs',
  'max_completion_tokens', 'max_tokens', 'metadata', 'modalities', 'moderation', 'n', 'parallel_tool_calls',
  'prediction', 'presence_penalty', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention',
  'reasoning_effort', 'response_format', 'safety_identifier', 'seed', 'service_tier', 'stop', 'store', 'stream',
  'stream_options', 'temperature', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user', 'verbosity',
  'web_search_options',
]);

/** Groq's chat request fields (console.groq.com API reference, as clients quote it in 2025-2026). */
const GROQ_PARAMS: ReadonlySet<string> = new Set([
  'messages', 'model', 'citation_options', 'compound_custom', 'disable_tool_validation', 'documents', 'exclude_domains',
  'frequency_penalty', 'function_call', 'functions', 'include_domains', 'include_reasoning', 'logit_bias', 'logprobs',
  'max_completion_tokens', 'max_tokens', 'metadata', 'n', 'parallel_tool_calls', 'presence_penalty', 'reasoning_effort',
  'reasoning_format', 'response_format', 'search_settings', 'seed', 'service_tier', 'stop', 'store', 'stream',
  'stream_options', 'temperature', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user',
]);

/**
 * Mistral's ChatCompletionRequest (its OpenAPI spec as generated clients carry it: mistral-openapi-client,
 * koog MistralAIParams). stream_options is absent: see mistralExtras.
 */
const MISTRAL_PARAMS: ReadonlySet<string> = new Set([
  'model', 'messages', 'temperature', 'top_p', 'max_tokens', 'stream', 'stop', 'random_seed', 'response_format', 'tools',
  'tool_choice', 'presence_penalty', 'frequency_penalty', 'n', 'prediction', 'parallel_tool_calls', 'prompt_mode',
  'safe_prompt',
]);

/**
 * Names Gemini's OpenAI endpoint answered "Unknown name ...: Cannot find field." for
 * (SkyrimNet-GamePlugin#77, 2025-08). No complete list of what it takes was found, so only these
 * are refused.
 */
const GEMINI_UNKNOWN: ReadonlySet<string> = new Set(['frequency_penalty', 'reasoning', 'top_k', 'extra_body']);

const present = (value: unknown): boolean => value !== undefined && value !== null;

/** The flavor's refusal of a field it does not take, or of a value its model does not allow. */
export function parameterRejection(flavor: OpenAIFlavor, body: Record<string, unknown>): Failure | undefined {
  switch (flavor) {
    case 'openai':
      return openAIParameterRejection(body);
    case 'groq':
      return groqUnknownProperty(body);
    case 'mistral':
      return mistralExtras(body);
    case 'gemini':
      return geminiUnknownNames(body);
    default:
      // DeepSeek ignores fields it doesn't know (a Claude Code request with prompt_cache_key got
      // past it to a reasoning_content check, cc-switch-cli#170, 2026-05); OpenRouter strips
      // unknown parameters before the upstream (Operit#1048, 2026-08).
      return undefined;
  }
}

const openAIBad = (message: string, param: string | null, code: string | null): Failure => ({
  status: 400,
  body: errorBody('openai', { status: 400, message, type: 'invalid_request_error', param, code }),
});

/**
 * OpenAI Chat Completions: "Unrecognized request argument supplied: <name>" for a field outside
 * the spec (open-webui#14520, xlinx#29; several: "Unrecognized request arguments supplied: a, b",
 * langchain#8593), param and code null. A non-reasoning model takes no reasoning_effort, even
 * "none" (langchain_dart#712, Operit#1048: the same wording). Reasoning models refuse max_tokens
 * (griptape#312: unsupported_parameter) and a temperature other than 1 (llmcomp#69: unsupported_value).
 */
function openAIParameterRejection(body: Record<string, unknown>): Failure | undefined {
  const model = String(body.model);
  const reasoning = isOpenAIReasoningModel(model);
  const unknown = Object.keys(body).filter((key) => !OPENAI_CHAT_PARAMS.has(key) || (key === 'reasoning_effort' && !reasoning && present(body[key])));
  if (unknown.length === 1) return openAIBad(`Unrecognized request argument supplied: ${unknown[0]}`, null, null);
  if (unknown.length > 1) return openAIBad(`Unrecognized request arguments supplied: ${unknown.join(', ')}`, null, null);
  if (!reasoning) return undefined;
  if (present(body.max_tokens)) {
    return openAIBad("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens', 'unsupported_parameter');
  }
  if (typeof body.temperature === 'number' && body.temperature !== 1) {
    return openAIBad(`Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, 'temperature', 'unsupported_value');
  }
  return undefined;
}

/**
 * Groq: "property 'store' is unsupported, did you mean 'stop'?" (fanenr/chatbot#21, 2024-12),
 * "property 'reasoning' is unsupported" (claude-code-router#1204, 2026-02), type only.
 * The suggestion is the nearest known name when it is close enough (a guess at Groq's rule that
 * reproduces both samples and reasoning_effort -> reasoning_format, CherryHQ#1099).
 */
function groqUnknownProperty(body: Record<string, unknown>): Failure | undefined {
  const unknown = Object.keys(body).find((key) => !GROQ_PARAMS.has(key));
  if (unknown === undefined) return undefined;
  const suggestion = nearest(unknown, [...GROQ_PARAMS]);
  const message = `property '${unknown}' is unsupported${suggestion ? `, did you mean '${suggestion}'?` : ''}`;
  return { status: 400, body: errorBody('groq', { status: 400, message, type: 'invalid_request_error' }) };
}

function nearest(name: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.candidate : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j] as number;
      row[j] = Math.min(above + 1, (row[j - 1] as number) + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length] as number;
}

/**
 * Mistral validates with pydantic and forbids extra fields: 422 with one extra_forbidden entry
 * per field (openclaude#739: store and max_completion_tokens in one answer; openclaw#18605:
 * thinking; #47079: max_completion_tokens). stream_options: clients report it refused
 * (cline#582, avante.nvim#2347, openai-agents-python#442), located at include_usage when given.
 */
function mistralExtras(body: Record<string, unknown>): Failure | undefined {
  const detail: unknown[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (MISTRAL_PARAMS.has(key)) continue;
    if (key === 'stream_options' && isRecord(value) && 'include_usage' in value) {
      detail.push({ type: 'extra_forbidden', loc: ['body', 'stream_options', 'include_usage'], msg: 'Extra inputs are not permitted', input: value.include_usage });
    } else {
      detail.push({ type: 'extra_forbidden', loc: ['body', key], msg: 'Extra inputs are not permitted', input: value });
    }
  }
  if (!detail.length) return undefined;
  return { status: 422, body: { object: 'error', message: { detail }, type: 'invalid_request_error', param: null, code: null } };
}

/** Google's protobuf JSON parser: every unknown name in one message, newline-separated. */
function geminiUnknownNames(body: Record<string, unknown>): Failure | undefined {
  const names = Object.keys(body).filter((key) => GEMINI_UNKNOWN.has(key));
  if (!names.length) return undefined;
  const lines = names.map((name) => (name === 'extra_body' ? `Invalid JSON payload received. Unknown name "${name}" at '${name}': Cannot find field.` : `Invalid JSON payload received. Unknown name "${name}": Cannot find field.`));
  const violations = names.map((name, index) => ({ ...(name === 'extra_body' ? { field: name } : {}), description: lines[index] }));
  return {
    status: 400,
    body: [{ error: { code: 400, message: lines.join('\n'), status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.BadRequest', fieldViolations: violations }] } }],
  };
}
