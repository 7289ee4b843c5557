import { errorBody, type Failure } from './openai-flavors.js';
import { isOpenAIReasoningModel, limitsOf, tokensOf } from './model-limits.js';
import { contentText, isRecord } from './scenario.js';

/**
 * Validation of POST /v1/responses (responses-api.md sections 1, 2 and 5), in the order the API
 * reports: body fields, then input items, then the model's rules, then sizes. Each wording names
 * its source; "CONSTRUCTED" marks the ones made by analogy.
 */

/** openai-node 7.57 ResponseCreateParamsBase, plus client_metadata, which Codex sends every turn (1, [obs]). */
export const RESPONSES_PARAMS: ReadonlySet<string> = new Set([
  'access_programs', 'background', 'context_management', 'conversation', 'image', 'include', 'input', 'instructions',
  'max_output_tokens', 'max_tool_calls', 'metadata', 'model', 'moderation', 'parallel_tool_calls', 'previous_response_id',
  'prompt', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning', 'safety_identifier',
  'service_tier', 'store', 'stream', 'stream_options', 'temperature', 'text', 'tool_choice', 'tools', 'top_logprobs',
  'top_p', 'truncation', 'user', 'client_metadata',
]);

/**
 * Chat Completions fields sent to /responses: "Unsupported parameter: 'reasoning_effort'. In the
 * Responses API, this parameter has moved to 'reasoning.effort'. Try again with the new
 * parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create."
 * (lobehub#8116, code unsupported_parameter, param null); 'messages' -> 'input' is in proxies'
 * fixtures (5). The other moves are CONSTRUCTED by analogy.
 */
const MOVED: ReadonlyArray<[string, string]> = [
  ['messages', 'input'],
  ['reasoning_effort', 'reasoning.effort'],
  ['max_tokens', 'max_output_tokens'],
  ['max_completion_tokens', 'max_output_tokens'],
  ['response_format', 'text.format'],
];

/**
 * Fields each input item may carry (2.1; openai-node 7.57's input item types, async and caller
 * included); a reasoning item takes no status (jcode#1028), a custom tool call has none at all.
 */
const ITEM_FIELDS: Readonly<Record<string, ReadonlySet<string>>> = {
  message: new Set(['type', 'role', 'content', 'id', 'status', 'phase']),
  function_call: new Set(['type', 'call_id', 'name', 'arguments', 'id', 'namespace', 'status', 'caller', 'async']),
  function_call_output: new Set(['type', 'call_id', 'output', 'id', 'name', 'namespace', 'status']),
  // Codex 0.169 echoes its custom calls with status "completed" to OpenAI itself (shared/data, gpt55_turn2_input_tail): accepted.
  custom_tool_call: new Set(['type', 'call_id', 'name', 'input', 'id', 'namespace', 'caller', 'async', 'status']),
  custom_tool_call_output: new Set(['type', 'call_id', 'output', 'id']),
  reasoning: new Set(['type', 'id', 'summary', 'content', 'encrypted_content']),
  item_reference: new Set(['type', 'id']),
};

/** The id prefix OpenAI demands of an echoed item (sub2api#954: fc; cockpit-tools#2090: rs). */
const ID_PREFIX: Readonly<Record<string, string>> = { function_call: 'fc', reasoning: 'rs' };

export const bad = (message: string, param: string | null, code: string | null, status = 400): Failure => ({
  status,
  body: errorBody('openai', { status, message, type: 'invalid_request_error', param, code }),
});

/** What a stored response left for a request that continues it (previous_response_id). */
export interface StoredTurn {
  /** call_ids of the function and custom tool calls in its input and output. */
  callIds: Set<string>;
  /** Characters of all its text (input, instructions, output): the server-side history. */
  chars: number;
}

export interface ResponsesCheck {
  request: Record<string, unknown>;
  lookup(id: string): StoredTurn | undefined;
}

export function validateResponsesRequest({ request: body, lookup }: ResponsesCheck): Failure | undefined {
  for (const [from, to] of MOVED) {
    if (body[from] !== undefined) {
      return bad(
        `Unsupported parameter: '${from}'. In the Responses API, this parameter has moved to '${to}'. Try again with the new parameter. See the API documentation for more information: https://platform.openai.com/docs/api-reference/responses/create.`,
        null,
        'unsupported_parameter',
      );
    }
  }
  // 5: "Unknown parameter: 'input[3].status'." with code unknown_parameter; the same at the top level.
  const unknown = Object.keys(body).find((key) => !RESPONSES_PARAMS.has(key));
  if (unknown !== undefined) return bad(`Unknown parameter: '${unknown}'.`, unknown, 'unknown_parameter');
  // CONSTRUCTED, after Chat's "Missing required parameter: 'messages'.".
  if (typeof body.model !== 'string' || body.model === '') return bad("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  const model = body.model;

  if (typeof body.max_output_tokens === 'number') {
    // 5: pi#6265, hindsight#58.
    if (body.max_output_tokens < 16) {
      return bad(`Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got ${body.max_output_tokens} instead.`, 'max_output_tokens', 'integer_below_min_value');
    }
    const limit = limitsOf('openai', model).maxOutputTokens;
    if (body.max_output_tokens > limit) {
      // CONSTRUCTED in the same validator's words.
      return bad(`Invalid 'max_output_tokens': integer above maximum value. Expected a value <= ${limit}, but got ${body.max_output_tokens} instead.`, 'max_output_tokens', 'integer_above_max_value');
    }
  }

  let previous: StoredTurn | undefined;
  if (typeof body.previous_response_id === 'string') {
    previous = lookup(body.previous_response_id);
    // bifrost#2441 (2026-03): 400 previous_response_not_found.
    if (!previous) return bad(`Previous response with id '${body.previous_response_id}' not found.`, 'previous_response_id', 'previous_response_not_found');
  }

  const itemProblem = validateInputItems(body.input, previous);
  if (itemProblem) return itemProblem;

  const reasoning = isOpenAIReasoningModel(model);
  if (!reasoning && isRecord(body.reasoning)) {
    // BAML#2708 (2025-11, gpt-4.1): "Unsupported parameter: 'reasoning.effort' is not supported with this model."
    const field = Object.keys(body.reasoning).find((key) => (body.reasoning as Record<string, unknown>)[key] !== null && (body.reasoning as Record<string, unknown>)[key] !== undefined);
    if (field) return bad(`Unsupported parameter: 'reasoning.${field}' is not supported with this model.`, `reasoning.${field}`, 'unsupported_parameter');
  }
  if (reasoning && typeof body.temperature === 'number' && body.temperature !== 1) {
    // OpenHands software-agent-sdk#1837, epam ai-dial-chat#8538 (GPT-5.x on Responses).
    return bad("Unsupported parameter: 'temperature' is not supported with this model.", 'temperature', null);
  }
  return undefined;
}

/**
 * The window: reasoning models count the input against window minus output limit (as in Chat),
 * others the input plus max_output_tokens. "Your input exceeds the context window of this model.
 * Please adjust your input and try again." param input, code context_length_exceeded (dyad#1672,
 * opencode#6071, codex2api#415; streamed as an error event after response.in_progress).
 */
export function contextOverflow(model: string, inputTokens: number, maxOutputTokens: number | undefined): Failure | undefined {
  const limits = limitsOf('openai', model);
  const fits = isOpenAIReasoningModel(model) ? inputTokens <= limits.contextWindow - limits.maxOutputTokens : inputTokens + (maxOutputTokens ?? 0) <= limits.contextWindow;
  return fits ? undefined : bad('Your input exceeds the context window of this model. Please adjust your input and try again.', 'input', 'context_length_exceeded');
}

function itemType(item: Record<string, unknown>): string {
  if (typeof item.type === 'string') return item.type;
  return 'role' in item ? 'message' : 'item_reference';
}

function validateInputItems(input: unknown, previous: StoredTurn | undefined): Failure | undefined {
  if (input === undefined || typeof input === 'string') return undefined;
  if (!Array.isArray(input)) {
    // CONSTRUCTED in the style of Chat's invalid_type message.
    return bad(`Invalid type for 'input': expected one of a string or an array of input items, but got ${input === null ? 'null' : typeof input} instead.`, 'input', 'invalid_type');
  }
  const calls = new Set(previous?.callIds ?? []);
  const answered = new Set<string>();
  for (const item of input) if (isRecord(item) && /_output$/.test(itemType(item)) && typeof item.call_id === 'string') answered.add(item.call_id);

  for (const [index, item] of input.entries()) {
    if (!isRecord(item)) continue;
    const type = itemType(item);
    const fields = ITEM_FIELDS[type];
    const extra = fields ? Object.keys(item).find((key) => !fields.has(key)) : undefined;
    if (extra !== undefined) return bad(`Unknown parameter: 'input[${index}].${extra}'.`, `input[${index}].${extra}`, 'unknown_parameter');
    const prefix = ID_PREFIX[type];
    if (prefix && typeof item.id === 'string' && !item.id.startsWith(prefix)) {
      // sub2api#954, cockpit-tools#2090; the code is an assumption (OpenAI's usual for a bad value).
      return bad(`Invalid 'input[${index}].id': '${item.id}'. Expected an ID that begins with '${prefix}'.`, `input[${index}].id`, 'invalid_value');
    }
    if (type === 'reasoning' && typeof item.encrypted_content === 'string' && !item.encrypted_content.startsWith('gAAAA')) {
      // 7: OpenAI's blobs start gAAAA; codex#8145, sub2api#2863, vscode-unify-chat-provider#178 (2026-05 wording).
      return bad(`The encrypted content for item ${String(item.id)} could not be verified. Reason: Encrypted content could not be decrypted or parsed.`, null, 'invalid_encrypted_content');
    }
    if ((type === 'function_call' || type === 'custom_tool_call') && typeof item.call_id === 'string') {
      calls.add(item.call_id);
      const later = input.slice(index + 1).some((next) => !(isRecord(next) && next.call_id === item.call_id));
      if (!answered.has(item.call_id) && later) {
        // CLIProxyAPI#2368; the custom-tool wording is CONSTRUCTED by analogy.
        const what = type === 'function_call' ? 'function call' : 'custom tool call';
        return bad(`No tool output found for ${what} ${item.call_id}.`, 'input', null);
      }
    }
    if ((type === 'function_call_output' || type === 'custom_tool_call_output') && typeof item.call_id === 'string' && !calls.has(item.call_id)) {
      // openai/codex#17630, continue#10092; the custom-tool wording is CONSTRUCTED by analogy.
      const what = type === 'function_call_output' ? 'function call output' : 'custom tool call output';
      return bad(`No tool call found for ${what} with call_id ${item.call_id}.`, 'input', null);
    }
  }
  return undefined;
}

/** Characters of the input's text, the last user text, and the call ids it holds. */
export function summarizeInput(body: Record<string, unknown>): { chars: number; lastUserText: string; callIds: Set<string> } {
  const callIds = new Set<string>();
  let chars = typeof body.instructions === 'string' ? body.instructions.length : 0;
  if (typeof body.input === 'string') return { chars: chars + body.input.length, lastUserText: body.input, callIds };
  let lastUserText = '';
  for (const item of Array.isArray(body.input) ? body.input : []) {
    if (!isRecord(item)) continue;
    if (typeof item.call_id === 'string' && !/_output$/.test(itemType(item))) callIds.add(item.call_id);
    const text = typeof item.output === 'string' ? item.output : contentText(item.output ?? item.content);
    chars += text.length;
    if (item.role === 'user' && text) lastUserText = text;
  }
  return { chars, lastUserText, callIds };
}

export { tokensOf };
