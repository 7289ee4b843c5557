import type { Usage } from '../spec/usage.js';
import { mapFinishReason, toAnthropicUsage, toMessageId, toToolUseId } from './message-fields.js';
import type { AnthropicContentBlock, AnthropicErrorType, ContentBlockDelta, MessagesStreamEvent } from './messages-types.js';
import { reasoningOf, usageOf, type ChunkBody, type ToolCallFragment } from './openai-answer.js';

export interface ChatStreamToMessagesOptions {
  /** The model named to the client. */
  model: string;
  /** Defaults to the first chunk's id, prefixed msg_ (as completionToMessage derives it). */
  messageId?: string;
}

interface ToolCallState {
  /** The OpenAI index its fragments carry. */
  key: number;
  upstreamId: string | undefined;
}

type OpenBlock = { index: number; kind: 'thinking' | 'text' } | { index: number; kind: 'tool'; call: ToolCallState };

/**
 * A provider's OpenAI chunk stream (StreamChunk.data) as Anthropic's stream events, one chunk at
 * a time (never buffered), in the order of reference/providers.md 2.4: message_start, then per
 * content block content_block_start, its deltas and content_block_stop (a block is closed
 * before the next one opens; indices are positions in the final content), then message_delta
 * and message_stop.
 *
 * - reasoning deltas (reasoning_content, or OpenRouter's reasoning) make a thinking block with
 *   an empty signature, and no signature_delta: there is no signature to send, the block
 *   already carries signature "" from its start, and a signature_delta would only claim one.
 * - content deltas make a text block; each tool call (by its OpenAI index, or a new id at the
 *   same index, as upstreams that number every call 0 send them) makes a tool_use block whose
 *   arguments follow as input_json_delta fragments, whether they come in pieces or in one.
 * - message_start carries the usage known so far, usually zeros: OpenAI-shaped upstreams report
 *   usage only at the end. The final message_delta carries the real figures (input_tokens and
 *   the cache counts included), which Anthropic allows: its usage fields are cumulative, and the
 *   SDK takes each one from message_delta when present.
 * - No ping events: keep-alives in long silences are the daemon's to write (clients skip them).
 */
export class ChatStreamToMessages {
  private readonly model: string;
  private messageId: string | undefined;
  private started = false;
  private ended = false;
  private finishReason: string | undefined;
  private usage: Usage = {};
  private open: OpenBlock | undefined;
  private nextIndex = 0;
  private readonly toolCalls: ToolCallState[] = [];

  constructor(options: ChatStreamToMessagesOptions) {
    this.model = options.model;
    this.messageId = options.messageId;
  }

  /**
   * The SSE frames for one chunk (possibly none). Content after the finish reason is ignored;
   * a later usage-only chunk (choices: []) still counts.
   * @throws Error when a tool call's arguments continue after another block began, which
   *   Anthropic's event order can't express.
   */
  push(chunkData: string): string[] {
    if (this.ended) return [];
    const chunk = JSON.parse(chunkData) as ChunkBody;
    this.usage = usageOf(chunk) ?? this.usage;
    const frames: string[] = [];
    this.start(frames, chunk.id);
    const choice = chunk.choices?.find((candidate) => (candidate.index ?? 0) === 0);
    if (!choice || this.finishReason !== undefined) return frames;
    const delta = choice.delta ?? {};
    const reasoning = reasoningOf(delta);
    if (reasoning) this.append(frames, 'thinking', { type: 'thinking_delta', thinking: reasoning });
    if (delta.content) this.append(frames, 'text', { type: 'text_delta', text: delta.content });
    for (const fragment of delta.tool_calls ?? []) this.toolCall(frames, fragment);
    if (choice.finish_reason) {
      this.finishReason = choice.finish_reason;
      this.close(frames);
    }
    return frames;
  }

  /** The closing frames: the open block's stop, message_delta (stop_reason, usage) and message_stop. */
  end(): string[] {
    if (this.ended) return [];
    const frames: string[] = [];
    this.start(frames, undefined);
    this.close(frames);
    const stopReason = mapFinishReason(this.finishReason, this.toolCalls.length > 0);
    frames.push(frame({ type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: toAnthropicUsage(this.usage) }));
    frames.push(frame({ type: 'message_stop' }));
    this.ended = true;
    return frames;
  }

  /** The frame that ends a stream that failed after it began (the HTTP status was already 200). */
  errorFrame(type: AnthropicErrorType, message: string): string {
    this.ended = true;
    return frame({ type: 'error', error: { type, message } });
  }

  private start(frames: string[], chunkId: string | undefined): void {
    if (this.started) return;
    this.started = true;
    this.messageId ??= toMessageId(chunkId);
    frames.push(
      frame({
        type: 'message_start',
        message: {
          id: this.messageId,
          type: 'message',
          role: 'assistant',
          model: this.model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: toAnthropicUsage(this.usage),
        },
      }),
    );
  }

  /** A text or thinking delta, in the open block of its kind or a new one. */
  private append(frames: string[], kind: 'thinking' | 'text', delta: ContentBlockDelta): void {
    const index =
      this.open?.kind === kind ? this.open.index : this.begin(frames, kind, kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' });
    frames.push(frame({ type: 'content_block_delta', index, delta }));
  }

  private toolCall(frames: string[], fragment: ToolCallFragment): void {
    const last = this.toolCalls.at(-1);
    const key = fragment.index ?? last?.key ?? 0;
    const known = this.toolCalls.findLast((candidate) => candidate.key === key);
    const id = fragment.id ?? undefined;
    let index: number;
    if (!known || (id !== undefined && known.upstreamId !== undefined && id !== known.upstreamId)) {
      const call = { key, upstreamId: id };
      this.toolCalls.push(call);
      index = this.begin(frames, call, { type: 'tool_use', id: toToolUseId(id), name: fragment.function?.name ?? '', input: {} });
    } else if (this.open?.kind === 'tool' && this.open.call === known) {
      index = this.open.index;
    } else {
      throw new Error(`tool call ${key} went on after another content block began`);
    }
    const partial = fragment.function?.arguments;
    if (partial) frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } }));
  }

  /** Closes the open block and opens the next one, for 'thinking', 'text' or a tool call; returns its index. */
  private begin(frames: string[], of: 'thinking' | 'text' | ToolCallState, contentBlock: AnthropicContentBlock): number {
    this.close(frames);
    const index = this.nextIndex++;
    this.open = typeof of === 'string' ? { index, kind: of } : { index, kind: 'tool', call: of };
    frames.push(frame({ type: 'content_block_start', index, content_block: contentBlock }));
    return index;
  }

  private close(frames: string[]): void {
    if (!this.open) return;
    frames.push(frame({ type: 'content_block_stop', index: this.open.index }));
    this.open = undefined;
  }
}

function frame(event: MessagesStreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}
