import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../config/defaults.js';
import { newOutcome, type StreamChunk } from '../spec/provider.js';
import { TranslationError } from '../spec/translation-error.js';
import { convertToOllamaRequest } from './convert-to-ollama-request.js';
import { convertOllamaResponse, translateOllamaStream } from './ollama-chat-response.js';

const config = () => {
  const ollama = defaultConfig().providers.ollama;
  ollama.models['qwen2.5-coder:3b'] = { numCtx: 16384, keepAlive: -1 };
  return ollama;
};

describe('convertToOllamaRequest', () => {
  it("sends the model's fixed num_ctx and keep_alive, and sampling in options", () => {
    const body = convertToOllamaRequest(
      { model: 'qwen2.5-coder:3b', messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: 'hi' }], temperature: 0, max_tokens: 100, stop: 'END', seed: 1 },
      config(),
      true,
    );
    expect(body).toEqual({
      model: 'qwen2.5-coder:3b',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hi' },
      ],
      stream: true,
      keep_alive: -1,
      options: { num_ctx: 16384, temperature: 0, seed: 1, num_predict: 100, stop: ['END'] },
    });
  });

  it('uses the provider defaults for a model without settings, and never the request\'s own context size', () => {
    const body = convertToOllamaRequest({ model: 'llama3.2:3b', messages: [{ role: 'user', content: 'x' }], num_ctx: 99999 } as never, config(), false);
    expect(body).toMatchObject({ keep_alive: '30m', options: { num_ctx: 8192 } });
  });

  it('sends a pinned model "forever" every time, so that no request shortens the pin', () => {
    const ollama = config();
    ollama.models['qwen2.5-coder:1.5b'] = { keepAlive: '10m', pin: true };
    expect(convertToOllamaRequest({ model: 'qwen2.5-coder:1.5b', messages: [{ role: 'user', content: 'hi' }] }, ollama, false)).toMatchObject({ keep_alive: -1, options: { num_ctx: 8192 } });
  });

  it('passes images as base64, tool calls with object arguments, and names tool results', () => {
    const body = convertToOllamaRequest(
      {
        model: 'llava',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'see' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } }] },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: 'done' },
        ],
      },
      config(),
      false,
    );
    expect(body.messages).toEqual([
      { role: 'user', content: 'see', images: ['AAAA'] },
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }] },
      { role: 'tool', content: 'done', tool_name: 'f' },
    ]);
    expect(() =>
      convertToOllamaRequest({ model: 'llava', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] }, config(), false),
    ).toThrow(TranslationError);
  });
});

describe('Ollama answers', () => {
  it('turns the documented non-streamed chat answer into a chat.completion (ollama-gpu.md 1.4)', () => {
    const outcome = newOutcome();
    const body = JSON.parse(
      convertOllamaResponse(
        {
          model: 'llama3.2:latest',
          message: { role: 'assistant', content: "I'm an artificial intelligence model known as Llama." },
          done: true,
          done_reason: 'stop',
          load_duration: 103413131,
          prompt_eval_count: 29,
          eval_count: 23,
        },
        'llama3.2',
        outcome,
      ),
    );
    expect(body).toMatchObject({ object: 'chat.completion', model: 'llama3.2:latest', choices: [{ finish_reason: 'stop', message: { content: "I'm an artificial intelligence model known as Llama." } }], usage: { prompt_tokens: 29, completion_tokens: 23, total_tokens: 52 } });
    expect(outcome.loadDurationMs).toBeCloseTo(103.413131);
  });

  it('streams content, finish and usage, and fails on an error line', async () => {
    async function* lines(list: string[]) {
      yield* list;
    }
    const outcome = newOutcome();
    const chunks: StreamChunk[] = [];
    for await (const chunk of translateOllamaStream(
      lines([
        '{"model":"llama3.2","created_at":"2023-08-04T08:52:19.385406455-07:00","message":{"role":"assistant","content":"The"},"done":false}',
        '{"model":"llama3.2","created_at":"x","message":{"role":"assistant","content":" sky"},"done":false}',
        '{"model":"llama3.2","created_at":"x","message":{"role":"assistant","content":""},"done_reason":"length","done":true,"total_duration":4883583458,"load_duration":1334875,"prompt_eval_count":26,"eval_count":282}',
      ]),
      'llama3.2',
      outcome,
      'ollama',
    ))
      chunks.push(chunk);
    const parsed = chunks.map((chunk) => JSON.parse(chunk.data));
    expect(parsed.map((chunk) => chunk.choices[0]?.delta ?? null)).toEqual([{ role: 'assistant', content: 'The' }, { content: ' sky' }, {}, null]);
    expect(parsed[2].choices[0].finish_reason).toBe('length');
    expect(chunks[3]?.usageOnly).toBe(true);
    expect(outcome.usage).toEqual({ inputTokens: 26, outputTokens: 282 });

    const failing = translateOllamaStream(lines(['{"model":"m","message":{"role":"assistant","content":"a"},"done":false}', '{"error":"an error was encountered while running the model"}']), 'm', newOutcome(), 'ollama');
    await expect((async () => {
      for await (const _ of failing) {
        // drain
      }
    })()).rejects.toThrow('an error was encountered while running the model');
  });
});
