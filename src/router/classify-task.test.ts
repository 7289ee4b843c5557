import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from '../providers/spec/chat-request.js';
import { classifyTask } from './classify-task.js';

const tool = { type: 'function' as const, function: { name: 'write', parameters: { type: 'object', properties: {} } } };
const request = (system: string, extra: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest => ({ model: 'lodestar/auto', messages: [{ role: 'system', content: system }, { role: 'user', content: 'create hello.txt' }], ...extra });

describe("an agent's loop is classed agent, whatever the client", () => {
  it("by an agent's system prompt when tools are offered", () => {
    for (const system of [
      'You are a coding agent running in the Codex CLI, a terminal-based coding assistant.',
      "You are opencode, an interactive CLI tool that helps users with software engineering tasks.",
      'You are Qwen Code, an interactive CLI agent developed by Alibaba Group.',
      "You are Claude Code, Anthropic's official CLI for Claude.",
    ]) {
      expect(classifyTask(request(system, { tools: [tool] }), undefined, 5000)).toEqual({ task: 'agent', reason: "tools offered, and an agent's system prompt" });
    }
  });

  it('by tool results coming back, with any prompt', () => {
    const looped = request('You are a helpful assistant.', {
      tools: [tool],
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'create hello.txt' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'write', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'written' },
      ],
    });
    expect(classifyTask(looped, undefined, 5000).task).toBe('agent');
  });

  it('not without tools, nor for a first request with tools and no agent prompt, nor over an explicit task or an Aider prompt', () => {
    expect(classifyTask(request('You are a coding agent running in the Codex CLI.'), undefined, 5000).task).toBe('chat');
    expect(classifyTask(request('You are a helpful assistant.', { tools: [tool] }), undefined, 5000).task).toBe('chat');
    expect(classifyTask(request('You are a coding agent.', { tools: [tool] }), 'edit', 5000).task).toBe('edit');
    expect(classifyTask(request('Act as an expert software developer.\nTake requests.', { tools: [tool] }), undefined, 5000).task).toBe('edit');
  });

  it('an agent with a long conversation is still an agent: its window is checked all the same', () => {
    expect(classifyTask(request('You are a coding agent.', { tools: [tool] }), undefined, 90_000).task).toBe('agent');
  });
});
