import type { Usage } from '../spec/usage.js';
import { encodeReasoning, newCallId, newCustomToolCallItemId, newFunctionCallItemId, newResponseId, toResponsesUsage } from './response-fields.js';
import type { OutputCustomToolCall, OutputFunctionCall, OutputMessage, OutputReasoning, ResponseObject, ResponseOutputItem, ResponsesRequest } from './responses-types.js';
import type { ToolNames, ToolOrigin } from './tool-names.js';

/** What the answer's converters need besides the upstream's answer. */
export interface ResponseContext {
  /** The model named to the client. */
  model: string;
  /** The client's request: its settings are echoed in the response, as OpenAI does. */
  request: ResponsesRequest;
  /** The chat names responsesToChat gave the tools, to name the model's calls back. */
  tools: ToolNames;
  /** Whether reasoning items carry encrypted_content; by default, whether `include` asks for reasoning.encrypted_content. */
  encryptedReasoning?: boolean;
  /** Defaults to a fresh resp_ id. */
  responseId?: string;
  /** In seconds since the epoch; defaults to now. */
  createdAt?: number;
}

/** The parts of a response that change as it goes; the rest comes from the context. */
export interface ResponseState {
  id: string;
  createdAt: number;
  status: ResponseObject['status'];
  output: ResponseOutputItem[];
  /** undefined while the response is in progress (usage null on the wire). */
  usage?: Usage;
  incompleteDetails?: ResponseObject['incomplete_details'];
  error?: ResponseObject['error'];
}

export function responseIdOf(context: ResponseContext): string {
  return context.responseId ?? newResponseId();
}

export function createdAtOf(context: ResponseContext): number {
  return context.createdAt ?? Math.floor(Date.now() / 1000);
}

/**
 * The response object (section 3), with the request's settings echoed as OpenAI echoes them.
 * `store` is what the client sent, false when it sent nothing: Lodestar keeps no response, so
 * OpenAI's default (true) would promise a retrieval that can't happen.
 */
export function responseObject(context: ResponseContext, state: ResponseState): ResponseObject {
  const request = context.request;
  const verbosity = request.text?.verbosity;
  return {
    id: state.id,
    object: 'response',
    created_at: state.createdAt,
    ...(state.status === 'completed' ? { completed_at: Math.max(state.createdAt, Math.floor(Date.now() / 1000)) } : {}),
    status: state.status,
    error: state.error ?? null,
    incomplete_details: state.incompleteDetails ?? null,
    instructions: typeof request.instructions === 'string' ? request.instructions : null,
    model: context.model,
    output: state.output,
    output_text: outputText(state.output),
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    temperature: request.temperature ?? null,
    top_p: request.top_p ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: request.store ?? false,
    text: { format: request.text?.format ?? { type: 'text' }, ...(verbosity ? { verbosity } : {}) },
    truncation: request.truncation ?? 'disabled',
    usage: state.usage ? toResponsesUsage(state.usage) : null,
    metadata: request.metadata ?? {},
  };
}

/** All output text joined, as OpenAI's SDKs compute output_text. */
function outputText(output: ResponseOutputItem[]): string {
  let text = '';
  for (const item of output) if (item.type === 'message') for (const part of item.content) text += part.text;
  return text;
}

export function wantsEncryptedReasoning(context: ResponseContext): boolean {
  return context.encryptedReasoning ?? Boolean(context.request.include?.includes('reasoning.encrypted_content'));
}

export function messageItem(id: string, text: string): OutputMessage {
  return { type: 'message', id, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [] }] };
}

/**
 * The upstream's reasoning as raw reasoning text (no summary: the upstream wrote none). With
 * encrypted_content, the client hands the text back on the next turn (convert-responses-input.ts).
 */
export function reasoningItem(id: string, text: string, encrypted: boolean): OutputReasoning {
  return { type: 'reasoning', id, summary: [], content: [{ type: 'reasoning_text', text }], ...(encrypted ? { encrypted_content: encodeReasoning(text) } : {}) };
}

/**
 * A chat tool call as the item the client expects for that tool: a function_call with the
 * original name and namespace, or a custom_tool_call with the raw input unwrapped.
 */
export function toolCallItem(origin: ToolOrigin, callId: string, argumentsText: string, itemId?: string): OutputFunctionCall | OutputCustomToolCall {
  const namespace = origin.namespace ? { namespace: origin.namespace } : {};
  if (origin.kind === 'custom') {
    return { type: 'custom_tool_call', id: itemId ?? newCustomToolCallItemId(), call_id: callId, name: origin.name, input: customInput(argumentsText), status: 'completed', ...namespace };
  }
  // A call without arguments is {}: clients parse the arguments as JSON, and '' is not JSON.
  return { type: 'function_call', id: itemId ?? newFunctionCallItemId(), call_id: callId, name: origin.name, arguments: argumentsText || '{}', status: 'completed', ...namespace };
}

/**
 * A custom tool's raw input from its function's arguments, {"input": "..."}. Arguments that are
 * not that JSON (a model that wrote the patch bare) are the input as they are: the client's tool
 * then judges them, where dropping them would lose the model's work.
 */
export function customInput(argumentsText: string): string {
  try {
    const parsed: unknown = JSON.parse(argumentsText);
    if (parsed && typeof parsed === 'object' && typeof (parsed as { input?: unknown }).input === 'string') return (parsed as { input: string }).input;
  } catch {
    // not JSON: the text itself
  }
  return argumentsText;
}

/**
 * The call_id of a call: the upstream's id, or a fresh one when it sent none or one already used
 * in this response (an upstream that numbers every call 0): outputs come back paired by call_id,
 * and clients refuse two calls with one id.
 */
export function uniqueCallId(upstreamId: string | null | undefined, used: Set<string>): string {
  const id = upstreamId && !used.has(upstreamId) ? upstreamId : newCallId();
  used.add(id);
  return id;
}
