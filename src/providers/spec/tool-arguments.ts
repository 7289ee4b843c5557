import { TranslationError } from './translation-error.js';

/**
 * A tool call's arguments (a JSON string on OpenAI's wire) as the object Anthropic and Ollama
 * want; empty means no arguments. Anything else that is not JSON is refused, naming the field.
 */
export function parseToolArguments(text: string, param: string): unknown {
  if (!text || !text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new TranslationError(param, 'tool call arguments must be JSON');
  }
}
