import { describe, expect, it } from 'vitest';
import { readLines, readSse } from './sse.js';

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

async function* from(...parts: Array<string | Buffer>): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.isBuffer(part) ? part : Buffer.from(part);
}

describe('readSse', () => {
  it('yields each event at its blank line, skipping comments (OpenRouter keep-alives)', async () => {
    const events = await collect(readSse(from(': OPENROUTER PROCESSING\n\n', 'data: {"a":1}\n', '\ndata: {"b"', ':2}\n\nevent: ping\ndata: {}\n\n', 'data: [DONE]\n\n')));
    expect(events).toEqual([
      { event: '', data: '{"a":1}' },
      { event: '', data: '{"b":2}' },
      { event: 'ping', data: '{}' },
      { event: '', data: '[DONE]' },
    ]);
  });

  it('handles CRLF, data without a space, multi-line data and a missing last blank line', async () => {
    const events = await collect(readSse(from('data:one\r\ndata: two\r\n\r\ndata: last')));
    expect(events).toEqual([
      { event: '', data: 'one\ntwo' },
      { event: '', data: 'last' },
    ]);
  });

  it('reassembles a multi-byte character split between network chunks', async () => {
    const bytes = Buffer.from('data: {"t":"héllo ✓"}\n\n');
    const events = await collect(readSse(from(bytes.subarray(0, 13), bytes.subarray(13, 22), bytes.subarray(22))));
    expect(events).toEqual([{ event: '', data: '{"t":"héllo ✓"}' }]);
  });
});

describe('readLines', () => {
  it('yields complete lines and a final line without its newline', async () => {
    expect(await collect(readLines(from('{"a":', '1}\n{"b":2}\n\n{"c"', ':3}')))).toEqual(['{"a":1}', '{"b":2}', '{"c":3}']);
  });
});
