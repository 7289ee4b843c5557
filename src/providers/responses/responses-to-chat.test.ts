import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { responsesToChat } from './responses-to-chat.js';
import type { ResponsesInputItem, ResponsesRequest } from './responses-types.js';

/** What Codex 0.169.0 sent (a copy of shared/data/codex-0.169-requests.json; reference/responses-api.md 6.8 says how it was captured). */
const codex = JSON.parse(readFileSync(join(import.meta.dirname, '__fixtures__', 'codex-0.169-requests.json'), 'utf8')) as Record<string, any>;
const turn1 = (): ResponsesRequest => structuredClone(codex.unknown_model_turn1.body);
const withTail = (body: ResponsesRequest, tail: ResponsesInputItem[]): ResponsesRequest => ({ ...body, input: [...(body.input as ResponsesInputItem[]), ...structuredClone(tail)] });
const user = (text: string): ResponsesInputItem => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });

describe("responsesToChat on Codex 0.169's real requests", () => {
  it('turns the first turn (unknown model, fallback tools) into a chat request: developer as system, namespace flattened, web_search dropped', () => {
    const { request, notes, tools } = responsesToChat(turn1(), 'deepseek-flash');
    const input = codex.unknown_model_turn1.body.input;
    expect(request.messages).toEqual([
      { role: 'system', content: input[0].content[0].text },
      { role: 'system', content: `${input[1].content[0].text}\n\n${input[1].content[1].text}` },
      { role: 'user', content: input[2].content[0].text },
      { role: 'user', content: 'run echo' },
    ]);
    expect(request.tools?.map((tool) => tool.function.name)).toEqual([
      'exec_command',
      'write_stdin',
      'request_user_input',
      'view_image',
      'multi_agent_v1__close_agent',
      'multi_agent_v1__resume_agent',
      'multi_agent_v1__send_input',
      'multi_agent_v1__spawn_agent',
      'multi_agent_v1__wait_agent',
      'get_goal',
      'create_goal',
      'update_goal',
    ]);
    expect(request.tools?.[0]).toEqual({
      type: 'function',
      function: { name: 'exec_command', description: codex.unknown_model_turn1.body.tools[0].description, parameters: codex.unknown_model_turn1.body.tools[0].parameters },
    });
    // spawn_agent's `required: null` is not JSON Schema: it goes, the rest stays.
    expect(request.tools?.[7]?.function.parameters).toEqual({ type: 'object', properties: ['fork_context', 'items', 'message', 'model', 'reasoning_effort'] });
    expect(tools.originOf('multi_agent_v1__wait_agent')).toEqual({ kind: 'function', name: 'wait_agent', namespace: 'multi_agent_v1' });
    expect(request).toMatchObject({ model: 'deepseek-flash', tool_choice: 'auto', parallel_tool_calls: true, stream: true, stream_options: { include_usage: true } });
    for (const field of ['store', 'include', 'prompt_cache_key', 'client_metadata', 'reasoning', 'reasoning_effort', 'input', 'instructions']) expect(request).not.toHaveProperty(field);
    expect(notes).toContain('web_search dropped: a hosted tool only OpenAI runs');
    expect(notes).toContain('namespace tools sent as functions named namespace__name: Chat has no namespaces');
  });

  it('turns the second turn’s tail (function_call, function_call_output) into assistant tool_calls and a tool message', () => {
    const { request } = responsesToChat(withTail(turn1(), codex.unknown_model_turn2_input_tail), 'deepseek-flash');
    expect(request.messages.slice(4)).toEqual([
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'exec_command', arguments: '{"cmd": "echo hi-from-tool"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: codex.unknown_model_turn2_input_tail[1].output },
    ]);
  });

  it("ignores an echoed reasoning item with OpenAI's gAAAA blob: no reasoning_content, a note", () => {
    const { request, notes } = responsesToChat(withTail(turn1(), codex.reasoning_echo_turn2_input_tail), 'deepseek-flash');
    expect(request.messages[4]).toEqual({ role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'exec_command', arguments: '{"cmd": "echo hi-from-tool"}' } }] });
    expect(request.messages).toHaveLength(6);
    expect(notes).toContain("reasoning items dropped: other upstreams can't read OpenAI's reasoning");
  });

  it('offers gpt-5.5’s custom apply_patch as a function of one string with its grammar, and drops tool_search and web_search', () => {
    const body: ResponsesRequest = { ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: [user('add hello.txt')] };
    const { request, notes, tools } = responsesToChat(body, 'deepseek-flash');
    const applyPatch = request.tools?.find((tool) => tool.function.name === 'apply_patch');
    const original = codex.gpt55_turn1_tools[3];
    expect(applyPatch?.function.parameters).toEqual({
      type: 'object',
      properties: { input: { type: 'string', description: "The tool's raw input, in its own format." } },
      required: ['input'],
      additionalProperties: false,
    });
    expect(applyPatch?.function.description).toContain(original.description);
    expect(applyPatch?.function.description).toContain('not as JSON');
    expect(applyPatch?.function.description).toContain(`The input must match this lark grammar:\n${original.format.definition}`);
    expect(tools.originOf('apply_patch')).toEqual({ kind: 'custom', name: 'apply_patch' });
    expect(request.tools).toHaveLength(8);
    expect(notes).toEqual(
      expect.arrayContaining([
        'tool_search dropped: a hosted tool only OpenAI runs',
        'web_search dropped: a hosted tool only OpenAI runs',
        'reasoning.effort medium sent as reasoning_effort medium',
        'text.verbosity low dropped: Chat upstreams have no verbosity setting',
      ]),
    );
    expect(request.reasoning_effort).toBe('medium');
  });

  it('sends the custom_tool_call of gpt-5.5’s second turn as a call with {"input": patch}, and its output as a tool message', () => {
    const body: ResponsesRequest = { ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: [user('add hello.txt'), ...structuredClone(codex.gpt55_turn2_input_tail)] };
    const { request } = responsesToChat(body, 'deepseek-flash');
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_patch', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n' }) } }],
      },
      { role: 'tool', tool_call_id: 'call_patch', content: codex.gpt55_turn2_input_tail[1].output },
    ]);
  });

  it("hoists code-mode Codex's additional_tools item (namespaces, a custom exec) into the tools", () => {
    const mode = codex.gpt6sol_code_mode;
    const body: ResponsesRequest = { ...mode.nontool_fields, input: [structuredClone(mode.additional_tools_item), user('what time is it')] };
    const { request, notes, tools } = responsesToChat(body, 'qwen3:4b');
    expect(request.tools?.map((tool) => tool.function.name)).toEqual([
      'functions__exec',
      'functions__wait',
      'functions__request_user_input',
      'functions__request_user_input_async',
      'clock__sleep',
      'collaboration__followup_task',
      'collaboration__interrupt_agent',
      'collaboration__list_agents',
      'collaboration__send_message',
      'collaboration__spawn_agent',
      'collaboration__wait_agent',
    ]);
    expect(tools.originOf('functions__exec')).toEqual({ kind: 'custom', name: 'exec', namespace: 'functions' });
    expect(request.messages).toEqual([{ role: 'user', content: 'what time is it' }]);
    expect(request.parallel_tool_calls).toBe(false);
    expect(notes).toContain("additional_tools items' tools sent with the request's tools: Chat takes tools only there");
  });

  it("sends Codex's image message as parts, with detail original as high", () => {
    const { request } = responsesToChat({ input: [structuredClone(codex.image_input_message)] }, 'gpt-4o-mini');
    const item = codex.image_input_message;
    expect(request.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: item.content[0].text },
          { type: 'image_url', image_url: { url: item.content[1].image_url, detail: 'high' } },
          { type: 'text', text: '</image>' },
          { type: 'text', text: 'what color' },
        ],
      },
    ]);
  });
});

describe('responsesToChat: settings', () => {
  it('sends neither tool_choice nor parallel_tool_calls when no tool is left', () => {
    const { request, notes } = responsesToChat({ input: 'Hi', tools: [{ type: 'web_search' }], tool_choice: 'required', parallel_tool_calls: false }, 'm');
    expect(request).toEqual({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] });
    expect(notes).toContain('tool_choice dropped: no tool is left to choose from');
  });

  it.each([
    ['minimal', 'low'],
    ['low', 'low'],
    ['high', 'high'],
    ['xhigh', 'high'],
    ['max', 'high'],
    ['none', undefined],
  ] as const)('sends reasoning.effort %s as reasoning_effort %s', (effort, expected) => {
    const { request, notes } = responsesToChat({ input: 'Hi', reasoning: { effort, summary: 'auto' } }, 'm');
    expect(request.reasoning_effort).toBe(expected);
    expect(notes).toHaveLength(1);
  });

  it('maps max_output_tokens, temperature, top_p and text.format, and notes the settings that change behaviour', () => {
    const schema = { type: 'object', properties: { answer: { type: 'string' } }, required: ['answer'], additionalProperties: false };
    const { request, notes } = responsesToChat(
      {
        input: 'Hi',
        max_output_tokens: 512,
        temperature: 0.2,
        top_p: 0.9,
        text: { format: { type: 'json_schema', name: 'codex_output_schema', schema, strict: true } },
        store: true,
        truncation: 'auto',
        metadata: { project: 'demo' },
        user: 'u1',
        service_tier: 'flex',
        prompt_cache_retention: '24h',
        safety_identifier: 's1',
      },
      'm',
    );
    expect(request).toEqual({
      model: 'm',
      messages: [{ role: 'user', content: 'Hi' }],
      max_tokens: 512,
      temperature: 0.2,
      top_p: 0.9,
      response_format: { type: 'json_schema', json_schema: { name: 'codex_output_schema', schema, strict: true } },
    });
    expect(notes).toEqual(['store ignored: the response is not kept for later retrieval', 'truncation auto ignored: an input too long for the model fails instead']);
    expect(responsesToChat({ input: 'Hi', text: { format: { type: 'json_object' } } }, 'm').request.response_format).toEqual({ type: 'json_object' });
    expect(responsesToChat({ input: 'Hi', text: { format: { type: 'text' } } }, 'm').request).not.toHaveProperty('response_format');
  });
});
