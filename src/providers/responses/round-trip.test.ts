import { describe, expect, it } from 'vitest';
import { ChatStreamToResponses } from './chat-stream-to-responses.js';
import { completionToResponse } from './chat-to-response.js';
import { chunksOf, eventsOf, fixture } from './__fixtures__/wire.js';
import { isOwnEncryptedReasoning } from './response-fields.js';
import { responsesToChat } from './responses-to-chat.js';
import type { ResponseOutputItem, ResponsesInputItem, ResponsesRequest } from './responses-types.js';

/**
 * Whole turns, as Codex drives them: its request goes to a Chat upstream, the answer comes back
 * as items (Codex keeps those of output_item.done), and Codex sends them back on the next turn
 * with the tools' outputs, which must reach the upstream as the history it expects.
 */

const codex = JSON.parse(fixture('codex-0.169-requests.json')) as Record<string, any>;

/** What the converter streamed, as Codex keeps it: the items of output_item.done. */
function streamedItems(chunkFile: string, request: ResponsesRequest): ResponseOutputItem[] {
  const { tools } = responsesToChat(request, 'upstream');
  const converter = new ChatStreamToResponses({ model: 'lodestar-test', request, tools });
  const events = eventsOf([...chunksOf(chunkFile).flatMap((chunk) => converter.push(chunk)), ...converter.end()]);
  return events.filter((event) => event.type === 'response.output_item.done').map((event) => event.item);
}

/** An item as Codex 0.169 sends it back (codex-0.169-requests.json): reasoning with content null, calls with their id and status. */
function codexEcho(item: ResponseOutputItem): ResponsesInputItem {
  if (item.type === 'reasoning') return { type: 'reasoning', id: item.id, summary: item.summary, content: null, encrypted_content: item.encrypted_content };
  return structuredClone(item) as ResponsesInputItem;
}

describe('round trips through a Chat upstream', () => {
  it("carries DeepSeek's reasoning_content through Codex in encrypted_content, back onto the tool-call turn", () => {
    const turn1: ResponsesRequest = structuredClone(codex.unknown_model_turn1.body);
    const items = streamedItems('deepseek-tool-call.chunks.txt', turn1);
    expect(items.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    const reasoning = items[0] as Extract<ResponseOutputItem, { type: 'reasoning' }>;
    // The daemon strips such items before a pass-through to OpenAI, which refuses foreign blobs.
    expect(isOwnEncryptedReasoning(reasoning.encrypted_content)).toBe(true);

    const callId = (items[1] as Extract<ResponseOutputItem, { type: 'function_call' }>).call_id;
    const turn2: ResponsesRequest = {
      ...turn1,
      input: [...(turn1.input as ResponsesInputItem[]), ...items.map(codexEcho), { type: 'function_call_output', id: 'fco_1', call_id: callId, output: 'hi-from-tool\n' }],
    };
    const { request, notes } = responsesToChat(turn2, 'deepseek-flash');
    expect(request.messages.slice(4)).toEqual([
      {
        role: 'assistant',
        content: null,
        reasoning_content: "The user wants echo run. I'll call exec_command.",
        tool_calls: [{ id: 'call_00_kX3vQ9mP2rT8wY5zB1nC4dF6', type: 'function', function: { name: 'exec_command', arguments: '{"cmd": "echo hi-from-tool"}' } }],
      },
      { role: 'tool', tool_call_id: 'call_00_kX3vQ9mP2rT8wY5zB1nC4dF6', content: 'hi-from-tool\n' },
    ]);
    expect(notes.filter((note) => note.startsWith('reasoning'))).toEqual([]);
  });

  it('takes a non-streamed answer round the same way', () => {
    const turn1: ResponsesRequest = { ...structuredClone(codex.unknown_model_turn1.body), stream: false };
    const { tools } = responsesToChat(turn1, 'deepseek-flash');
    const response = completionToResponse(fixture('deepseek-tool-call.completion.json'), { model: 'lodestar-test', request: turn1, tools });
    const turn2: ResponsesRequest = { ...turn1, input: [...(turn1.input as ResponsesInputItem[]), ...response.output.map(codexEcho), { type: 'function_call_output', call_id: 'call_00_kX3vQ9mP2rT8wY5zB1nC4dF6', output: 'ok' }] };
    expect(responsesToChat(turn2, 'deepseek-flash').request.messages[4]).toMatchObject({ role: 'assistant', reasoning_content: "The user wants echo run. I'll call exec_command." });
  });

  it("sends Codex's custom apply_patch as a function and brings the call back as a custom_tool_call with the raw patch, then as {input} again", () => {
    const turn1: ResponsesRequest = { ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'add hello.txt' }] }] };
    const offered = responsesToChat(turn1, 'gpt-4.1-mini').request.tools?.find((tool) => tool.function.name === 'apply_patch');
    expect(offered?.function.parameters?.required).toEqual(['input']);

    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n';
    const items = streamedItems('custom-tool.chunks.txt', turn1);
    expect(items[1]).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: patch });
    const { tools } = responsesToChat(turn1, 'gpt-4.1-mini');
    const whole = completionToResponse(fixture('custom-tool.completion.json'), { model: 'lodestar-test', request: turn1, tools });
    expect(whole.output[1]).toMatchObject({ type: 'custom_tool_call', name: 'apply_patch', input: patch, call_id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF' });

    const turn2: ResponsesRequest = {
      ...turn1,
      input: [...(turn1.input as ResponsesInputItem[]), ...items.map(codexEcho), { type: 'custom_tool_call_output', call_id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF', output: 'Success. Updated the following files:\nA hello.txt\n' }],
    };
    expect(responsesToChat(turn2, 'gpt-4.1-mini').request.messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: 'Adding hello.txt.',
        tool_calls: [{ id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF', type: 'function', function: { name: 'apply_patch', arguments: JSON.stringify({ input: patch }) } }],
      },
      { role: 'tool', tool_call_id: 'call_R2d9XkQwP4mZ7bV1nL8sT3yF', content: 'Success. Updated the following files:\nA hello.txt\n' },
    ]);
  });
});
