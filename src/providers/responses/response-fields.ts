import { randomBytes, randomUUID } from 'node:crypto';
import { isNumber, type Usage } from '../spec/usage.js';
import type { ResponseObject, ResponsesUsage } from './responses-types.js';

/**
 * The fields of a Responses answer that the completion and the stream converters compute the
 * same way, and the two conversions the daemon needs around a pass-through to OpenAI.
 */

/** 32 random hex digits: randomUUID draws from a pool Node refills in bulk, where randomBytes asks the kernel each time (a few ids a stream). */
const hex = (): string => randomUUID().replace(/-/g, '');

/** Item and response ids with OpenAI's prefixes: clients and OpenAI itself check them (an echoed function_call's id must begin with fc). */
export const newResponseId = (): string => `resp_${hex()}`;
export const newMessageItemId = (): string => `msg_${hex()}`;
export const newReasoningItemId = (): string => `rs_${hex()}`;
export const newFunctionCallItemId = (): string => `fc_${hex()}`;
export const newCustomToolCallItemId = (): string => `ctc_${hex()}`;
/** For a tool call the upstream sent without an id: outputs come back paired by this call_id. */
export const newCallId = (): string => `call_${randomBytes(18).toString('base64url')}`;

/**
 * Usage in the Responses shape. input_tokens counts cached tokens too, as the one shape does
 * (Codex subtracts cached from input itself); cache_write_tokens only when the upstream said so.
 * A count the upstream did not report is 0 here: this wire has no "unknown", and Codex refuses
 * a usage object with a field missing.
 */
export function toResponsesUsage(usage: Usage): ResponsesUsage {
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: usage.cachedInputTokens ?? 0,
      ...(usage.cacheWriteTokens !== undefined ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
    },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

/**
 * A Responses usage object (an OpenAI pass-through's answer) in the one shape, the inverse of
 * toResponsesUsage: input_tokens already includes cached tokens, output_tokens reasoning ones.
 * A count the answer does not carry stays undefined, never 0; no usage at all is undefined.
 */
export function convertResponsesUsage(raw: unknown): Usage | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const usage = raw as Record<string, unknown>;
  const inputDetails = (usage.input_tokens_details ?? undefined) as Record<string, unknown> | undefined;
  const outputDetails = (usage.output_tokens_details ?? undefined) as Record<string, unknown> | undefined;
  const result: Usage = {};
  if (isNumber(usage.input_tokens)) result.inputTokens = usage.input_tokens;
  if (isNumber(inputDetails?.cached_tokens)) result.cachedInputTokens = inputDetails.cached_tokens as number;
  if (isNumber(inputDetails?.cache_write_tokens)) result.cacheWriteTokens = inputDetails.cache_write_tokens as number;
  if (isNumber(usage.output_tokens)) result.outputTokens = usage.output_tokens;
  if (isNumber(outputDetails?.reasoning_tokens)) result.reasoningTokens = outputDetails.reasoning_tokens as number;
  return result;
}

export interface ResponseEnding {
  status: 'completed' | 'incomplete';
  incomplete_details: ResponseObject['incomplete_details'];
}

/**
 * OpenAI's finish_reason as the response's status. Only a cut-off answer is incomplete: Codex
 * fails the turn at once on one ("Incomplete response returned, reason: max_output_tokens"),
 * which is what a truncated tool call deserves. Tool calls, stops and anything unknown complete.
 */
export function responseEnding(finishReason: string | null | undefined): ResponseEnding {
  if (finishReason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finishReason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

/**
 * Lodestar's own encrypted_content: the upstream's reasoning text (DeepSeek's reasoning_content),
 * which the client echoes back in the reasoning item on the next turn, so it can go back to the
 * upstream that wants it (section 7). Not secret, only opaque; the prefix tells it from OpenAI's
 * blobs ("gAAAA...") and says which version of this encoding wrote it.
 */
export const OWN_REASONING_PREFIX = 'lodestar-reasoning-v1:';

export function encodeReasoning(text: string): string {
  return OWN_REASONING_PREFIX + Buffer.from(text, 'utf8').toString('base64');
}

/** The reasoning text of our own encrypted_content; undefined for anything else (OpenAI's, another bridge's, a damaged one). */
export function decodeReasoning(value: unknown): string | undefined {
  if (!isOwnEncryptedReasoning(value)) return undefined;
  const base64 = value.slice(OWN_REASONING_PREFIX.length);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  return Buffer.from(base64, 'base64').toString('utf8');
}

/**
 * Whether a reasoning item's encrypted_content was written by Lodestar. The daemon strips such
 * items before a pass-through to OpenAI, which answers 400 invalid_encrypted_content to a blob
 * it did not write.
 */
export function isOwnEncryptedReasoning(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(OWN_REASONING_PREFIX);
}
