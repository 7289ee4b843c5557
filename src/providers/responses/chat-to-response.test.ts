import { describe, expect, it } from 'vitest';
import { completionToResponse } from './chat-to-response.js';
import { contextFor, fixture } from './__fixtures__/wire.js';
import { decodeReasoning, encodeReasoning } from './response-fields.js';
import type { ResponseContext } from './response-object.js';
import type { ResponsesRequest } from './responses-types.js';
import { ToolNames } from './tool-names.js';

const codex = JSON.parse(fixture('codex-0.169-requests.json')) as Record<string, any>;
const messagesFixture = (name: string): string => fixture(`../../messages/__fixtures__/${name}`);

const gpt55 = (): ResponsesRequest => ({ ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: 'add hello.txt' });
const plain = (request: ResponsesRequest = { input: 'Hi' }): ResponseContext => ({ model: 'lodestar-test', request, tools: new ToolNames(), responseId: 'resp_test', createdAt: 1796664400 });

function completion(message: Record<string, unknown>, finishReason: string | null, usage?: Record<string, unknown>): string {
  return JSON.stringify({ id: 'chatcmpl-abc', object: 'chat.completion', created: 1796664400, model: 'up', choices: [{ index: 0, message: { role: 'assistant', ...message }, finish_reason: finishReason }], usage });
}

describe('completionToResponse', () => {
  it("turns a text answer into a completed response that echoes the request's settings", () => {
    const request: ResponsesRequest = {
      model: 'lodestar-auto',
      instructions: 'Be brief.',
      input: 'Hi',
      temperature: 0.3,
      top_p: 0.8,
      max_output_tokens: 256,
      metadata: { project: 'demo' },
      reasoning: { effort: 'low' },
      text: { format: { type: 'text' }, verbosity: 'low' },
      store: false,
      parallel_tool_calls: false,
    };
    const response = completionToResponse(messagesFixture('text.completion.json'), plain(request));
    expect(response).toEqual({
      id: 'resp_test',
      object: 'response',
      created_at: 1796664400,
      completed_at: expect.any(Number),
      status: 'completed',
      error: null,
      incomplete_details: null,
      instructions: 'Be brief.',
      model: 'lodestar-test',
      output: [{ type: 'message', id: expect.stringMatching(/^msg_[0-9a-f]+$/), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello there!', annotations: [] }] }],
      output_text: 'Hello there!',
      parallel_tool_calls: false,
      tool_choice: 'auto',
      tools: [],
      temperature: 0.3,
      top_p: 0.8,
      max_output_tokens: 256,
      previous_response_id: null,
      reasoning: { effort: 'low', summary: null },
      store: false,
      text: { format: { type: 'text' }, verbosity: 'low' },
      truncation: 'disabled',
      usage: { input_tokens: 11, input_tokens_details: { cached_tokens: 0 }, output_tokens: 6, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 17 },
      metadata: { project: 'demo' },
    });
    expect(response.completed_at).toBeGreaterThanOrEqual(1796664400);
  });

  it('gives each parallel call a function_call item with an fc_ id and the upstream’s call id, after the text', () => {
    const response = completionToResponse(messagesFixture('parallel-tools.completion.json'), plain());
    expect(response.output.map((item) => item.type)).toEqual(['message', 'function_call', 'function_call']);
    expect(response.output.slice(1)).toEqual([
      { type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', name: 'get_weather', arguments: '{"location": "Paris, France"}', status: 'completed' },
      { type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_ABg8CfHoRZPaBnHq8NYvbVhK', name: 'get_weather', arguments: '{"location": "Rome, Italy", "unit": "celsius"}', status: 'completed' },
    ]);
    expect(response.usage).toEqual({ input_tokens: 1400, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 64, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 1464 });
  });

  it("puts DeepSeek's reasoning_content first as a reasoning item, with Lodestar's encrypted_content when include asks for it", () => {
    const context = contextFor(structuredClone(codex.unknown_model_turn1.body));
    const response = completionToResponse(fixture('deepseek-tool-call.completion.json'), context);
    const reasoning = 'The user wants echo run. I\'ll call exec_command.';
    expect(response.output).toEqual([
      { type: 'reasoning', id: expect.stringMatching(/^rs_/), summary: [], content: [{ type: 'reasoning_text', text: reasoning }], encrypted_content: encodeReasoning(reasoning) },
      { type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_00_kX3vQ9mP2rT8wY5zB1nC4dF6', name: 'exec_command', arguments: '{"cmd": "echo hi-from-tool"}', status: 'completed' },
    ]);
    expect(response.output_text).toBe('');
    expect(response.usage).toEqual({ input_tokens: 2048, input_tokens_details: { cached_tokens: 1920 }, output_tokens: 40, output_tokens_details: { reasoning_tokens: 22 }, total_tokens: 2088 });
    expect(response.tools).toEqual(codex.unknown_model_turn1.body.tools);
    expect(response.store).toBe(false);
    const withoutInclude = completionToResponse(fixture('deepseek-tool-call.completion.json'), { ...context, request: { ...context.request, include: [] } });
    expect(withoutInclude.output[0]).not.toHaveProperty('encrypted_content');
    // The daemon may decide for itself: here encrypted_content without `include`.
    const forced = completionToResponse(messagesFixture('reasoning.completion.json'), { ...plain(), encryptedReasoning: true }).output[0];
    expect(forced?.type === 'reasoning' && decodeReasoning(forced.encrypted_content)).toBe('The user asks 9.11 vs 9.8: compare 0.11 with 0.80.');
  });

  it('answers a call of the custom apply_patch as a custom_tool_call with the raw patch, unwrapped from {"input": ...}', () => {
    const response = completionToResponse(fixture('custom-tool.completion.json'), contextFor(gpt55()));
    expect(response.output).toEqual([
      { type: 'message', id: expect.stringMatching(/^msg_/), role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Adding hello.txt.', annotations: [] }] },
      { type: 'custom_tool_call', id: expect.stringMatching(/^ctc_/), call_id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF', name: 'apply_patch', input: '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n', status: 'completed' },
    ]);
  });

  it('gives a call of a flattened namespace tool its own name and namespace, and passes custom arguments that are not {"input"} through', () => {
    const context = contextFor({ ...structuredClone(codex.gpt6sol_code_mode.nontool_fields), input: [structuredClone(codex.gpt6sol_code_mode.additional_tools_item)] });
    const body = completion(
      {
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'collaboration__wait_agent', arguments: '{"timeout_ms":1000}' } },
          { id: 'call_2', type: 'function', function: { name: 'functions__exec', arguments: 'console.log(1)' } },
        ],
      },
      'tool_calls',
    );
    expect(completionToResponse(body, context).output).toEqual([
      { type: 'function_call', id: expect.stringMatching(/^fc_/), call_id: 'call_1', name: 'wait_agent', namespace: 'collaboration', arguments: '{"timeout_ms":1000}', status: 'completed' },
      { type: 'custom_tool_call', id: expect.stringMatching(/^ctc_/), call_id: 'call_2', name: 'exec', namespace: 'functions', input: 'console.log(1)', status: 'completed' },
    ]);
  });

  it('gives calls without an id, or with one already used, a fresh call_id, and no-argument calls {}', () => {
    const body = completion(
      {
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'a', arguments: '' } },
          { id: 'call_0', type: 'function', function: { name: 'b', arguments: '{}' } },
          { type: 'function', function: { name: 'c', arguments: '{}' } },
        ],
      },
      'tool_calls',
    );
    const calls = completionToResponse(body, plain()).output as Array<{ call_id: string; arguments: string }>;
    expect(calls[0]).toMatchObject({ call_id: 'call_0', arguments: '{}' });
    expect(calls[1]?.call_id).toMatch(/^call_[A-Za-z0-9_-]{24}$/);
    expect(calls[2]?.call_id).toMatch(/^call_[A-Za-z0-9_-]{24}$/);
    expect(new Set(calls.map((call) => call.call_id)).size).toBe(3);
  });

  it.each([
    ['length', 'max_output_tokens'],
    ['content_filter', 'content_filter'],
  ])('makes finish_reason %s an incomplete response (%s)', (finishReason, reason) => {
    const response = completionToResponse(completion({ content: 'Half an ans' }, finishReason, { prompt_tokens: 9, completion_tokens: 16 }), plain());
    expect(response).toMatchObject({ status: 'incomplete', incomplete_details: { reason }, output_text: 'Half an ans', usage: { input_tokens: 9, output_tokens: 16, total_tokens: 25 } });
    expect(response).not.toHaveProperty('completed_at');
  });

  it('reports zero usage when the upstream reported none, and no items for an empty answer', () => {
    const response = completionToResponse(completion({ content: '' }, 'stop'), plain());
    expect(response.output).toEqual([]);
    expect(response.usage).toEqual({ input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0 });
  });
});
