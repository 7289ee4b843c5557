import { describe, expect, it } from 'vitest';
import { HttpError } from '../../shared/http-error.js';
import { validateCompletionRequest } from './validate-completion-request.js';

const refusal = (body: Record<string, unknown>): { status: number; param: string | null; code: string | null; message: string } => {
  try {
    validateCompletionRequest({ model: 'lodestar/complete', prompt: 'def f():', ...body });
  } catch (error) {
    if (error instanceof HttpError) return { status: error.status, param: error.param, code: error.code, message: error.message };
    throw error;
  }
  throw new Error('not refused');
};

describe('validateCompletionRequest', () => {
  it('reads prompt, suffix and sampling; the output limit is left to the route when not asked', () => {
    expect(validateCompletionRequest({ model: 'lodestar/complete', prompt: 'a', suffix: 'b', temperature: 0.1, top_p: 0.9, stop: '\n\n', seed: 7, stream: true, stream_options: { include_usage: true }, user: 'me', n: 1, best_of: 1, echo: false, logprobs: null, some_client_field: 1 })).toEqual({
      model: 'lodestar/complete',
      prompt: 'a',
      suffix: 'b',
      maxTokens: undefined,
      temperature: 0.1,
      topP: 0.9,
      presencePenalty: undefined,
      frequencyPenalty: undefined,
      stop: ['\n\n'],
      seed: 7,
      stream: true,
      includeUsage: true,
    });
  });

  it('takes a prompt given as an array of one string, and a null suffix', () => {
    expect(validateCompletionRequest({ model: 'm', prompt: ['x = '], suffix: null, max_tokens: 64 })).toMatchObject({ prompt: 'x = ', suffix: undefined, maxTokens: 64, stream: false, includeUsage: false });
  });

  it('asks for usage only on a stream', () => {
    expect(validateCompletionRequest({ model: 'm', prompt: 'x', stream_options: { include_usage: true } }).includeUsage).toBe(false);
  });

  it('refuses, naming the parameter, what Lodestar cannot honour', () => {
    expect(refusal({ echo: true })).toMatchObject({ status: 400, param: 'echo', code: 'unsupported_parameter' });
    expect(refusal({ logprobs: 0 })).toMatchObject({ status: 400, param: 'logprobs', code: 'unsupported_parameter' });
    expect(refusal({ best_of: 2 })).toMatchObject({ status: 400, param: 'best_of', code: 'unsupported_parameter' });
    expect(refusal({ n: 2 })).toMatchObject({ status: 400, param: 'n', code: 'unsupported_parameter' });
    expect(refusal({ logit_bias: { '50256': -100 } })).toMatchObject({ status: 400, param: 'logit_bias' });
    expect(refusal({ prompt: ['a', 'b'] })).toMatchObject({ status: 400, param: 'prompt', code: 'unsupported_parameter' });
    expect(refusal({ prompt: [1, 2, 3] })).toMatchObject({ status: 400, param: 'prompt', message: expect.stringContaining('token ids') });
    expect(refusal({ n: 2 }).message).toContain("'n' must be 1");
  });

  it('refuses what is not valid, as OpenAI would', () => {
    expect(refusal({ prompt: undefined })).toMatchObject({ param: 'prompt', message: "Missing required parameter: 'prompt'" });
    expect(refusal({ prompt: 42 })).toMatchObject({ param: 'prompt' });
    expect(refusal({ prompt: [] })).toMatchObject({ param: 'prompt' });
    expect(refusal({ model: '' })).toMatchObject({ param: 'model' });
    expect(refusal({ suffix: 3 })).toMatchObject({ param: 'suffix' });
    expect(refusal({ stop: ['a', 'b', 'c', 'd', 'e'] })).toMatchObject({ param: 'stop', message: "'stop' takes at most 4 sequences, got 5" });
    expect(refusal({ stop: [1] })).toMatchObject({ param: 'stop' });
    expect(refusal({ max_tokens: 0 })).toMatchObject({ param: 'max_tokens' });
    expect(refusal({ temperature: 3 })).toMatchObject({ param: 'temperature' });
    expect(refusal({ stream: 'yes' })).toMatchObject({ param: 'stream' });
    expect(refusal({ stream: true, stream_options: { include_usage: 1 } })).toMatchObject({ param: 'stream_options.include_usage' });
  });
});
