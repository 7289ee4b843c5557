import { reasoningOf, usageOf, type ChunkBody, type ToolCallFragment } from '../messages/openai-answer.js';
import type { Usage } from '../spec/usage.js';
import { newCustomToolCallItemId, newFunctionCallItemId, newMessageItemId, newReasoningItemId, responseEnding } from './response-fields.js';
import {
  createdAtOf,
  messageItem,
  reasoningItem,
  responseIdOf,
  responseObject,
  toolCallItem,
  uniqueCallId,
  wantsEncryptedReasoning,
  type ResponseContext,
  type ResponseState,
} from './response-object.js';
import type { ResponseOutputItem, ResponsesStreamEvent } from './responses-types.js';
import type { ToolOrigin } from './tool-names.js';

interface CallState {
  /** The OpenAI index its fragments carry. */
  key: number;
  /** Its output_index. */
  index: number;
  upstreamId: string | undefined;
  itemId: string;
  callId: string;
  origin: ToolOrigin;
  arguments: string;
}

type OpenItem =
  | { kind: 'reasoning' | 'message'; index: number; id: string; text: string }
  | { kind: 'call'; index: number; call: CallState };

/**
 * A provider's OpenAI chunk stream (StreamChunk.data) as Responses stream events, one chunk at a
 * time, in the order of reference/responses-api.md 4.2: response.created and
 * response.in_progress, then per output item output_item.added, its parts and deltas and
 * output_item.done, then response.completed (or response.incomplete) with the whole output.
 *
 * - One item is open at a time, numbered by output_index in the order it opens: reasoning
 *   (reasoning_content, or OpenRouter's reasoning) makes a reasoning item with raw
 *   reasoning_text, content a message item, each tool call (by its OpenAI index, or a new id at
 *   the same index, as upstreams that number every call 0 send them) a function_call or
 *   custom_tool_call item. A new kind of content closes the open item.
 * - Codex takes a turn's content only from output_item.done, and repeats nothing from
 *   response.completed; openai-node's stream helper checks ids, item_ids and indexes and refuses
 *   event types it does not know. Every item is therefore complete in its output_item.done and
 *   again in the terminal response, and only event types of the SDK are written.
 * - A custom tool call's arguments are held until the call ends: the raw input must be unwrapped
 *   from {"input": ...} before the client sees any of it. Nothing else is buffered.
 * - No `data: [DONE]`: a Responses stream ends with its terminal event.
 */
export class ChatStreamToResponses {
  private readonly context: ResponseContext;
  private readonly responseId: string;
  private readonly createdAt: number;
  private readonly encryptedReasoning: boolean;
  private sequence = 0;
  private started = false;
  private ended = false;
  private finishReason: string | undefined;
  private usage: Usage | undefined;
  private open: OpenItem | undefined;
  private readonly output: ResponseOutputItem[] = [];
  private readonly calls: CallState[] = [];
  private readonly callIds = new Set<string>();
  /** Frames of a chunk whose conversion threw: failed() (or end()) writes them first, so no sequence number is skipped. */
  private unsent: string[] = [];

  constructor(context: ResponseContext) {
    this.context = context;
    this.responseId = responseIdOf(context);
    this.createdAt = createdAtOf(context);
    this.encryptedReasoning = wantsEncryptedReasoning(context);
  }

  /**
   * The SSE frames for one chunk (possibly none). Content after the finish reason is ignored;
   * a later usage-only chunk (choices: []) still counts.
   * @throws Error when a tool call's arguments go on after its item was closed (another item
   *   began): the daemon ends the stream with failed().
   */
  push(chunkData: string): string[] {
    if (this.ended) return [];
    const frames: string[] = [];
    try {
      const chunk = JSON.parse(chunkData) as ChunkBody;
      this.usage = usageOf(chunk) ?? this.usage;
      this.start(frames);
      const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
      if (!choice || this.finishReason !== undefined) return frames;
      const delta = choice.delta ?? {};
      const reasoning = reasoningOf(delta);
      if (reasoning) this.appendText(frames, 'reasoning', reasoning);
      if (delta.content) this.appendText(frames, 'message', delta.content);
      for (const fragment of delta.tool_calls ?? []) this.toolCall(frames, fragment);
      if (choice.finish_reason) {
        this.finishReason = choice.finish_reason;
        this.close(frames);
      }
      return frames;
    } catch (error) {
      this.unsent = frames;
      throw error;
    }
  }

  /** The closing frames: the open item's, then response.completed, or response.incomplete when the answer was cut off. */
  end(): string[] {
    if (this.ended) return [];
    const frames = this.unsent;
    this.unsent = [];
    this.start(frames);
    this.close(frames);
    const ending = responseEnding(this.finishReason);
    const response = this.response({ status: ending.status, incompleteDetails: ending.incomplete_details, usage: this.usage ?? {} });
    frames.push(this.frame({ type: ending.status === 'completed' ? 'response.completed' : 'response.incomplete', response }));
    this.ended = true;
    return frames;
  }

  /**
   * The frames that end a stream that broke after it began (the HTTP status was already 200):
   * response.failed, whose output holds the items already done; the open item stays unfinished,
   * since Codex would otherwise show its partial content and then retry the whole request.
   * @param code one Codex understands: 'server_error' and 'rate_limit_exceeded' are retried.
   */
  failed(code: string, message: string): string[] {
    if (this.ended) return [];
    const frames = this.unsent;
    this.unsent = [];
    this.start(frames);
    frames.push(this.frame({ type: 'response.failed', response: this.response({ status: 'failed', error: { code, message }, usage: this.usage }) }));
    this.ended = true;
    return frames;
  }

  private start(frames: string[]): void {
    if (this.started) return;
    this.started = true;
    // The opening events leave the request's tools and instructions out (no client reads them
    // there, and Codex's tools are a hundred kilobytes): the first event goes out at once. The
    // terminal event carries the whole response object, as OpenAI's does.
    const response = { ...this.response({ status: 'in_progress' }), tools: [], instructions: null };
    frames.push(this.frame({ type: 'response.created', response }), this.frame({ type: 'response.in_progress', response }));
  }

  private response(state: Omit<ResponseState, 'id' | 'createdAt' | 'output'>): ReturnType<typeof responseObject> {
    return responseObject(this.context, { id: this.responseId, createdAt: this.createdAt, output: [...this.output], ...state });
  }

  /** A reasoning or text delta, in the open item of its kind or a new one. */
  private appendText(frames: string[], kind: 'reasoning' | 'message', delta: string): void {
    let open = this.open;
    if (open?.kind !== kind) {
      this.close(frames);
      const id = kind === 'message' ? newMessageItemId() : newReasoningItemId();
      const index = this.output.length;
      open = { kind, index, id, text: '' };
      this.open = open;
      const item: ResponseOutputItem = kind === 'message' ? { type: 'message', id, role: 'assistant', status: 'in_progress', content: [] } : { type: 'reasoning', id, summary: [] };
      frames.push(this.frame({ type: 'response.output_item.added', output_index: index, item }));
      const part = kind === 'message' ? { type: 'output_text' as const, text: '', annotations: [] } : { type: 'reasoning_text' as const, text: '' };
      frames.push(this.frame({ type: 'response.content_part.added', item_id: id, output_index: index, content_index: 0, part }));
    }
    open.text += delta;
    const where = { item_id: open.id, output_index: open.index, content_index: 0 };
    frames.push(this.frame(kind === 'message' ? { type: 'response.output_text.delta', ...where, delta, logprobs: [] } : { type: 'response.reasoning_text.delta', ...where, delta }));
  }

  private toolCall(frames: string[], fragment: ToolCallFragment): void {
    const key = fragment.index ?? this.calls.at(-1)?.key ?? 0;
    const known = this.calls.findLast((candidate) => candidate.key === key);
    const id = fragment.id || undefined;
    let call: CallState;
    if (!known || (id !== undefined && known.upstreamId !== undefined && id !== known.upstreamId)) call = this.openCall(frames, key, id, fragment.function?.name ?? '');
    else if (this.open?.kind === 'call' && this.open.call === known) call = known;
    else throw new Error(`tool call ${key} went on after its output item was closed`);
    call.upstreamId ??= id;
    const partial = fragment.function?.arguments;
    if (!partial) return;
    call.arguments += partial;
    // A custom call's input is held until the call ends (see the class comment).
    if (call.origin.kind === 'function') frames.push(this.frame({ type: 'response.function_call_arguments.delta', item_id: call.itemId, output_index: call.index, delta: partial }));
  }

  private openCall(frames: string[], key: number, upstreamId: string | undefined, chatName: string): CallState {
    this.close(frames);
    const origin = this.context.tools.originOf(chatName);
    const custom = origin.kind === 'custom';
    const index = this.output.length;
    const itemId = custom ? newCustomToolCallItemId() : newFunctionCallItemId();
    const call: CallState = { key, index, upstreamId, itemId, callId: uniqueCallId(upstreamId, this.callIds), origin, arguments: '' };
    this.calls.push(call);
    this.open = { kind: 'call', index, call };
    const namespace = origin.namespace ? { namespace: origin.namespace } : {};
    const item: ResponseOutputItem = custom
      ? { type: 'custom_tool_call', id: call.itemId, call_id: call.callId, name: origin.name, input: '', status: 'in_progress', ...namespace }
      : { type: 'function_call', id: call.itemId, call_id: call.callId, name: origin.name, arguments: '', status: 'in_progress', ...namespace };
    frames.push(this.frame({ type: 'response.output_item.added', output_index: index, item }));
    return call;
  }

  /** The open item's closing events and its output_item.done, with the item as the terminal response repeats it. */
  private close(frames: string[]): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    const { index } = open;
    let item: ResponseOutputItem;
    if (open.kind === 'call') {
      const { call } = open;
      item = toolCallItem(call.origin, call.callId, call.arguments, call.itemId);
      const where = { item_id: call.itemId, output_index: index };
      if (item.type === 'function_call') frames.push(this.frame({ type: 'response.function_call_arguments.done', ...where, name: item.name, arguments: item.arguments }));
      else {
        if (item.input) frames.push(this.frame({ type: 'response.custom_tool_call_input.delta', ...where, delta: item.input }));
        frames.push(this.frame({ type: 'response.custom_tool_call_input.done', ...where, input: item.input }));
      }
    } else {
      const where = { item_id: open.id, output_index: index, content_index: 0 };
      if (open.kind === 'message') {
        item = messageItem(open.id, open.text);
        frames.push(this.frame({ type: 'response.output_text.done', ...where, text: open.text, logprobs: [] }));
        frames.push(this.frame({ type: 'response.content_part.done', ...where, part: { type: 'output_text', text: open.text, annotations: [] } }));
      } else {
        item = reasoningItem(open.id, open.text, this.encryptedReasoning);
        frames.push(this.frame({ type: 'response.reasoning_text.done', ...where, text: open.text }));
        frames.push(this.frame({ type: 'response.content_part.done', ...where, part: { type: 'reasoning_text', text: open.text } }));
      }
    }
    this.output.push(item);
    frames.push(this.frame({ type: 'response.output_item.done', output_index: index, item }));
  }

  private frame(event: ResponsesStreamEvent): string {
    return `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: this.sequence++ })}\n\n`;
  }
}
