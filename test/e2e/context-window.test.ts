import OpenAI from 'openai';
import { afterEach, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

it('counts tokens exactly near a context window, and skips models whose window is too small', async () => {
  gateway = await startGateway({ config: { providers: { ollama: { numCtx: 8192, models: { 'qwen2.5-coder:3b': {} } } } } });
  const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: gateway.token, maxRetries: 0 });
  // 30,000 characters: ~8,600 tokens by the quick estimate (over the local model's 8,192), but
  // repetitive text tokenizes far smaller, so the exact count lets the free local model serve.
  const near = 'x'.repeat(30_000);
  const { response } = await client.chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: near }], max_tokens: 200 }).withResponse();
  expect(response.headers.get('x-lodestar-model')).toMatch(/^ollama\//);

  // Varied text of the same length really is ~8,000 tokens: the 8k local model is skipped.
  const words = Array.from({ length: 4_500 }, (_, index) => `w${(index * 7919) % 100_003}`).join(' ');
  const { response: big } = await client.chat.completions.create({ model: 'lodestar/auto', messages: [{ role: 'user', content: words }], max_tokens: 200 }).withResponse();
  expect(big.headers.get('x-lodestar-model')).not.toMatch(/^ollama\//);
});
