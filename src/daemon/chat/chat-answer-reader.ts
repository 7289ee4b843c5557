import { contentText, type ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import type { AnswerCapture } from './answer-capture.js';

interface ChatToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  /** OpenAI's custom tools: the raw input. */
  custom?: { name?: string; input?: string };
}

interface ChatChoice {
  index?: number;
  message?: { content?: unknown; tool_calls?: ChatToolCall[] };
  delta?: { content?: unknown; tool_calls?: ChatToolCall[] };
}

/**
 * A Chat Completions answer read on the side for its text and tool calls (opencode's write and
 * edit, Aider's edit blocks in the text): a whole chat.completion, or a stream's chunks as they
 * go out. The first choice only: the one a coding tool acts on.
 */
export class ChatAnswerReader {
  private readonly capture: AnswerCapture;
  /** Each stream index's current call: its id and its key in the capture (some upstreams number every call 0, with new ids). */
  private readonly open = new Map<number, { id: string | undefined; key: number }>();
  private nextKey = 0;

  constructor(capture: AnswerCapture) {
    this.capture = capture;
  }

  whole(body: string): void {
    const message = firstChoice(body)?.message;
    if (!message) return;
    this.capture.addText(textOf(message.content));
    for (const call of message.tool_calls ?? []) {
      if (call.custom) this.capture.addCall(call.custom.name ?? '', call.custom.input ?? '');
      else this.capture.addCall(call.function?.name ?? '', call.function?.arguments ?? '');
    }
  }

  /** One chunk's data (the JSON of a `data:` line). */
  chunk(data: string): void {
    // Role, usage and finish chunks carry nothing of the answer: not parsed.
    if (!data.includes('"content"') && !data.includes('"tool_calls"')) return;
    const delta = firstChoice(data)?.delta;
    if (!delta) return;
    if (delta.content) this.capture.addText(textOf(delta.content));
    for (const call of delta.tool_calls ?? []) {
      const key = this.keyOf(call);
      if (call.custom) this.capture.callPiece(key, call.custom.name, call.custom.input);
      else this.capture.callPiece(key, call.function?.name, call.function?.arguments);
    }
  }

  private keyOf(call: ChatToolCall): number {
    const index = call.index ?? 0;
    const current = this.open.get(index);
    // The same call going on: no id, or its own id again.
    if (current && (call.id === undefined || current.id === undefined || call.id === current.id)) {
      current.id ??= call.id;
      return current.key;
    }
    const opened = { id: call.id, key: this.nextKey++ };
    this.open.set(index, opened);
    return opened.key;
  }
}

/**
 * Aider's `whole` edit format (its prompt asks for a "*file listing*"): the reply's fenced file
 * listings are its edits. Any other request's fenced code is not read as an edit.
 */
export function asksForWholeFiles(request: ChatCompletionRequest): boolean {
  let lastUser: string | undefined;
  for (const message of request.messages) {
    if (message.role === 'system' || message.role === 'developer') {
      if (contentText(message.content).includes(FILE_LISTING)) return true;
    } else if (message.role === 'user') lastUser = contentText(message.content);
  }
  // Aider's reminder goes with the last user message when its model settings say so.
  return lastUser?.includes(FILE_LISTING) === true;
}

const FILE_LISTING = '*file listing* format';

function firstChoice(text: string): ChatChoice | undefined {
  try {
    const parsed = JSON.parse(text) as { choices?: ChatChoice[] };
    return parsed.choices?.find((choice) => (choice.index ?? 0) === 0);
  } catch {
    return undefined;
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
}
