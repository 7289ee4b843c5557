import { SseParser, type SseEvent } from '../../providers/http/sse.js';
import type { AnswerCapture, AnswerObserver } from '../chat/answer-capture.js';

interface ContentBlock {
  type?: string;
  text?: string;
  name?: string;
  input?: unknown;
}

/**
 * An Anthropic Messages answer read on the side for its text and tool_use blocks (Claude
 * Code's Write, Edit, MultiEdit, NotebookEdit): a whole Message, or the stream's events as they
 * go out (content_block_start names a tool, input_json_delta brings its input in pieces),
 * whether Anthropic sent them or Lodestar converted them from another provider's answer.
 */
export class MessagesAnswerReader implements AnswerObserver {
  private readonly capture: AnswerCapture;
  private readonly parser = new SseParser((event) => this.read(event));

  constructor(capture: AnswerCapture) {
    this.capture = capture;
  }

  whole(text: string): void {
    let content: ContentBlock[] | undefined;
    try {
      content = (JSON.parse(text) as { content?: ContentBlock[] }).content;
    } catch {
      return;
    }
    for (const block of Array.isArray(content) ? content : []) {
      if (block?.type === 'text' && typeof block.text === 'string') this.capture.addText(block.text);
      else if (block?.type === 'tool_use' && typeof block.name === 'string') this.capture.addCall(block.name, JSON.stringify(block.input ?? {}));
    }
  }

  push(chunk: Buffer | string): void {
    this.parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  private read(event: SseEvent): void {
    if (event.event !== 'content_block_start' && event.event !== 'content_block_delta') return;
    try {
      const payload = JSON.parse(event.data) as { index?: number; content_block?: ContentBlock; delta?: { type?: string; text?: string; partial_json?: string } };
      const index = payload.index ?? 0;
      if (event.event === 'content_block_start') {
        if (payload.content_block?.type === 'tool_use') this.capture.callPiece(index, payload.content_block.name ?? '', undefined);
        else if (payload.content_block?.type === 'text' && payload.content_block.text) this.capture.addText(payload.content_block.text);
        return;
      }
      const delta = payload.delta;
      if (delta?.type === 'text_delta' && delta.text) this.capture.addText(delta.text);
      else if (delta?.type === 'input_json_delta' && delta.partial_json) this.capture.callPiece(index, undefined, delta.partial_json);
    } catch {
      // not JSON: relayed all the same
    }
  }
}
