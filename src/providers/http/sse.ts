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
  const decoder = new StringDecoder('utf8');
  let buffer = '';
  let event = '';
  let data: string | undefined;
  for await (const chunk of body) {
    buffer += decoder.write(chunk as Buffer);
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf('\n', start);
      if (newline === -1) break;
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      const line = buffer.slice(start, end);
      start = newline + 1;
      if (line.length === 0) {
        if (data !== undefined) yield { event, data };
        event = '';
        data = undefined;
        continue;
      }
      if (line.charCodeAt(0) === 58) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
      if (field === 'data') data = data === undefined ? value : `${data}\n${value}`;
      else if (field === 'event') event = value;
    }
    buffer = start === buffer.length ? '' : buffer.slice(start);
  }
  buffer += decoder.end();
  // A last event without its blank line: some servers end the body right after `data: [DONE]`.
  for (const line of buffer.split(/\r?\n/)) {
    if (line.startsWith('data:')) {
      const value = line.slice(5).replace(/^ /, '');
      data = data === undefined ? value : `${data}\n${value}`;
    } else if (line.startsWith('event:')) event = line.slice(6).trim();
  }
  if (data !== undefined) yield { event, data };
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
