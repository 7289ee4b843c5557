import { isNumber, type Usage } from '../spec/usage.js';

/**
 * Anthropic's input_tokens EXCLUDES cache reads and writes ("Total input tokens in a request is
 * the summation of input_tokens, cache_creation_input_tokens, and cache_read_input_tokens"),
 * the opposite of OpenAI's prompt_tokens. The one shape counts them all as input.
 */
export function convertAnthropicUsage(raw: unknown, into: Usage = {}): Usage {
  if (!raw || typeof raw !== 'object') return into;
  const usage = raw as Record<string, unknown>;
  const input = isNumber(usage.input_tokens) ? usage.input_tokens : undefined;
  const write = isNumber(usage.cache_creation_input_tokens) ? usage.cache_creation_input_tokens : undefined;
  const read = isNumber(usage.cache_read_input_tokens) ? usage.cache_read_input_tokens : undefined;
  if (input !== undefined) into.inputTokens = input + (write ?? 0) + (read ?? 0);
  if (write !== undefined) into.cacheWriteTokens = write;
  if (read !== undefined) into.cachedInputTokens = read;
  // message_delta carries cumulative counts: the latest value replaces the earlier one.
  if (isNumber(usage.output_tokens)) into.outputTokens = usage.output_tokens;
  return into;
}
