import type { ResponsesRequest } from '../../providers/responses/responses-types.js';
import { HttpError } from '../../shared/http-error.js';

/**
 * The checks OpenAI's Responses API makes first, in its words where they are known
 * (reference/responses-api.md 5): a 400 naming the field, before any routing or upstream. What
 * is not checked here goes to the upstream as the client wrote it, which answers for itself.
 */
export function validateResponsesRequest(body: unknown): ResponsesRequest & { model: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalid('', `The request body must be a JSON object, got ${typeName(body)}`);
  const value = body as Record<string, unknown>;
  // A Chat Completions body sent here by mistake: OpenAI's own pointer to what moved where.
  if (value.messages !== undefined && value.input === undefined) {
    throw invalid('messages', "Unsupported parameter: 'messages'. In the Responses API, this parameter has moved to 'input'. Lodestar serves Chat Completions at /v1/chat/completions.", 'unsupported_parameter');
  }
  if (typeof value.model !== 'string' || value.model.trim() === '') {
    throw invalid('model', value.model === undefined ? "Missing required parameter: 'model'." : `Invalid type for 'model': expected a string, but got ${typeName(value.model)} instead.`);
  }
  if (value.input === undefined) throw invalid('input', "Missing required parameter: 'input'.", 'missing_required_parameter');
  if (typeof value.input !== 'string' && !Array.isArray(value.input)) {
    throw invalid('input', `Invalid type for 'input': expected a string or an array of input items, but got ${typeName(value.input)} instead.`, 'invalid_type');
  }
  if (Array.isArray(value.input)) {
    value.input.forEach((item, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) throw invalid(`input[${index}]`, `Invalid type for 'input[${index}]': expected an object, but got ${typeName(item)} instead.`, 'invalid_type');
    });
  }
  // Lodestar keeps no responses (Codex sends store: false and its whole history each turn).
  if (value.previous_response_id !== undefined && value.previous_response_id !== null) {
    throw invalid(
      'previous_response_id',
      "Lodestar does not store responses, so 'previous_response_id' can't be followed: send the whole conversation in 'input' (as Codex does with store: false), or ask OpenAI directly for its stored responses.",
      'previous_response_not_found',
    );
  }
  if (value.conversation !== undefined && value.conversation !== null) {
    throw invalid('conversation', "Lodestar does not store conversations, so 'conversation' can't be followed: send the whole conversation in 'input'.", 'unsupported_parameter');
  }
  if (value.background === true) throw invalid('background', "Lodestar answers while the request is open: 'background' mode is not supported.", 'unsupported_parameter');
  optionalType(value, 'stream', 'boolean');
  optionalType(value, 'instructions', 'string');
  optionalType(value, 'parallel_tool_calls', 'boolean');
  if (value.tools !== undefined && value.tools !== null) {
    if (!Array.isArray(value.tools)) throw invalid('tools', `Invalid type for 'tools': expected an array, but got ${typeName(value.tools)} instead.`, 'invalid_type');
    value.tools.forEach((tool, index) => {
      const entry = tool as Record<string, unknown> | null;
      if (typeof entry !== 'object' || entry === null || typeof entry.type !== 'string') throw invalid(`tools[${index}].type`, `Missing required parameter: 'tools[${index}].type'.`, 'missing_required_parameter');
      if ((entry.type === 'function' || entry.type === 'custom') && (typeof entry.name !== 'string' || entry.name === '')) {
        throw invalid(`tools[${index}].name`, `Missing required parameter: 'tools[${index}].name'.`, 'missing_required_parameter');
      }
    });
  }
  const limit = value.max_output_tokens;
  if (limit !== undefined && limit !== null && (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 16)) {
    throw invalid('max_output_tokens', `Invalid 'max_output_tokens': expected an integer of at least 16, but got ${JSON.stringify(limit)} instead.`, 'integer_below_min_value');
  }
  range(value, 'temperature', 0, 2);
  range(value, 'top_p', 0, 1);
  return value as unknown as ResponsesRequest & { model: string };
}

function invalid(param: string, message: string, code?: string): HttpError {
  return new HttpError(400, message, { param: param || null, ...(code ? { code } : {}) });
}

function optionalType(body: Record<string, unknown>, field: string, type: 'boolean' | 'string'): void {
  const value = body[field];
  if (value !== undefined && value !== null && typeof value !== type) throw invalid(field, `Invalid type for '${field}': expected a ${type}, but got ${typeName(value)} instead.`, 'invalid_type');
}

function range(body: Record<string, unknown>, field: string, min: number, max: number): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw invalid(field, `Invalid '${field}': expected a number from ${min} to ${max}, but got ${JSON.stringify(value)} instead.`, 'invalid_value');
  }
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
