import type { Completion } from 'openai/resources/completions';
import { describe, expect, it } from 'vitest';
import { TextCompletion } from './text-completion.js';

describe("OpenAI's legacy Completions answer", () => {
  it('is one text_completion object with the text, the finish reason and the usage', () => {
    const answer = new TextCompletion('qwen2.5-coder:1.5b');
    const body = JSON.parse(answer.body('return a + b', 'length', { inputTokens: 30, outputTokens: 5 })) as Completion;
    expect(body).toEqual({
      id: answer.id,
      object: 'text_completion',
      created: answer.created,
      model: 'qwen2.5-coder:1.5b',
      choices: [{ text: 'return a + b', index: 0, logprobs: null, finish_reason: 'length' }],
      usage: { prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 },
    });
    expect(answer.id).toMatch(/^cmpl-[0-9a-f]{32}$/);
  });

  it('streams pieces with no finish reason, then the finish, with usage null on each when usage is asked for, then the usage', () => {
    const answer = new TextCompletion('m', true);
    const [piece, finish, usage] = [answer.piece('a "b"\n'), answer.finish('stop'), answer.usage({ inputTokens: 3, outputTokens: 2 })].map((data) => JSON.parse(data) as Completion);
    expect(piece).toEqual({ id: answer.id, object: 'text_completion', created: answer.created, model: 'm', choices: [{ text: 'a "b"\n', index: 0, logprobs: null, finish_reason: null }], usage: null });
    expect(finish.choices).toEqual([{ text: '', index: 0, logprobs: null, finish_reason: 'stop' }]);
    expect(usage).toEqual({ id: answer.id, object: 'text_completion', created: answer.created, model: 'm', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
  });

  it('leaves usage out of the chunks when it was not asked for, and says stop for a reason the client would not know', () => {
    const answer = new TextCompletion('m');
    expect(JSON.parse(answer.piece('x'))).not.toHaveProperty('usage');
    expect((JSON.parse(answer.finish('load')) as Completion).choices[0]?.finish_reason).toBe('stop');
  });
});
