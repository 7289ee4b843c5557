import { expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../spec/chat-request.js';
import { ReasoningMemory } from './reasoning-memory.js';

const turn = (id: string, reasoning?: string): ChatCompletionRequest['messages'][number] => ({
  role: 'assistant',
  content: null,
  tool_calls: [{ id, type: 'function', function: { name: 'write', arguments: '{}' } }],
  ...(reasoning === undefined ? {} : { reasoning_content: reasoning }),
});

it("puts DeepSeek's reasoning back on the tool-call turn a client sent without it", () => {
  const memory = new ReasoningMemory();
  memory.remember(['call_1'], 'I should write the file.');
  const request: ChatCompletionRequest = { model: 'deepseek-flash', messages: [{ role: 'user', content: 'go' }, turn('call_1'), { role: 'tool', tool_call_id: 'call_1', content: 'ok' }] };
  memory.restore(request);
  expect(request.messages[1]?.reasoning_content).toBe('I should write the file.');
  expect(request.thinking).toBeUndefined();
});

it('sends a turn it cannot restore without thinking, which asks nothing back, unless the client asked for thinking', () => {
  const memory = new ReasoningMemory();
  const unknown: ChatCompletionRequest = { model: 'deepseek-flash', messages: [turn('call_x'), { role: 'tool', tool_call_id: 'call_x', content: 'ok' }] };
  memory.restore(unknown);
  expect(unknown.thinking).toEqual({ type: 'disabled' });
  const asked: ChatCompletionRequest = { model: 'deepseek-flash', thinking: { type: 'enabled' }, messages: [turn('call_x')] };
  memory.restore(asked);
  expect(asked.thinking).toEqual({ type: 'enabled' });
  // A turn that carries its own reasoning is left as it is.
  const own: ChatCompletionRequest = { model: 'deepseek-flash', messages: [turn('call_y', 'mine')] };
  memory.restore(own);
  expect(own.messages[0]?.reasoning_content).toBe('mine');
  expect(own.thinking).toBeUndefined();
});

it('forgets the oldest turns first past its bounds', () => {
  const memory = new ReasoningMemory();
  for (let index = 0; index < 2100; index++) memory.remember([`call_${index}`], 'r');
  expect(memory.size).toBe(2000);
  const request: ChatCompletionRequest = { model: 'deepseek-flash', messages: [turn('call_0'), turn('call_2099')] };
  memory.restore(request);
  expect(request.messages[0]?.reasoning_content).toBeUndefined();
  expect(request.messages[1]?.reasoning_content).toBe('r');
});
