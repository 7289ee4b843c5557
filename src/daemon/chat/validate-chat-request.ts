import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { HttpError } from '../../shared/http-error.js';
import { isObject, typeName } from './json-shape.js';

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

/**
 * Checks a Chat Completions body the way OpenAI's API does, and answers 400 naming the first
 * field that is wrong (`param`, e.g. "messages[2].content"). Hand-written rather than a schema
 * library: it runs on every request, and its messages are what a user reads.
 */
export function validateChatRequest(body: unknown): ChatCompletionRequest {
  if (!isObject(body)) throw invalid('', `The request body must be a JSON object, got ${typeName(body)}`);
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalid('model', body.model === undefined ? "Missing required parameter: 'model'" : `'model' must be a non-empty string, got ${typeName(body.model)}`);
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) {
    throw invalid('messages', messages === undefined ? "Missing required parameter: 'messages'" : `'messages' must be an array, got ${typeName(messages)}`);
  }
  if (messages.length === 0) throw invalid('messages', "'messages' must contain at least one message");
  messages.forEach(checkMessage);

  optional(body, 'stream', 'boolean');
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObject(body.stream_options)) throw invalid('stream_options', `'stream_options' must be an object, got ${typeName(body.stream_options)}`);
    optional(body.stream_options, 'include_usage', 'boolean', 'stream_options.');
  }
  range(body, 'temperature', 0, 2);
  range(body, 'top_p', 0, 1);
  range(body, 'presence_penalty', -2, 2);
  range(body, 'frequency_penalty', -2, 2);
  positiveInteger(body, 'max_tokens');
  positiveInteger(body, 'max_completion_tokens');
  positiveInteger(body, 'n');
  if (body.stop !== undefined && body.stop !== null) {
    const stop = body.stop;
    if (!(typeof stop === 'string' || (Array.isArray(stop) && stop.every((entry) => typeof entry === 'string')))) {
      throw invalid('stop', `'stop' must be a string or an array of strings, got ${typeName(stop)}`);
    }
  }
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) throw invalid('tools', `'tools' must be an array, got ${typeName(body.tools)}`);
    body.tools.forEach((tool, index) => {
      const where = `tools[${index}]`;
      if (!isObject(tool)) throw invalid(where, `'${where}' must be an object`);
      if (tool.type === 'function') {
        if (!isObject(tool.function) || typeof tool.function.name !== 'string' || !tool.function.name) {
          throw invalid(`${where}.function.name`, `'${where}.function.name' must be a non-empty string`);
        }
      } else if (typeof tool.type !== 'string') {
        throw invalid(`${where}.type`, `'${where}.type' must be a string such as "function"`);
      }
    });
  }
  if (body.tool_choice !== undefined && body.tool_choice !== null) {
    const choice = body.tool_choice;
    const ok = (typeof choice === 'string' && ['none', 'auto', 'required'].includes(choice)) || isObject(choice);
    if (!ok) throw invalid('tool_choice', `'tool_choice' must be "none", "auto", "required" or an object naming a function`);
  }
  return body as unknown as ChatCompletionRequest;
}

function checkMessage(message: unknown, index: number): void {
  const where = `messages[${index}]`;
  if (!isObject(message)) throw invalid(where, `'${where}' must be an object, got ${typeName(message)}`);
  const role = message.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw invalid(`${where}.role`, `'${where}.role' must be one of system, developer, user, assistant, tool; got ${JSON.stringify(role ?? null)}`);
  }
  const content = message.content;
  const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
  if (content === undefined || content === null) {
    if (!(role === 'assistant' && (hasToolCalls || message.function_call !== undefined))) {
      throw invalid(`${where}.content`, `'${where}.content' is required for a ${role} message`);
    }
  } else if (Array.isArray(content)) {
    content.forEach((part, partIndex) => checkPart(part, `${where}.content[${partIndex}]`));
  } else if (typeof content !== 'string') {
    throw invalid(`${where}.content`, `'${where}.content' must be a string or an array of content parts, got ${typeName(content)}`);
  }
  if (role === 'tool' && typeof message.tool_call_id !== 'string') {
    throw invalid(`${where}.tool_call_id`, `'${where}.tool_call_id' is required for a tool message`);
  }
  if (message.tool_calls !== undefined) {
    if (!Array.isArray(message.tool_calls)) throw invalid(`${where}.tool_calls`, `'${where}.tool_calls' must be an array`);
    message.tool_calls.forEach((call, callIndex) => {
      const path = `${where}.tool_calls[${callIndex}]`;
      if (!isObject(call) || typeof call.id !== 'string' || !isObject(call.function) || typeof call.function.name !== 'string') {
        throw invalid(path, `'${path}' must be {"id", "type": "function", "function": {"name", "arguments"}}`);
      }
      if (call.function.arguments !== undefined && typeof call.function.arguments !== 'string') {
        throw invalid(`${path}.function.arguments`, `'${path}.function.arguments' must be a string of JSON`);
      }
    });
  }
}

function checkPart(part: unknown, where: string): void {
  if (!isObject(part) || typeof part.type !== 'string') throw invalid(where, `'${where}' must be an object with a "type"`);
  if (part.type === 'text' && typeof part.text !== 'string') throw invalid(`${where}.text`, `'${where}.text' must be a string`);
  if (part.type === 'image_url' && (!isObject(part.image_url) || typeof part.image_url.url !== 'string')) {
    throw invalid(`${where}.image_url.url`, `'${where}.image_url.url' must be a string (a data: or https: URL)`);
  }
}

function optional(object: Record<string, unknown>, key: string, type: 'boolean', prefix = ''): void {
  const value = object[key];
  if (value !== undefined && value !== null && typeof value !== type) {
    throw invalid(`${prefix}${key}`, `'${prefix}${key}' must be a ${type}, got ${typeName(value)}`);
  }
}

function range(object: Record<string, unknown>, key: string, low: number, high: number): void {
  const value = object[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(key, `'${key}' must be a number, got ${typeName(value)}`);
  if (value < low || value > high) throw invalid(key, `'${key}' must be between ${low} and ${high}, got ${value}`);
}

function positiveInteger(object: Record<string, unknown>, key: string): void {
  const value = object[key];
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw invalid(key, `'${key}' must be a whole number of at least 1, got ${typeof value === 'number' ? value : typeName(value)}`);
  }
}

function invalid(param: string, message: string): HttpError {
  return new HttpError(400, message, { param: param || null, code: 'invalid_request' });
}
