import { describe, expect, it } from 'vitest';
import { newOutcome } from '../../providers/spec/provider.js';
import { UsageScanner } from './pass-through.js';

const frame = (type: string, data: unknown) => `event: ${type}\ndata: ${JSON.stringify({ type, ...(data as object) })}\n\n`;

describe('UsageScanner', () => {
  it('reads the usage of a stream cut anywhere, and stops at message_stop only', () => {
    const stream = [
      frame('message_start', { message: { model: 'claude-sonnet-4-5-20250929', usage: { input_tokens: 40, cache_read_input_tokens: 900, cache_creation_input_tokens: 60, output_tokens: 1 } } }),
      frame('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      // A text that talks about the event is no event.
      frame('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'the message_stop event ends it — é' } }),
      frame('content_block_stop', { index: 0 }),
      frame('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 25 } }),
      frame('message_stop', {}),
    ].join('');
    const bytes = Buffer.from(stream);
    const outcome = newOutcome();
    const scanner = new UsageScanner(outcome);
    const stops: number[] = [];
    // Three bytes at a time: events and the two-byte é split across chunks.
    for (let at = 0; at < bytes.length; at += 3) if (scanner.push(bytes.subarray(at, at + 3))) stops.push(at);
    expect(stops[0]).toBeGreaterThan(bytes.length - 30);
    expect(outcome.usage).toEqual({ inputTokens: 1000, cachedInputTokens: 900, cacheWriteTokens: 60, outputTokens: 25 });
    expect(outcome).toMatchObject({ finishReason: 'end_turn', upstreamModel: 'claude-sonnet-4-5-20250929' });
  });
});
