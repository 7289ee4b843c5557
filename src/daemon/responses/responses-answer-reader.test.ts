import { describe, expect, it } from 'vitest';
import { attributeFiles } from '../../ledger/file-attribution/attribute-files.js';
import { ChatStreamToResponses } from '../../providers/responses/chat-stream-to-responses.js';
import { completionToResponse } from '../../providers/responses/chat-to-response.js';
import { chunksOf, contextFor, fixture } from '../../providers/responses/__fixtures__/wire.js';
import { AnswerCapture } from '../chat/answer-capture.js';
import { ResponsesAnswerReader } from './responses-answer-reader.js';

const codex = JSON.parse(fixture('codex-0.169-requests.json')) as Record<string, any>;
/** Codex 0.169's gpt-5.5 turn, which offers apply_patch as a custom tool. */
const gpt55 = () => contextFor({ ...codex.gpt55_turn1_nontool_fields, tools: structuredClone(codex.gpt55_turn1_tools), input: 'add hello.txt' });
const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n';

describe('a Responses answer read on the side', () => {
  it("reads Codex's apply_patch custom tool call from the finished items of a stream, and from a whole response", () => {
    const converter = new ChatStreamToResponses(gpt55());
    const streamed = new AnswerCapture();
    const reader = new ResponsesAnswerReader(streamed);
    for (const data of chunksOf('custom-tool.chunks.txt')) reader.push(converter.push(data).join(''));
    reader.push(converter.end().join(''));
    expect(streamed.answer).toEqual({ text: 'Adding hello.txt.', calls: [{ name: 'apply_patch', input: patch }] });
    expect(attributeFiles(streamed.answer, { root: '/repo' })).toEqual([{ path: 'hello.txt', share: 1 }]);

    const whole = new AnswerCapture();
    new ResponsesAnswerReader(whole).whole(JSON.stringify(completionToResponse(fixture('custom-tool.completion.json'), gpt55())));
    expect(whole.answer).toEqual(streamed.answer);
  });

  it("reads a function call (exec_command) and the terminal event's output when the stream gave no finished item, events named or not", () => {
    const item = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'exec_command', arguments: '{"cmd":"printf hi > hello.txt"}', status: 'completed' };
    const named = new AnswerCapture();
    new ResponsesAnswerReader(named).push(`event: response.output_item.done\ndata: ${JSON.stringify({ type: 'response.output_item.done', output_index: 0, item })}\n\nevent: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { output: [item] } })}\n\n`);
    expect(named.answer.calls).toEqual([{ name: 'exec_command', input: item.arguments }]);
    const terminalOnly = new AnswerCapture();
    new ResponsesAnswerReader(terminalOnly).push(`data: ${JSON.stringify({ type: 'response.completed', response: { output: [item, { type: 'local_shell_call', action: { type: 'exec', command: ['bash', '-lc', 'echo x > x.txt'] } }] } })}\n\n`);
    expect(attributeFiles(terminalOnly.answer, { root: undefined })?.map((file) => file.path)).toEqual(['hello.txt', 'x.txt']);
  });
});
