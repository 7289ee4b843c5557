import { describe, expect, it } from 'vitest';
import { TranslationError } from '../spec/translation-error.js';
import { NO_OUTPUT } from './convert-responses-input.js';
import { encodeReasoning } from './response-fields.js';
import { responsesToChat } from './responses-to-chat.js';
import type { ResponsesInputItem } from './responses-types.js';

/** The input items' rules (convert-responses-input.ts), through the public responsesToChat. */

const refusal = (fn: () => unknown): TranslationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof TranslationError) return error;
    throw error;
  }
  throw new Error('expected a TranslationError');
};

const user = (text: string): ResponsesInputItem => ({ type: 'message', role: 'user', content: [{ type: 'input_text', text }] });
const call = (callId: string, name = 'exec_command', args = '{"cmd":"ls"}'): ResponsesInputItem => ({ type: 'function_call', call_id: callId, name, arguments: args });
const output = (callId: string, text = 'ok'): ResponsesInputItem => ({ type: 'function_call_output', call_id: callId, output: text });
const exec = { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false } as const;

describe('responsesToChat: messages and content', () => {
  it('puts instructions first as system, takes a string input as one user message, and system and developer roles as system', () => {
    expect(responsesToChat({ instructions: 'Be brief.', input: 'Hi' }, 'm').request.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hi' },
    ]);
    const { request } = responsesToChat(
      {
        input: [
          { role: 'developer', content: 'Dev rules.' },
          { type: 'message', role: 'system', content: [{ type: 'input_text', text: 'Sys' }] },
          { role: 'user', content: 'Q' },
          { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', phase: 'final_answer', content: [{ type: 'output_text', text: 'A', annotations: [] }, { type: 'refusal', refusal: 'but not that' }] },
        ],
      },
      'm',
    );
    expect(request.messages).toEqual([
      { role: 'system', content: 'Dev rules.' },
      { role: 'system', content: 'Sys' },
      { role: 'user', content: 'Q' },
      { role: 'assistant', content: 'A\n\nbut not that' },
    ]);
  });

  it('refuses files and images by file_id, naming the part, and images in system messages are dropped with a note', () => {
    const file = refusal(() => responsesToChat({ input: [user('a'), user('b'), user('c'), { role: 'user', content: [{ type: 'input_text', text: 'x' }, { type: 'input_file', file_id: 'file-1' }] }] }, 'm'));
    expect(file.param).toBe('input[3].content[1]');
    const image = refusal(() => responsesToChat({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file-2', detail: 'auto' }] }] }, 'm'));
    expect(image.param).toBe('input[0].content[0]');
    expect(image.message).toMatch(/file_id/);
    const { request, notes } = responsesToChat({ input: [{ role: 'developer', content: [{ type: 'input_text', text: 'See' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'low' }] }] }, 'm');
    expect(request.messages).toEqual([{ role: 'system', content: 'See' }]);
    expect(notes).toContain('input_image in a system or developer message dropped: Chat takes text only there');
  });

  it('refuses what needs OpenAI’s stored state: item_reference, previous_response_id, conversation', () => {
    expect(refusal(() => responsesToChat({ input: [user('a'), { type: 'item_reference', id: 'msg_123' }] }, 'm'))).toMatchObject({ param: 'input[1]', message: "an item_reference needs OpenAI's stored items" });
    expect(refusal(() => responsesToChat({ input: 'Hi', previous_response_id: 'resp_1' }, 'm')).param).toBe('previous_response_id');
    expect(refusal(() => responsesToChat({ input: 'Hi', conversation: 'conv_1' }, 'm')).param).toBe('conversation');
  });

  it("drops items only OpenAI's servers understand, one note a kind", () => {
    const { request, notes } = responsesToChat(
      {
        input: [
          user('search'),
          { type: 'web_search_call', id: 'ws_1', status: 'completed', action: { type: 'search', query: 'x' } },
          { type: 'web_search_call', id: 'ws_2', status: 'completed', action: { type: 'search', query: 'y' } },
          { type: 'compaction', id: 'cmp_1', encrypted_content: 'gAAAA' },
          { type: 'local_shell_call', id: 'ls_1', call_id: 'c', status: 'completed', action: { type: 'exec', command: ['ls'], env: {} } },
          { type: 'mcp_list_tools', id: 'mcpl_1', server_label: 's', tools: [] },
        ],
      },
      'm',
    );
    expect(request.messages).toEqual([{ role: 'user', content: 'search' }]);
    expect(notes).toEqual([
      "web_search_call items dropped: only OpenAI's servers can replay them",
      "compaction items dropped: only OpenAI's servers can replay them",
      "local_shell_call items dropped: only OpenAI's servers can replay them",
      "mcp_list_tools items dropped: only OpenAI's servers can replay them",
    ]);
  });
});


describe('responsesToChat: tool calls and their outputs', () => {
  it('merges an assistant message and the parallel calls after it into one assistant message, outputs following in order', () => {
    const { request, notes } = responsesToChat(
      {
        tools: [exec],
        input: [
          user('list both'),
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Listing.' }], phase: 'commentary' },
          call('call_1', 'exec_command', '{"cmd":"ls a"}'),
          call('call_2', 'exec_command', '{"cmd":"ls b"}'),
          output('call_1', 'a.txt'),
          { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'b.txt' }, { type: 'input_image', image_url: 'data:image/png;base64,AA' }, { type: 'input_text', text: 'c.txt' }] },
        ],
      },
      'm',
    );
    expect(request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Listing.',
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls a"}' } },
          { id: 'call_2', type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls b"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'a.txt' },
      { role: 'tool', tool_call_id: 'call_2', content: 'b.txt\n\nc.txt' },
    ]);
    expect(notes).toEqual(['input_image in a tool output dropped: tool messages carry text only']);
  });

  it('joins consecutive assistant texts and skips empty ones, so roles alternate', () => {
    const assistant = (text: string): ResponsesInputItem => ({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text }] });
    const { request } = responsesToChat({ tools: [exec], input: [user('q'), assistant('Working.'), assistant(''), assistant('Done.'), call('call_1'), output('call_1'), assistant('')] }, 'm');
    expect(request.messages.slice(1).map((message) => [message.role, message.content])).toEqual([
      ['assistant', 'Working.\n\nDone.'],
      ['tool', 'ok'],
    ]);
  });

  it('drops an orphan output, answers a call left without output before the next user message, and sends a system message between call and output after the output', () => {
    const { request, notes } = responsesToChat(
      {
        tools: [exec],
        input: [
          output('call_nowhere'),
          user('go'),
          call('call_1'),
          { role: 'developer', content: 'Approval granted.' },
          output('call_1', 'done'),
          output('call_1', 'again'),
          call('call_2'),
          user('never mind'),
          call('call_3'),
        ],
      },
      'm',
    );
    const calling = (id: string) => ({ role: 'assistant', content: null, tool_calls: [{ id, type: 'function', function: { name: 'exec_command', arguments: '{"cmd":"ls"}' } }] });
    expect(request.messages).toEqual([
      { role: 'user', content: 'go' },
      calling('call_1'),
      { role: 'tool', tool_call_id: 'call_1', content: 'done' },
      { role: 'system', content: 'Approval granted.' },
      calling('call_2'),
      { role: 'tool', tool_call_id: 'call_2', content: NO_OUTPUT },
      { role: 'user', content: 'never mind' },
      calling('call_3'),
      { role: 'tool', tool_call_id: 'call_3', content: NO_OUTPUT },
    ]);
    expect(notes).toEqual([
      'tool output without its call dropped: upstreams refuse a tool message that answers no call',
      `tool call without its output answered "${NO_OUTPUT}": upstreams refuse a call with no tool message`,
    ]);
  });

  it('names a call of a namespaced tool by its flattened name, and a call of a tool no longer offered by its own', () => {
    const { request, tools } = responsesToChat(
      {
        tools: [{ type: 'namespace', name: 'multi_agent_v1', description: 'Agents', tools: [{ type: 'function', name: 'wait_agent', parameters: null, strict: false }] }],
        input: [
          user('wait'),
          { type: 'function_call', call_id: 'c1', name: 'wait_agent', namespace: 'multi_agent_v1', arguments: '{"targets":["a"]}' },
          { type: 'function_call', call_id: 'c2', name: 'old.tool', arguments: '' },
          output('c1'),
          output('c2'),
        ],
      },
      'm',
    );
    expect(request.tools).toEqual([{ type: 'function', function: { name: 'multi_agent_v1__wait_agent', parameters: { type: 'object', properties: {} } } }]);
    expect(request.messages[1]?.tool_calls).toEqual([
      { id: 'c1', type: 'function', function: { name: 'multi_agent_v1__wait_agent', arguments: '{"targets":["a"]}' } },
      { id: 'c2', type: 'function', function: { name: 'old_tool', arguments: '{}' } },
    ]);
    expect(tools.originOf('old_tool')).toEqual({ kind: 'function', name: 'old.tool' });
  });

  it("carries Lodestar's own encrypted reasoning back as reasoning_content of the assistant message that follows it", () => {
    const own = (text: string): ResponsesInputItem => ({ type: 'reasoning', id: 'rs_1', summary: [], content: null, encrypted_content: encodeReasoning(text) });
    const { request, notes } = responsesToChat(
      {
        tools: [exec],
        input: [
          user('q1'),
          own('Thinking about ls. '),
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Running ls.' }] },
          own('Then the call.'),
          call('call_1'),
          output('call_1'),
          own('Now answer — “done”.'),
          call('call_2'),
          output('call_2'),
          own('dangling'),
          user('q2'),
        ],
      },
      'deepseek-flash',
    );
    expect(request.messages.filter((message) => message.role === 'assistant').map((message) => message.reasoning_content)).toEqual(['Thinking about ls. Then the call.', 'Now answer — “done”.']);
    expect(request.messages.filter((message) => message.reasoning_content !== undefined)).toHaveLength(2);
    expect(notes).toEqual([]);
  });
});
