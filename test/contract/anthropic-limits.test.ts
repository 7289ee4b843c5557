import Anthropic, { BadRequestError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { startAnthropicDouble, type Double } from '../doubles/index.js';

// The Anthropic double's limits and model rules, and the fields Claude Code sends today,
// through the real @anthropic-ai/sdk (1.12).

const doubles: Double[] = [];
afterEach(async () => {
  while (doubles.length) await doubles.pop()?.close();
});

async function anthropic(): Promise<{ double: Double; client: Anthropic }> {
  const double = await startAnthropicDouble();
  doubles.push(double);
  return { double, client: new Anthropic({ apiKey: 'sk-ant-test', baseURL: double.url, maxRetries: 0 }) };
}

const hi = [{ role: 'user' as const, content: 'hi' }];
/** The SDK refuses a non-streamed max_tokens over ~21K unless a timeout is given (its own guard). */
const patient = { timeout: 60_000 };

async function refused(promise: Promise<unknown>): Promise<{ type: string; message: string }> {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(BadRequestError);
  return ((error as BadRequestError).error as { error: { type: string; message: string } }).error;
}

describe('Anthropic limits', () => {
  it("refuses max_tokens over the model's output limit, naming the dated snapshot where there is one", async () => {
    const { client } = await anthropic();
    expect(await refused(client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 128_000, messages: hi }, patient))).toEqual({
      type: 'invalid_request_error',
      message: 'max_tokens: 128000 > 64000, which is the maximum allowed number of output tokens for claude-sonnet-4-5-20250929',
    });
    expect((await refused(client.messages.create({ model: 'claude-opus-5-5', max_tokens: 128_001, messages: hi }, patient))).message).toBe(
      'max_tokens: 128001 > 128000, which is the maximum allowed number of output tokens for claude-opus-5-5',
    );
    const ok = await client.messages.create({ model: 'claude-opus-5-5', max_tokens: 128_000, messages: hi }, patient);
    expect(ok.stop_reason).toBe('end_turn');
  });

  it('refuses a prompt over the window; stops at the window when max_tokens would pass it', async () => {
    const { double, client } = await anthropic();
    const long = [{ role: 'user' as const, content: 'x'.repeat(4 * 210_000) }];
    expect((await refused(client.messages.create({ model: 'claude-haiku-4-5', max_tokens: 1000, messages: long }))).message).toMatch(/^prompt is too long: 210\d{3} tokens > 200000 maximum$/);
    // 199,990 tokens of prompt leave 10 for the answer, under max_tokens: the window stops it.
    double.enqueue({ kind: 'reply', text: 'y'.repeat(400) });
    const edge = await client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64_000, messages: [{ role: 'user', content: 'x'.repeat(4 * 199_990) }] }, patient);
    expect(edge.stop_reason).toBe('model_context_window_exceeded');
    expect(edge.usage.output_tokens).toBe(10);
  });

  it('lists the current models with their limits, Claude Code\'s default among them', async () => {
    const { client } = await anthropic();
    const opus = await client.models.retrieve('claude-opus-5-5');
    expect(opus).toMatchObject({ id: 'claude-opus-5-5', max_input_tokens: 1_000_000, max_tokens: 128_000, lifecycle: 'active' });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-sonnet-4-5']));
    expect(await client.models.retrieve('claude-sonnet-4-5')).toMatchObject({ max_input_tokens: 200_000, max_tokens: 64_000, lifecycle: 'deprecated', retires_at: '2026-11-30T00:00:00Z' });
  });
});

describe('Anthropic request fields', () => {
  it('refuses a field the API does not take, in its words', async () => {
    const { client } = await anthropic();
    expect(await refused(client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 10, messages: hi, response_format: { type: 'json' } } as never))).toEqual({
      type: 'invalid_request_error',
      message: 'response_format: Extra inputs are not permitted',
    });
  });

  it("accepts what Claude Code sends: output_config effort and format, context_management, adaptive thinking with display omitted", async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'reply', reasoning: 'Thinking it over.', text: 'Sure.' });
    const message = await client.messages.create({
      model: 'claude-opus-5-5',
      max_tokens: 32_000,
      messages: hi,
      thinking: { type: 'adaptive', display: 'omitted' },
      output_config: { effort: 'high' },
      context_management: { edits: [{ type: 'clear_thinking_20251015', keep: 'all' }] },
    } as never, patient);
    // The thinking block keeps its place and signature; its text is omitted.
    expect(message.content[0]).toEqual({ type: 'thinking', thinking: '', signature: expect.any(String) });
    expect(message.content[1]).toEqual({ type: 'text', text: 'Sure.' });
  });

  it('streams an omitted thinking block with its signature and no thinking text', async () => {
    const { double, client } = await anthropic();
    double.enqueue({ kind: 'reply', reasoning: 'Hidden reasoning.', text: 'Done.' });
    const stream = client.messages.stream({ model: 'claude-opus-4-7', max_tokens: 1000, messages: hi, thinking: { type: 'adaptive' } });
    const deltas: string[] = [];
    stream.on('streamEvent', (event) => {
      if (event.type === 'content_block_delta') deltas.push(event.delta.type);
    });
    const final = await stream.finalMessage();
    expect(deltas).not.toContain('thinking_delta');
    expect(deltas).toContain('signature_delta');
    expect(final.content[0]).toMatchObject({ type: 'thinking', thinking: '' });
  });

  it('answers output_config.format with JSON valid against the schema by default', async () => {
    const { client } = await anthropic();
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Write a 5-word title for this conversation.' }],
      output_config: { format: { type: 'json_schema', schema: { type: 'object', properties: { title: { type: 'string' } }, required: ['title'], additionalProperties: false } } },
    });
    const block = message.content[0] as Anthropic.TextBlock;
    expect(JSON.parse(block.text)).toEqual({ title: 'Echo: Write a 5-word title for this conversation.' });
  });

  it('refuses temperature and enabled thinking on the models released after Opus 4.6; older ones take them', async () => {
    const { client } = await anthropic();
    expect((await refused(client.messages.create({ model: 'claude-opus-4-7', max_tokens: 10, messages: hi, temperature: 0.2 } as never))).message).toBe('`temperature` is deprecated for this model.');
    expect((await refused(client.messages.create({ model: 'claude-sonnet-5', max_tokens: 4000, messages: hi, thinking: { type: 'enabled', budget_tokens: 2000 } }))).message).toBe(
      '"thinking.type.enabled" is not supported for this model. Use "thinking.type.adaptive" and "output_config.effort" to control thinking behavior.',
    );
    await client.messages.create({ model: 'claude-opus-4-7', max_tokens: 10, messages: hi, temperature: 1 } as never);
    await client.messages.create({ model: 'claude-sonnet-4-6', max_tokens: 4000, messages: hi, temperature: 0.2, thinking: { type: 'enabled', budget_tokens: 2000 } } as never);
  });
});
