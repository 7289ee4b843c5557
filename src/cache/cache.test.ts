import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cacheKey, isCacheable } from './cache-key.js';
import { BoundedMap, ResponseCache, type CachedAnswer } from './response-cache.js';
import { replayChunks, StreamAssembler } from './stream-assembler.js';

const folders: string[] = [];
afterEach(() => {
  while (folders.length) rmSync(folders.pop() as string, { recursive: true, force: true });
});

const answer = (text: string): CachedAnswer => ({
  completion: JSON.stringify({ id: 'c1', object: 'chat.completion', created: 1, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }),
  model: 'openai/gpt-4o-mini',
  provider: 'openai',
  usage: { inputTokens: 3, outputTokens: 2 },
  finishReason: 'stop',
  storedAt: '2026-11-24T00:00:00.000Z',
});

describe('cache keys', () => {
  it('depend on what changes the answer, not on how it is delivered', () => {
    const base = { model: 'lodestar/auto', messages: [{ role: 'user' as const, content: 'x' }], temperature: 0 };
    expect(cacheKey({ ...base, stream: true, stream_options: { include_usage: true }, user: 'a' }, 'web')).toBe(cacheKey(base, 'web'));
    expect(cacheKey({ ...base, max_tokens: 10 }, 'web')).not.toBe(cacheKey(base, 'web'));
    expect(cacheKey(base, 'api')).not.toBe(cacheKey(base, 'web'));
    expect(isCacheable(base, true)).toBe(true);
    expect(isCacheable({ ...base, temperature: 0.2 }, true)).toBe(false);
    expect(isCacheable({ ...base, temperature: 0.2 }, false)).toBe(true);
    expect(isCacheable({ ...base, n: 2 }, false)).toBe(false);
  });
});

describe('BoundedMap', () => {
  it('evicts the least recently used entry past its entry or byte bound', () => {
    const map = new BoundedMap(2, 1_000_000);
    map.set('a', 'x');
    map.set('b', 'y');
    map.get('a');
    map.set('c', 'z');
    expect([...map.keys()]).toEqual(['a', 'c']);
    const small = new BoundedMap(100, 30);
    small.set('a', '1234567890');
    small.set('b', '1234567890');
    expect(small.has('a')).toBe(false);
    expect(small.byteSize).toBe(20);
  });
});

describe('ResponseCache', () => {
  it('keeps answers on disk across a restart, and expires them', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'lodestar-cache-'));
    folders.push(directory);
    const options = { ttlMs: 300, maxEntries: 10, maxBytes: 1_000_000, store: 'disk' as const, directory };
    await new ResponseCache(options).set('k', answer('hello'));
    const restarted = new ResponseCache(options);
    expect((await restarted.get('k'))?.completion).toContain('hello');
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(await restarted.get('k')).toBeUndefined();
  });
});

describe('stream assembly and replay', () => {
  it('reassembles a streamed answer and replays the same content, finish and usage', () => {
    const assembler = new StreamAssembler();
    const head = { id: 'x', object: 'chat.completion.chunk', created: 5, model: 'gpt' };
    for (const delta of [{ role: 'assistant', content: '' }, { content: 'Hel' }, { content: 'lo' }]) assembler.add(JSON.stringify({ ...head, choices: [{ index: 0, delta, finish_reason: null }] }));
    assembler.add(JSON.stringify({ ...head, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
    assembler.add(JSON.stringify({ ...head, choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } }));
    const completion = assembler.completion() as string;
    expect(JSON.parse(completion)).toMatchObject({ choices: [{ message: { content: 'Hello' }, finish_reason: 'stop' }], usage: { completion_tokens: 2 } });
    const chunks = replayChunks(completion, true, 2).map((chunk) => JSON.parse(chunk));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('')).toBe('Hello');
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { total_tokens: 3 } });
    expect(replayChunks(completion, false).at(-1)).toContain('"finish_reason":"stop"');
  });

  it('does not assemble a stream that never finished', () => {
    const assembler = new StreamAssembler();
    assembler.add(JSON.stringify({ id: 'x', choices: [{ index: 0, delta: { content: 'partial' }, finish_reason: null }] }));
    expect(assembler.completion()).toBeUndefined();
  });
});
