import type { AnswerCall, ObservedAnswer } from '../../ledger/file-attribution/observed-answer.js';

/** What reads an answer on the side as it is relayed: the whole body, or the stream's bytes as they go out. */
export interface AnswerObserver {
  whole(text: string): void;
  push(chunk: Buffer | string): void;
}

/** Characters of text and tool input kept of one answer: beyond them, the rest is not read (an answer that big is rare). */
const MAX_CHARACTERS = 2_000_000;
/** Tool calls kept of one answer. */
const MAX_CALLS = 256;

/**
 * An answer's text and tool calls, gathered on the side of the relay for the files it edits
 * (ledger/file-attribution): bounded in size, and nothing of it is stored once the request's
 * event has its paths. Calls are keyed as their stream keys them (Chat's tool_calls index,
 * Anthropic's content block index), their input arriving in pieces.
 */
export class AnswerCapture {
  /** The request asked for Aider's `whole` edit format: fenced file listings in the text are edits. */
  readonly wholeFileBlocks: boolean;
  private text = '';
  private readonly calls: AnswerCall[] = [];
  private readonly byKey = new Map<number, AnswerCall>();
  private left = MAX_CHARACTERS;

  constructor(options: { wholeFileBlocks?: boolean } = {}) {
    this.wholeFileBlocks = options.wholeFileBlocks === true;
  }

  addText(text: string): void {
    this.text += this.take(text);
  }

  /** A whole call (a non-streamed answer, or a stream's finished item). */
  addCall(name: string, input: string): void {
    if (this.calls.length < MAX_CALLS) this.calls.push({ name, input: this.take(input) });
  }

  /** A streamed call's piece: its name when it starts, then its input in pieces. */
  callPiece(key: number, name: string | undefined, input: string | undefined): void {
    let call = this.byKey.get(key);
    if (!call) {
      if (this.calls.length >= MAX_CALLS) return;
      call = { name: name ?? '', input: '' };
      this.byKey.set(key, call);
      this.calls.push(call);
    } else if (name && !call.name) call.name = name;
    if (input) call.input += this.take(input);
  }

  get answer(): ObservedAnswer {
    return { text: this.text, calls: this.calls };
  }

  private take(text: string): string {
    if (text.length <= this.left) {
      this.left -= text.length;
      return text;
    }
    const kept = text.slice(0, this.left);
    this.left = 0;
    return kept;
  }
}
