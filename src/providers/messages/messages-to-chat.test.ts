import { describe, expect, it } from 'vitest';
import { TranslationError } from '../spec/translation-error.js';
import { messagesToChat } from './messages-to-chat.js';
import type { MessageParam, MessagesRequest } from './messages-types.js';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const EPHEMERAL = { type: 'ephemeral' };

const bashSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { command: { type: 'string', description: 'The command to execute' }, description: { type: 'string' } },
  required: ['command'],
  additionalProperties: false,
};

/** A main-loop request as Claude Code sends it (test/fixtures/claude/claude describes the captures), one tool round in. */
function claudeCodeBody(): MessagesRequest {
  return {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 32000,
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: EPHEMERAL },
      { type: 'text', text: 'You are an interactive CLI tool that helps users with software engineering tasks.', cache_control: EPHEMERAL },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>This is a reminder.</system-reminder>' },
          { type: 'text', text: 'Why does the test fail? Screenshot attached.' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Run the tests first.', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3h' },
          { type: 'text', text: "I'll run the tests." },
          { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'Bash', input: { command: 'npm test', description: 'Run the tests' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '1 failing: expected 2 to be 3', is_error: true },
          { type: 'text', text: 'Fix it please.', cache_control: EPHEMERAL },
        ],
      },
    ],
    tools: [{ name: 'Bash', description: 'Executes a given bash command in a persistent shell session.', input_schema: bashSchema }],
    tool_choice: { type: 'auto' },
    metadata: { user_id: 'user_3f2a0c_account__session_5d8e6b1a-8f7c-4e2b-9a1d-0c3b2e4f6a7d' },
    thinking: { type: 'enabled', budget_tokens: 31999 },
    temperature: 1,
    stream: true,
  };
}

const refusal = (fn: () => unknown): TranslationError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof TranslationError) return error;
    throw error;
  }
  throw new Error('expected a TranslationError');
};

const user = (content: MessageParam['content']): MessagesRequest => ({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content }] });

describe('messagesToChat', () => {
  it("translates Claude Code's main-loop request into the OpenAI shape, noting what was dropped", () => {
    const { request, notes } = messagesToChat(claudeCodeBody(), 'deepseek-flash');
    expect(request).toEqual({
      model: 'deepseek-flash',
      messages: [
        { role: 'system', content: "You are Claude Code, Anthropic's official CLI for Claude.\n\nYou are an interactive CLI tool that helps users with software engineering tasks." },
        {
          role: 'user',
          content: [
            { type: 'text', text: '<system-reminder>This is a reminder.</system-reminder>' },
            { type: 'text', text: 'Why does the test fail? Screenshot attached.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
        {
          role: 'assistant',
          content: "I'll run the tests.",
          tool_calls: [{ id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'Bash', arguments: '{"command":"npm test","description":"Run the tests"}' } }],
          reasoning_content: 'Run the tests first.',
        },
        { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: 'Error: 1 failing: expected 2 to be 3' },
        { role: 'user', content: 'Fix it please.' },
      ],
      max_tokens: 32000,
      temperature: 1,
      user: 'user_3f2a0c_account__session_5d8e6b1a-8f7c-4e2b-9a1d-0c3b2e4f6a7d',
      stream: true,
      stream_options: { include_usage: true },
      tools: [{ type: 'function', function: { name: 'Bash', description: 'Executes a given bash command in a persistent shell session.', parameters: bashSchema } }],
      tool_choice: 'auto',
      reasoning_effort: 'high',
    });
    expect(notes).toEqual([
      'cache_control dropped: other upstreams cache automatically or not at all',
      'thinking signatures dropped: only Anthropic can verify them (the text goes as reasoning_content)',
      'thinking sent as reasoning_effort high: budget_tokens 31999',
    ]);
  });

  it('puts every tool result first, in order, and the rest of the user turn after them as text', () => {
    const { request, notes } = messagesToChat(
      user([
        { type: 'text', text: 'Both done.' },
        { type: 'tool_result', tool_use_id: 'toolu_a', content: [{ type: 'text', text: 'line 1' }, { type: 'text', text: 'line 2' }] },
        {
          type: 'tool_result',
          tool_use_id: 'toolu_b',
          content: [
            { type: 'text', text: 'Screenshot taken.' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          ],
        },
        { type: 'tool_result', tool_use_id: 'toolu_c' },
        { type: 'text', text: 'Go on.' },
      ]),
      'gpt-5-mini',
    );
    expect(request.messages).toEqual([
      { role: 'tool', tool_call_id: 'toolu_a', content: 'line 1\n\nline 2' },
      { role: 'tool', tool_call_id: 'toolu_b', content: 'Screenshot taken.' },
      { role: 'tool', tool_call_id: 'toolu_c', content: '' },
      { role: 'user', content: 'Both done.\n\nGo on.' },
    ]);
    expect(notes).toEqual(['image in a tool_result dropped: tool messages carry text only']);
  });

  it('passes string content as it is, and a string system prompt as the system message', () => {
    const body: MessagesRequest = {
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      system: 'Be terse.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Bye' },
      ],
    };
    const { request, notes } = messagesToChat(body, 'qwen3:4b');
    expect(request).toEqual({
      model: 'qwen3:4b',
      max_tokens: 100,
      messages: [
        { role: 'system', content: 'Be terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello.' },
        { role: 'user', content: 'Bye' },
      ],
    });
    expect(notes).toEqual([]);
  });

  it('gives a URL image as image_url, and refuses an image from the Files API', () => {
    const { request } = messagesToChat(user([{ type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/boardwalk.jpg' } }]), 'gpt-4o');
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://upload.wikimedia.org/boardwalk.jpg' } }] }]);
    const error = refusal(() => messagesToChat(user([{ type: 'text', text: 'What is it?' }, { type: 'image', source: { type: 'file', file_id: 'file_011CNha8iCJcU1wXNR6q4V8w' } }]), 'gpt-4o'));
    expect(error.param).toBe('messages[0].content[1].source');
  });

  it('drops an assistant turn left with no text or tool calls, and redacted thinking with a note', () => {
    const body: MessagesRequest = {
      model: 'claude-opus-4-5',
      max_tokens: 100,
      messages: [
        { role: 'user', content: 'Think.' },
        { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix/LafPsn4a' }] },
        { role: 'user', content: 'Well?' },
      ],
    };
    const { request, notes } = messagesToChat(body, 'deepseek-flash');
    expect(request.messages.map((message) => message.role)).toEqual(['user', 'user']);
    expect(notes).toEqual(['redacted_thinking dropped: only Anthropic can read it']);
  });

  it('maps stop_sequences, top_p and non-streaming; drops top_k with a note', () => {
    const { request, notes } = messagesToChat({ ...user('Count.'), stop_sequences: ['END', '\n\nHuman:'], top_p: 0.9, top_k: 40, stream: false }, 'gpt-4o');
    expect(request).toEqual({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Count.' }], max_tokens: 100, stop: ['END', '\n\nHuman:'], top_p: 0.9 });
    expect(notes).toEqual(['top_k dropped: OpenAI-shaped requests have no top_k']);
  });

  describe('tool_choice', () => {
    const tools = [{ name: 'get_weather', input_schema: { type: 'object', properties: { location: { type: 'string' } } } }];
    it.each([
      [{ type: 'auto' as const }, 'auto'],
      [{ type: 'any' as const }, 'required'],
      [{ type: 'none' as const }, 'none'],
      [{ type: 'tool' as const, name: 'get_weather' }, { type: 'function', function: { name: 'get_weather' } }],
    ])('%j becomes %j', (choice, expected) => {
      expect(messagesToChat({ ...user('Weather?'), tools, tool_choice: choice }, 'gpt-4o').request.tool_choice).toEqual(expected);
    });

    it('turns disable_parallel_tool_use into parallel_tool_calls: false', () => {
      const { request } = messagesToChat({ ...user('Weather?'), tools, tool_choice: { type: 'any', disable_parallel_tool_use: true } }, 'gpt-4o');
      expect(request).toMatchObject({ tool_choice: 'required', parallel_tool_calls: false });
    });

    it('sends neither without tools, and a tool without input_schema gets an empty object schema', () => {
      expect(messagesToChat({ ...user('Hi'), tool_choice: { type: 'auto', disable_parallel_tool_use: true } }, 'gpt-4o').request).not.toHaveProperty('tool_choice');
      const { request } = messagesToChat({ ...user('Hi'), tools: [{ type: 'custom', name: 'now' }] }, 'gpt-4o');
      expect(request.tools).toEqual([{ type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }]);
    });

    it('refuses a tool choice that names no tool', () => {
      expect(refusal(() => messagesToChat({ ...user('Hi'), tools, tool_choice: { type: 'tool' } }, 'gpt-4o')).param).toBe('tool_choice.name');
    });
  });

  describe('thinking as reasoning_effort (low under 4,096 tokens, medium under 16,384, else high)', () => {
    it.each([
      [1024, 'low'],
      [4095, 'low'],
      [4096, 'medium'],
      [16383, 'medium'],
      [16384, 'high'],
    ])('budget_tokens %i is %s', (budget, effort) => {
      const { request, notes } = messagesToChat({ ...user('Hi'), thinking: { type: 'enabled', budget_tokens: budget } }, 'gpt-5');
      expect(request.reasoning_effort).toBe(effort);
      expect(notes).toEqual([`thinking sent as reasoning_effort ${effort}: budget_tokens ${budget}`]);
    });

    it('takes adaptive thinking at its output_config effort, else medium; disabled sends none', () => {
      expect(messagesToChat({ ...user('Hi'), thinking: { type: 'adaptive' } }, 'gpt-5').notes).toEqual(['thinking sent as reasoning_effort medium: adaptive']);
      expect(messagesToChat({ ...user('Hi'), thinking: { type: 'adaptive' }, output_config: { effort: 'low' } }, 'gpt-5').request.reasoning_effort).toBe('low');
      expect(messagesToChat({ ...user('Hi'), thinking: { type: 'adaptive' }, output_config: { effort: 'max' } }, 'gpt-5').notes).toEqual([
        'thinking sent as reasoning_effort high: adaptive, effort max',
      ]);
      expect(messagesToChat({ ...user('Hi'), thinking: { type: 'disabled' } }, 'gpt-5').request).not.toHaveProperty('reasoning_effort');
    });
  });

  describe('what only Anthropic can serve: a TranslationError naming the field', () => {
    it('refuses a document block', () => {
      const error = refusal(() =>
        messagesToChat(user([{ type: 'text', text: 'Summarize.' }, { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0xLjQK' } }]), 'gpt-4o'),
      );
      expect(error.param).toBe('messages[0].content[1]');
      expect(error.message).toBe('a "document" block can only be read by Anthropic models');
    });

    it('refuses a block inside a tool result that is neither text nor image', () => {
      const error = refusal(() =>
        messagesToChat(user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'search_result', source: 'https://example.com', title: 'x', content: [] }] }]), 'gpt-4o'),
      );
      expect(error.param).toBe('messages[0].content[0].content[0]');
      expect(error.message).toContain('"search_result"');
    });

    it.each(['web_search_20250305', 'bash_20250124', 'text_editor_20250728'])('refuses the server tool %s', (type) => {
      const tools = [
        { name: 'Read', input_schema: { type: 'object', properties: {} } },
        { type, name: type.split('_2')[0] ?? type, max_uses: 5 },
      ];
      const error = refusal(() => messagesToChat({ ...user('Search.'), tools }, 'gpt-4o'));
      expect(error.param).toBe('tools[1]');
      expect(error.message).toBe(`"${type}" is an Anthropic server tool: it runs only at Anthropic`);
    });
  });
});
