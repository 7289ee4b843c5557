import { StringDecoder } from 'node:string_decoder';

export interface SseEvent {
  /** The `event:` field; empty when the event had none (OpenAI's chat streams never do). */
  event: string;
  data: string;
}

/**
 * Server-sent events from a byte stream, one event as soon as its blank line arrives, so a
 * chunk is never held back. Comment lines (`: OPENROUTER PROCESSING`) are skipped. Multi-byte
 * characters split across network chunks are reassembled.
 */
export async function* readSse(body: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<SseEvent> {
  const events: SseEvent[] = [];
  const parser = new SseParser((event) => events.push(event));
  for await (const chunk of body) {
    parser.push(chunk);
    for (let index = 0; index < events.length; index++) yield events[index] as SseEvent;
    events.length = 0;
  }
  parser.end();
  yield* events;
}

/**
 * The same parsing, pushed to: for a reader that has the bytes in hand for another purpose (a
 * pass-through relays them as they come, and reads the events on the side).
 */
export class SseParser {
  private readonly decoder = new StringDecoder('utf8');
  private readonly onEvent: (event: SseEvent) => void;
  private buffer = '';
  private event = '';
  private data: string | undefined;

  constructor(onEvent: (event: SseEvent) => void) {
    this.onEvent = onEvent;
  }

  push(chunk: Buffer | Uint8Array): void {
    let buffer = this.buffer + this.decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf('\n', start);
      if (newline === -1) break;
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const line = buffer.slice(start, end);
      start = newline + 1;
      if (line.length === 0) {
        if (this.data !== undefined) this.onEvent({ event: this.event, data: this.data });
        this.event = '';
        this.data = undefined;
        continue;
      }
      if (line.charCodeAt(0) === 58) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') this.data = this.data === undefined ? value : `${this.data}\n${value}`;
      else if (field === 'event') this.event = value;
    }
    buffer = start === buffer.length ? '' : buffer.slice(start);
    this.buffer = buffer;
  }

  /** The body ended: a last event without its blank line (some servers end right after `data: [DONE]`). */
  end(): void {
    const rest = this.buffer + this.decoder.end();
    this.buffer = '';
    for (const line of rest.split(/\r?\n/)) {
      if (line.startsWith('data:')) {
        const value = line.slice(5).replace(/^ /, '');
        this.data = this.data === undefined ? value : `${this.data}\n${value}`;
      } else if (line.startsWith('event:')) this.event = line.slice(6).trim();
    }
    if (this.data !== undefined) this.onEvent({ event: this.event, data: this.data });
    this.data = undefined;
  }
}

/** Lines of newline-delimited JSON (Ollama's streams), yielded as they complete. */
export async function* readLines(body: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf('\n', start);
      if (newline === -1) break;
      const line = buffer.slice(start, newline).trim();
      start = newline + 1;
      if (line) yield line;
    }
    buffer = start === buffer.length ? '' : buffer.slice(start);
  }
  const rest = (buffer + decoder.end()).trim();
  if (rest) yield rest;
}
