import { describe, expect, it } from 'vitest';
import { attributeFiles } from '../../ledger/file-attribution/attribute-files.js';
import { chunksOf, fixture } from '../../providers/responses/__fixtures__/wire.js';
import { AnswerCapture } from './answer-capture.js';
import { asksForWholeFiles, ChatAnswerReader } from './chat-answer-reader.js';

const chunk = (delta: Record<string, unknown>): string => JSON.stringify({ id: 'chatcmpl-x', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }] });

describe('a Chat Completions answer read on the side', () => {
  it("reads a recorded stream's text and its apply_patch call, argument pieces joined, as the whole answer reads it", () => {
    const streamed = new AnswerCapture();
    const reader = new ChatAnswerReader(streamed);
    for (const data of chunksOf('custom-tool.chunks.txt')) reader.chunk(data);
    const whole = new AnswerCapture();
    new ChatAnswerReader(whole).whole(fixture('custom-tool.completion.json'));
    const patch = '{"input": "*** Begin Patch\\n*** Add File: hello.txt\\n+hello\\n*** End Patch\\n"}';
    expect(streamed.answer).toEqual({ text: 'Adding hello.txt.', calls: [{ name: 'apply_patch', input: patch }] });
    expect(whole.answer).toEqual(streamed.answer);
    expect(attributeFiles(streamed.answer, { root: '/repo' })).toEqual([{ path: 'hello.txt', share: 1 }]);
  });

  it("reads opencode's edit call, and tells calls apart that an upstream numbers 0 with new ids", () => {
    const capture = new AnswerCapture();
    const reader = new ChatAnswerReader(capture);
    reader.chunk(chunk({ role: 'assistant', content: '' }));
    reader.chunk(chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'edit', arguments: '{"filePath":"/repo/src/a.ts",' } }] }));
    reader.chunk(chunk({ tool_calls: [{ index: 0, function: { arguments: '"oldString":"a","newString":"abc"}' } }] }));
    reader.chunk(chunk({ tool_calls: [{ index: 0, id: 'call_2', type: 'function', function: { name: 'write', arguments: '{"filePath":"/repo/b.ts","content":"x"}' } }] }));
    expect(capture.answer.calls).toEqual([
      { name: 'edit', input: '{"filePath":"/repo/src/a.ts","oldString":"a","newString":"abc"}' },
      { name: 'write', input: '{"filePath":"/repo/b.ts","content":"x"}' },
    ]);
  });

  it("keeps at most what it is allowed of an answer's text", () => {
    const capture = new AnswerCapture();
    const reader = new ChatAnswerReader(capture);
    const piece = 'x'.repeat(500_000);
    for (let index = 0; index < 6; index++) reader.chunk(chunk({ content: piece }));
    expect(capture.answer.text.length).toBe(2_000_000);
  });

  it("knows Aider's whole format by its prompt's file listing", () => {
    const listing = 'To suggest changes to a file you MUST return the entire content of the updated file.\nYou MUST use this *file listing* format:\n';
    expect(asksForWholeFiles({ model: 'm', messages: [{ role: 'system', content: `Act as an expert software developer.\n${listing}` }, { role: 'user', content: 'hi' }] })).toBe(true);
    expect(asksForWholeFiles({ model: 'm', messages: [{ role: 'system', content: 'Act as an expert.' }, { role: 'user', content: `change it\n\n${listing}` }] })).toBe(true);
    expect(asksForWholeFiles({ model: 'm', messages: [{ role: 'system', content: 'All changes to files must use this *SEARCH/REPLACE block* format.' }, { role: 'user', content: 'hi' }] })).toBe(false);
  });
});
