import type { ChatCompletionRequest, ChatMessage, ContentPart, ImagePart, TextPart, ToolCall, ToolChoice, ToolDefinition } from '../spec/chat-request.js';
import { TranslationError } from '../spec/translation-error.js';
import type {
  ImageBlockParam,
  MessageParam,
  MessagesBlockParam,
  MessagesRequest,
  TextBlockParam,
  ThinkingBlockParam,
  ToolChoiceParam,
  ToolParam,
  ToolResultBlockParam,
  ToolUseBlockParam,
} from './messages-types.js';

export interface ChatTranslation {
  request: ChatCompletionRequest;
  /** Short reasons for what the translation dropped or changed, to log once per request. */
  notes: string[];
}

/** Several text blocks become one string, as paragraphs: deterministic, and every upstream takes a string. */
const PARAGRAPHS = '\n\n';

/** Which of the request's fields a non-Anthropic upstream does without, and why: once a request. */
type Notes = Set<string>;

/**
 * An Anthropic Messages request as the OpenAI Chat Completions request every provider adapter
 * takes, for an upstream that is not Anthropic's (reference/providers.md 2.8, inverted).
 * The translation is the same for every such upstream; `model` goes in as the request's model.
 * Throws a TranslationError, naming the field, for what only Anthropic can serve (documents,
 * server tools, Files API images), so the daemon can skip this candidate.
 */
export function messagesToChat(body: MessagesRequest, model: string): ChatTranslation {
  const notes: Notes = new Set();
  noteCache(body, notes);
  const messages: ChatMessage[] = [];
  const system = systemText(body.system, notes);
  if (system) messages.push({ role: 'system', content: system });
  body.messages.forEach((message, index) => messages.push(...convertMessage(message, `messages[${index}]`, notes)));

  const request: ChatCompletionRequest = { model, messages };
  if (typeof body.max_tokens === 'number') request.max_tokens = body.max_tokens;
  if (body.stop_sequences?.length) request.stop = body.stop_sequences;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (typeof body.top_k === 'number') notes.add('top_k dropped: OpenAI-shaped requests have no top_k');
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  if (body.stream) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  if (body.tools?.length) {
    request.tools = convertTools(body.tools, notes);
    const choice = convertToolChoice(body.tool_choice);
    if (choice) request.tool_choice = choice;
    if (body.tool_choice?.disable_parallel_tool_use) request.parallel_tool_calls = false;
  }
  const format = responseFormat(body.output_config?.format);
  if (format) request.response_format = format;
  const reasoning = reasoningEffort(body);
  if (reasoning) {
    request.reasoning_effort = reasoning.effort;
    notes.add(reasoning.note);
  }
  return { request, notes: [...notes] };
}

function noteCache(item: { cache_control?: unknown }, notes: Notes): void {
  if (item.cache_control) notes.add('cache_control dropped: other upstreams cache automatically or not at all');
}

function systemText(system: MessagesRequest['system'], notes: Notes): string {
  if (system === undefined || typeof system === 'string') return system ?? '';
  for (const block of system) noteCache(block, notes);
  return system.map((block) => block.text).join(PARAGRAPHS);
}

function convertMessage(message: MessageParam, where: string, notes: Notes): ChatMessage[] {
  if (message.role === 'system') return [systemTurn(message, where)];
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  return message.role === 'user' ? convertUserTurn(message.content, where, notes) : convertAssistantTurn(message.content, where, notes);
}

/**
 * A system turn in the middle of the conversation, as a user turn holding it in
 * <system-reminder> tags: what Claude Code itself sends when an API refuses system turns, and
 * what every upstream takes (some refuse a system message after the first, Mistral among them).
 */
function systemTurn(message: MessageParam, where: string): ChatMessage {
  const texts = typeof message.content === 'string' ? [message.content] : message.content.map((block, index) => {
    if (block.type !== 'text') throw new TranslationError(`${where}.content[${index}]`, `a "${block.type}" block in a system turn can only be read by Anthropic models`);
    return (block as TextBlockParam).text;
  });
  return { role: 'user', content: `<system-reminder>\n${texts.join(PARAGRAPHS)}\n</system-reminder>` };
}

/**
 * Tool results become one tool message each, first, so that they follow the assistant message
 * with the tool calls as OpenAI requires; the turn's other content follows as a user message.
 */
function convertUserTurn(blocks: MessagesBlockParam[], where: string, notes: Notes): ChatMessage[] {
  const messages: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((block, index) => {
    const param = `${where}.content[${index}]`;
    noteCache(block, notes);
    if (block.type === 'tool_result') messages.push(toolMessage(block as ToolResultBlockParam, param, notes));
    else if (block.type === 'text') parts.push({ type: 'text', text: (block as TextBlockParam).text });
    else if (block.type === 'image') parts.push(imagePart(block as ImageBlockParam, param));
    else throw onlyAnthropic(block, param);
  });
  if (parts.length) {
    const textOnly = parts.every((part): part is TextPart => part.type === 'text');
    messages.push({ role: 'user', content: textOnly ? parts.map((part) => part.text).join(PARAGRAPHS) : parts });
  }
  return messages;
}

function toolMessage(block: ToolResultBlockParam, param: string, notes: Notes): ChatMessage {
  const texts: string[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  else {
    block.content?.forEach((inner, index) => {
      noteCache(inner, notes);
      if (inner.type === 'text') texts.push((inner as TextBlockParam).text);
      else if (inner.type === 'image') notes.add('image in a tool_result dropped: tool messages carry text only');
      else throw onlyAnthropic(inner, `${param}.content[${index}]`);
    });
  }
  const text = texts.join(PARAGRAPHS);
  // OpenAI's tool messages have no error flag: the model learns of the failure from the text.
  return { role: 'tool', tool_call_id: block.tool_use_id, content: block.is_error ? `Error: ${text}` : text };
}

/**
 * Text and tool calls as OpenAI has them. Thinking signatures can't be checked by any other
 * upstream, so they are dropped, but the thinking text goes back as reasoning_content: DeepSeek
 * refuses a tool-call turn of its thinking mode without it. An assistant turn left with neither
 * text nor tool calls is dropped.
 */
function convertAssistantTurn(blocks: MessagesBlockParam[], where: string, notes: Notes): ChatMessage[] {
  const texts: string[] = [];
  const calls: ToolCall[] = [];
  const thoughts: string[] = [];
  blocks.forEach((block, index) => {
    noteCache(block, notes);
    if (block.type === 'text') texts.push((block as TextBlockParam).text);
    else if (block.type === 'tool_use') {
      const use = block as ToolUseBlockParam;
      calls.push({ id: use.id, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
    } else if (block.type === 'thinking') {
      notes.add('thinking signatures dropped: only Anthropic can verify them (the text goes as reasoning_content)');
      const thinking = (block as ThinkingBlockParam).thinking;
      if (thinking) thoughts.push(thinking);
    } else if (block.type === 'redacted_thinking') notes.add('redacted_thinking dropped: only Anthropic can read it');
    else throw onlyAnthropic(block, `${where}.content[${index}]`);
  });
  if (!texts.length && !calls.length) return [];
  const message: ChatMessage = { role: 'assistant', content: texts.length ? texts.join(PARAGRAPHS) : null };
  if (calls.length) message.tool_calls = calls;
  if (thoughts.length) message.reasoning_content = thoughts.join(PARAGRAPHS);
  return [message];
}

function imagePart(block: ImageBlockParam, param: string): ImagePart {
  const source = block.source;
  if (source.type === 'base64') return { type: 'image_url', image_url: { url: `data:${source.media_type};base64,${source.data}` } };
  if (source.type === 'url' && source.url) return { type: 'image_url', image_url: { url: source.url } };
  throw new TranslationError(`${param}.source`, `an image from a "${source.type}" source can only be read by Anthropic models`);
}

/** Documents, search results, server tool blocks and any block type newer than this translation. */
function onlyAnthropic(block: MessagesBlockParam, param: string): TranslationError {
  return new TranslationError(param, `a "${block.type}" block can only be read by Anthropic models`);
}

function convertTools(tools: ToolParam[], notes: Notes): ToolDefinition[] {
  return tools.map((tool, index) => {
    noteCache(tool, notes);
    if (!tool.input_schema && tool.type !== undefined && tool.type !== 'custom') {
      throw new TranslationError(`tools[${index}]`, `"${tool.type}" is an Anthropic server tool: it runs only at Anthropic`);
    }
    return {
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input_schema ?? { type: 'object', properties: {} },
      },
    };
  });
}

function convertToolChoice(choice: ToolChoiceParam | undefined): ToolChoice | undefined {
  switch (choice?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      if (!choice.name) throw new TranslationError('tool_choice.name', 'a tool_choice of type "tool" needs the name of the tool');
      return { type: 'function', function: { name: choice.name } };
    default:
      return undefined;
  }
}

/**
 * Extended thinking as OpenAI's reasoning_effort. A budget under 4,096 tokens is low, under
 * 16,384 medium, anything larger high: about where OpenAI-compatible upstreams put their levels
 * (Gemini's endpoint: about 1K, 8K and 24K tokens). Adaptive thinking has no budget: its
 * output_config.effort decides (xhigh and max are high), else medium, OpenAI's own default.
 * The provider adapters decide whether an upstream gets it.
 */
function reasoningEffort(body: MessagesRequest): { effort: 'low' | 'medium' | 'high'; note: string } | undefined {
  const thinking = body.thinking;
  if (!thinking || thinking.type === 'disabled') return undefined;
  const budget = thinking.budget_tokens;
  if (typeof budget === 'number') {
    const effort = budget < 4096 ? 'low' : budget < 16384 ? 'medium' : 'high';
    return { effort, note: `thinking sent as reasoning_effort ${effort}: budget_tokens ${budget}` };
  }
  const requested = body.output_config?.effort;
  const effort = requested === 'low' || requested === 'medium' ? requested : requested ? 'high' : 'medium';
  return { effort, note: `thinking sent as reasoning_effort ${effort}: ${thinking.type}${requested ? `, effort ${requested}` : ''}` };
}

/**
 * A structured output (output_config.format, a JSON schema: Claude Code asks for its session
 * titles so) as OpenAI's response_format, which OpenAI-compatible upstreams honour and the
 * Ollama adapter sends as Ollama's `format`. Strict only where the schema meets OpenAI's strict
 * rules (no extra properties, every property required); otherwise the model is asked for the
 * schema without the guarantee, rather than refused.
 */
export function responseFormat(format: { type?: string; schema?: Record<string, unknown> } | null | undefined): ChatCompletionRequest['response_format'] | undefined {
  if (!format || format.type !== 'json_schema' || !format.schema) return undefined;
  const schema = format.schema;
  const properties = Object.keys((schema.properties as Record<string, unknown> | undefined) ?? {});
  const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
  const strict = schema.additionalProperties === false && properties.every((name) => required.includes(name));
  return { type: 'json_schema', json_schema: { name: 'output', schema, strict } };
}
