import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/defaults.js';
import { newOutcome } from '../spec/provider.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { convertToOllamaGenerate } from './convert-to-ollama-generate.js';
import { generatePieces } from './ollama-generate-response.js';

const config = () => {
  const ollama = defaultConfig().providers.ollama;
  ollama.models['qwen2.5-coder:1.5b-base'] = { numCtx: 4096, keepAlive: '1h' };
  return ollama;
};

async function* lines(...items: string[]): AsyncGenerator<string> {
  yield* items;
}

async function collect(source: AsyncIterable<string>): Promise<string[]> {
  const pieces: string[] = [];
  for await (const piece of source) pieces.push(piece);
  return pieces;
}

describe('convertToOllamaGenerate', () => {
  it("sends prompt and suffix through the model's template (not raw), with its chat num_ctx and keep_alive", () => {
    const body = convertToOllamaGenerate({ model: 'qwen2.5-coder:1.5b-base', prompt: 'def add(a, b):\n    ', suffix: '\n\nprint(add(1, 2))', maxTokens: 64, temperature: 0.1, topP: 0.95, stop: ['\n\n'], seed: 3 }, config(), true);
    expect(body).toEqual({
      model: 'qwen2.5-coder:1.5b-base',
      prompt: 'def add(a, b):\n    ',
      suffix: '\n\nprint(add(1, 2))',
      stream: true,
      keep_alive: '1h',
      options: { num_ctx: 4096, num_predict: 64, temperature: 0.1, top_p: 0.95, seed: 3, stop: ['\n\n'] },
    });
    expect(body).not.toHaveProperty('raw');
  });

  it('sends a prompt without a suffix raw: a continuation, not a chat turn; the provider defaults for a model without settings', () => {
    for (const suffix of [undefined, '']) {
      const body = convertToOllamaGenerate({ model: 'starcoder2:3b', prompt: 'import os\n', suffix, maxTokens: 128 }, config(), false);
      expect(body).toEqual({ model: 'starcoder2:3b', prompt: 'import os\n', raw: true, stream: false, keep_alive: '30m', options: { num_ctx: 8192, num_predict: 128 } });
    }
  });
});

describe('generatePieces', () => {
  it("yields each line's text and takes usage, finish reason and load time from the done line", async () => {
    const outcome = newOutcome();
    const pieces = await collect(
      generatePieces(
        lines(
          '{"model":"m","created_at":"2026-12-07T10:00:00Z","response":"return","done":false}',
          '{"model":"m","created_at":"2026-12-07T10:00:00Z","response":" a + b","done":false}',
          '{"model":"m","created_at":"2026-12-07T10:00:00Z","response":"","done":true,"done_reason":"length","total_duration":90000000,"load_duration":1250000,"prompt_eval_count":31,"eval_count":4,"eval_duration":50000000}',
        ),
        outcome,
        'ollama',
      ),
    );
    expect(pieces).toEqual(['return', ' a + b']);
    expect(outcome).toEqual({ usage: { inputTokens: 31, outputTokens: 4 }, finishReason: 'length', upstreamModel: 'm', loadDurationMs: 1.25 });
  });

  it('reads a load answer (an empty prompt) as an empty completion', async () => {
    const outcome = newOutcome();
    expect(await collect(generatePieces(lines('{"model":"m","created_at":"2026-12-07T10:00:00Z","response":"","done":true,"done_reason":"load"}'), outcome, 'ollama'))).toEqual([]);
    expect(outcome).toMatchObject({ finishReason: 'stop', usage: { inputTokens: 0, outputTokens: 0 }, loadDurationMs: undefined });
  });

  it('fails on an error line, and on a stream that ends before its done line', async () => {
    await expect(collect(generatePieces(lines('{"response":"x","done":false}', '{"error":"an error was encountered while running the model"}'), newOutcome(), 'ollama'))).rejects.toThrow(/mid-stream: an error was encountered/);
    const cut = await collect(generatePieces(lines('{"response":"x","done":false}'), newOutcome(), 'ollama')).catch((error: unknown) => error);
    expect(cut).toBeInstanceOf(UpstreamError);
    expect((cut as UpstreamError).kind).toBe('connection');
  });
});
