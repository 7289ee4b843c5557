import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeFiles } from '../../ledger/file-attribution/attribute-files.js';
import { ChatStreamToMessages } from '../../providers/messages/chat-stream-to-messages.js';
import { completionToMessage } from '../../providers/messages/chat-to-message.js';
import { AnswerCapture } from '../chat/answer-capture.js';
import { MessagesAnswerReader } from './messages-answer-reader.js';

const recorded = readFileSync(join(import.meta.dirname, '..', '..', 'providers', 'anthropic', '__fixtures__', 'tool-use-response.sse.txt'), 'utf8');
const chunk = (delta: Record<string, unknown>, finish: string | null = null): string => JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] });
const write = { file_path: '/work/app/hello.txt', content: 'hi\n' };

describe('an Anthropic Messages answer read on the side', () => {
  it("reads Anthropic's recorded stream, in network pieces that split events: its text and its tool_use input", () => {
    const capture = new AnswerCapture();
    const reader = new MessagesAnswerReader(capture);
    const bytes = Buffer.from(recorded);
    for (let start = 0; start < bytes.length; start += 37) reader.push(bytes.subarray(start, start + 37));
    expect(capture.answer.calls).toHaveLength(1);
    expect(capture.answer.calls[0]?.name).toBe('get_weather');
    expect(JSON.parse(capture.answer.calls[0]!.input)).toMatchObject({ location: expect.any(String) });
    expect(capture.answer.text.startsWith('I')).toBe(true);
  });

  it("reads Claude Code's Write from a stream Lodestar converted from another provider's, and from a whole Message", () => {
    const converter = new ChatStreamToMessages({ model: 'claude-sonnet-5' });
    const streamed = new AnswerCapture();
    const reader = new MessagesAnswerReader(streamed);
    const arguments_ = JSON.stringify(write);
    const chunks = [
      chunk({ role: 'assistant', content: 'Creating it.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'Write', arguments: arguments_.slice(0, 20) } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: arguments_.slice(20) } }] }),
      chunk({}, 'tool_calls'),
    ];
    for (const data of chunks) reader.push(converter.push(data).join(''));
    reader.push(converter.end().join(''));
    expect(streamed.answer).toEqual({ text: 'Creating it.', calls: [{ name: 'Write', input: arguments_ }] });
    expect(attributeFiles(streamed.answer, { root: '/work/app' })).toEqual([{ path: 'hello.txt', share: 1 }]);

    const completion = JSON.stringify({ id: 'c', object: 'chat.completion', model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'Creating it.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'Write', arguments: arguments_ } }] }, finish_reason: 'tool_calls' }] });
    const whole = new AnswerCapture();
    new MessagesAnswerReader(whole).whole(JSON.stringify(completionToMessage(completion, 'claude-sonnet-5')));
    expect(whole.answer.text).toBe('Creating it.');
    expect(whole.answer.calls.map((call) => [call.name, JSON.parse(call.input)])).toEqual([['Write', write]]);
  });
});
