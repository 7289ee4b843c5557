import { SseParser, type SseEvent } from '../../providers/http/sse.js';
import type { AnswerCapture, AnswerObserver } from '../chat/answer-capture.js';

interface OutputItem {
  type?: string;
  name?: string;
  arguments?: string;
  input?: string;
  content?: Array<{ type?: string; text?: string }>;
  action?: unknown;
  operation?: unknown;
}

/** The event that brings each finished item, whole (what Codex acts on), and the terminal ones. */
const ITEM_DONE = 'response.output_item.done';
const TERMINAL = /^response\.(completed|incomplete)$/;

/**
 * A Responses answer read on the side for its text and tool calls (Codex's apply_patch as a
 * custom tool call or a function call, its exec_command and shell calls): a whole response
 * object, or the stream's finished items (response.output_item.done, as Codex reads them), the
 * terminal event's output standing in when the stream gave none. Whether OpenAI sent it or
 * Lodestar converted it from another provider's answer.
 */
export class ResponsesAnswerReader implements AnswerObserver {
  private readonly capture: AnswerCapture;
  private readonly parser = new SseParser((event) => this.read(event));
  private items = 0;

  constructor(capture: AnswerCapture) {
    this.capture = capture;
  }

  whole(text: string): void {
    try {
      this.output((JSON.parse(text) as { output?: OutputItem[] }).output);
    } catch {
      // not JSON: nothing to read
    }
  }

  push(chunk: Buffer | string): void {
    this.parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  }

  private read(event: SseEvent): void {
    // Events go by their name, or by the type their data opens with where a stream names none.
    const type = event.event || /^\{"type":"([\w.]+)"/.exec(event.data)?.[1] || '';
    if (type !== ITEM_DONE && !(TERMINAL.test(type) && this.items === 0)) return;
    try {
      const payload = JSON.parse(event.data) as { item?: OutputItem; response?: { output?: OutputItem[] } };
      if (type === ITEM_DONE) {
        this.items++;
        if (payload.item) this.item(payload.item);
      } else this.output(payload.response?.output);
    } catch {
      // not JSON: relayed all the same
    }
  }

  private output(items: OutputItem[] | undefined): void {
    if (Array.isArray(items)) for (const item of items) this.item(item);
  }

  private item(item: OutputItem): void {
    switch (item?.type) {
      case 'message':
        for (const part of item.content ?? []) if (part?.type === 'output_text' && typeof part.text === 'string') this.capture.addText(part.text);
        return;
      case 'function_call':
        this.capture.addCall(item.name ?? '', item.arguments ?? '');
        return;
      case 'custom_tool_call':
        this.capture.addCall(item.name ?? '', item.input ?? '');
        return;
      // The Responses API's own tools: a shell action {command: [...]}, {commands: [...]}, an apply_patch operation.
      case 'local_shell_call':
        this.capture.addCall('local_shell', JSON.stringify(item.action ?? {}));
        return;
      case 'shell_call':
        this.capture.addCall('shell_call', JSON.stringify(item.action ?? {}));
        return;
      case 'apply_patch_call':
        this.capture.addCall('apply_patch_call', JSON.stringify(item.operation ?? {}));
        return;
      default:
    }
  }
}
