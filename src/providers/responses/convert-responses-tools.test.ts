import { describe, expect, it } from 'vitest';
import { responsesToChat } from './responses-to-chat.js';
import type { ResponsesRequest } from './responses-types.js';

/** The tools' and tool_choice's rules (convert-responses-tools.ts), through the public responsesToChat. */

const exec = { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } }, strict: false } as const;

describe('responsesToChat: tools and tool_choice', () => {
  it('fixes root schemas strict upstreams refuse, and drops hosted and duplicate tools with a note', () => {
    const { request, notes } = responsesToChat(
      {
        input: 'Hi',
        tools: [
          { type: 'function', name: 'no_type', parameters: { properties: { a: { type: 'string' } } } },
          { type: 'function', name: 'any_of', parameters: { anyOf: [{ type: 'object', properties: { a: {} } }, { type: 'object', properties: { b: {} } }] } },
          { type: 'function', name: 'nullish', parameters: { type: 'null' }, strict: true },
          { type: 'function', name: 'no_type', parameters: null },
          { type: 'file_search', vector_store_ids: ['vs_1'] },
          { type: 'mcp', server_label: 'deepwiki', server_url: 'https://mcp.deepwiki.com/mcp' },
        ],
      },
      'm',
    );
    expect(request.tools?.map((tool) => tool.function)).toEqual([
      { name: 'no_type', parameters: { type: 'object', properties: { a: { type: 'string' } } } },
      { name: 'any_of', parameters: { type: 'object', anyOf: [{ type: 'object', properties: { a: {} } }, { type: 'object', properties: { b: {} } }] } },
      { name: 'nullish', parameters: { type: 'object', properties: {} }, strict: true },
    ]);
    expect(notes).toEqual([
      'tool no_type: parameters given type object, which strict upstreams require at the root',
      'tool any_of: parameters given type object, which strict upstreams require at the root',
      'tool nullish: parameters of type "null" sent as an empty object: function arguments are a JSON object',
      'duplicate tool no_type dropped: chat tool names must be unique',
      'file_search dropped: a hosted tool only OpenAI runs',
      'mcp dropped: a hosted tool only OpenAI runs',
    ]);
  });

  it.each([
    ['none', 'none', undefined],
    ['required', 'required', undefined],
    [{ type: 'function', name: 'exec_command' }, { type: 'function', function: { name: 'exec_command' } }, undefined],
    [{ type: 'custom', name: 'apply_patch' }, { type: 'function', function: { name: 'apply_patch' } }, undefined],
    [{ type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'exec_command' }] }, 'required', "tool_choice allowed_tools sent as required: Chat can't restrict a turn to some of the tools"],
    [{ type: 'web_search_preview' }, 'auto', 'tool_choice web_search_preview sent as auto: a hosted tool only OpenAI runs'],
    [{ type: 'function', name: 'missing' }, 'auto', 'tool_choice missing sent as auto: no tool of that name is sent'],
  ])('maps tool_choice %j to %j', (choice, expected, note) => {
    const { request, notes } = responsesToChat({ input: 'Hi', tools: [exec, { type: 'custom', name: 'apply_patch' }], tool_choice: choice as ResponsesRequest['tool_choice'] }, 'm');
    expect(request.tool_choice).toEqual(expected);
    if (note) expect(notes).toContain(note);
  });

  it('gives colliding and invalid names distinct chat names deterministically, and names them back', () => {
    const body: ResponsesRequest = {
      input: 'Hi',
      tools: [
        { type: 'function', name: 'ns__read', parameters: null },
        { type: 'namespace', name: 'ns', tools: [{ type: 'function', name: 'read', parameters: null }, { type: 'custom', name: 'read file' }] },
      ],
    };
    const first = responsesToChat(body, 'm');
    expect(first.request.tools?.map((tool) => tool.function.name)).toEqual(['ns__read', 'ns__read_2', 'ns__read_file']);
    expect(responsesToChat(body, 'm').request.tools).toEqual(first.request.tools);
    expect(first.tools.originOf('ns__read_2')).toEqual({ kind: 'function', name: 'read', namespace: 'ns' });
    expect(first.tools.originOf('ns__read_file')).toEqual({ kind: 'custom', name: 'read file', namespace: 'ns' });
    expect(first.notes).toEqual(expect.arrayContaining(['tool "ns__read" sent as ns__read_2: another tool is named ns__read', 'tool "ns__read file" sent as ns__read_file: chat names allow only [a-zA-Z0-9_-], up to 64']));
  });
});
