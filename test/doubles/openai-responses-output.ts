import { randomBytes } from 'node:crypto';
import { randomAlphanumeric, randomHex, type DoubleUsage, type PlannedReply } from './scenario.js';

/**
 * The output items and the response object of the Responses API (responses-api.md section 3),
 * shared by the JSON answer and the stream, which repeats them in response.completed.
 */

export type OutputItem = Record<string, unknown> & { id: string; type: string };

export interface ResponseShape {
  id: string;
  createdAt: number;
  model: string;
  request: Record<string, unknown>;
}

const hexId = (prefix: string): string => `${prefix}_${randomHex(48)}`;
export const newResponseId = (): string => hexId('resp');

/**
 * What the reply becomes, in emission order: a reasoning item first (reasoning models always
 * reason; its summary is shown only when reasoning.summary asks, its encrypted_content only
 * when include asks), then the message, then each tool call. A scripted call whose name is a
 * `custom` tool of the request becomes a custom_tool_call with the raw input as given.
 */
export function planOutput(reply: PlannedReply, request: Record<string, unknown>, reasoningModel: boolean): OutputItem[] {
  const items: OutputItem[] = [];
  if (reasoningModel) {
    const reasoning = request.reasoning as Record<string, unknown> | undefined;
    const summarize = typeof reasoning?.summary === 'string' && reasoning.summary !== 'none' && reply.reasoning !== '';
    const include = Array.isArray(request.include) && request.include.includes('reasoning.encrypted_content');
    items.push({
      id: hexId('rs'),
      type: 'reasoning',
      summary: summarize ? [{ type: 'summary_text', text: reply.reasoning }] : [],
      ...(include ? { encrypted_content: encryptedBlob() } : {}),
    });
  }
  const incomplete = reply.finishReason === 'length';
  if (reply.text !== '' || !reply.toolCalls.length) {
    items.push({
      id: hexId('msg'),
      type: 'message',
      status: incomplete ? 'incomplete' : 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.text }],
      role: 'assistant',
    });
  }
  const custom = customToolNames(request);
  for (const call of reply.toolCalls) {
    const callId = `call_${randomAlphanumeric(24)}`;
    items.push(
      custom.has(call.name)
        ? // A custom tool call has no status (openai-node ResponseCustomToolCall); OpenAI refuses one echoed back.
          { id: hexId('ctc'), type: 'custom_tool_call', call_id: callId, input: call.arguments, name: call.name }
        : { id: hexId('fc'), type: 'function_call', status: 'completed', arguments: call.arguments, call_id: callId, name: call.name },
    );
  }
  return items;
}

function customToolNames(request: Record<string, unknown>): Set<string> {
  const names = new Set<string>();
  for (const tool of Array.isArray(request.tools) ? request.tools : []) {
    const record = tool as Record<string, unknown>;
    if (record?.type === 'custom' && typeof record.name === 'string') names.add(record.name);
  }
  return names;
}

/** OpenAI's reasoning blobs are Fernet tokens: base64url, "gAAAA..." (responses-api.md 7). */
function encryptedBlob(): string {
  return `gAAAAB${randomBytes(180).toString('base64url')}`;
}

/** 3: usage with cached_tokens inside input_tokens and reasoning_tokens inside output_tokens. */
export function responsesUsage(usage: DoubleUsage): Record<string, unknown> {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cacheReadTokens, ...(usage.cacheWriteTokens ? { cache_write_tokens: usage.cacheWriteTokens } : {}) },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

/** 3: the response object, echoing the request's settings as the spec example does. */
export function responseObject(shape: ResponseShape, status: ResponseStatus, output: OutputItem[], usage: DoubleUsage | undefined, error?: { code: string; message: string }): Record<string, unknown> {
  const { request } = shape;
  const reasoning = (request.reasoning ?? {}) as Record<string, unknown>;
  const text = (request.text ?? {}) as Record<string, unknown>;
  return {
    id: shape.id,
    object: 'response',
    created_at: shape.createdAt,
    status,
    background: false,
    ...(status === 'completed' ? { completed_at: Math.floor(Date.now() / 1000) } : {}),
    error: error ?? null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    model: shape.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
    reasoning: { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    safety_identifier: request.safety_identifier ?? null,
    service_tier: 'default',
    store: request.store ?? true,
    temperature: request.temperature ?? 1,
    text: { format: text.format ?? { type: 'text' }, verbosity: text.verbosity ?? 'medium' },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_logprobs: request.top_logprobs ?? 0,
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: usage ? responsesUsage(usage) : null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}
