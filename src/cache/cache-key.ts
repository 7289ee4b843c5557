import { createHash } from 'node:crypto';
import type { ChatCompletionRequest } from '../providers/spec/chat-request.js';

/**
 * The request fields that change what a model answers. Everything else (stream, stream_options,
 * user, metadata...) changes only how the answer is delivered or billed.
 */
const ANSWER_FIELDS = [
  'model',
  'messages',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'n',
  'response_format',
  'presence_penalty',
  'frequency_penalty',
  'logit_bias',
  'reasoning_effort',
  'thinking',
] as const;

/**
 * Only answers a model would give again are cached: temperature 0 (what Aider sends), one
 * choice. `deterministicOnly: false` caches any request (the user accepts replays of
 * sampled answers).
 */
export function isCacheable(request: ChatCompletionRequest, deterministicOnly: boolean): boolean {
  if ((request.n ?? 1) !== 1) return false;
  return !deterministicOnly || request.temperature === 0;
}

/** A hash of the normalized request, scoped to the project (its routing may differ). */
export function cacheKey(request: ChatCompletionRequest, project: string | undefined): string {
  const normalized: Record<string, unknown> = {};
  for (const field of ANSWER_FIELDS) {
    const value = request[field];
    if (value !== undefined && value !== null) normalized[field] = value;
  }
  return createHash('sha256').update(JSON.stringify([project ?? '', normalized])).digest('base64url');
}
