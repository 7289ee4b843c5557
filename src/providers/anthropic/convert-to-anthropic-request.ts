import { TranslationError } from '../spec/translation-error.js';
import { parseToolArguments } from '../spec/tool-arguments.js';
import type { ChatCompletionRequest, ChatMessage, ContentPart, ImagePart, TextPart, ToolChoice } from '../spec/chat-request.js';


type AnthropicBlock = Record<string, unknown> & { type: string };
interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicBlock[];
}

/** Used when the client sets no limit: Anthropic requires max_tokens, OpenAI does not. */
export const DEFAULT_MAX_TOKENS = 8192;

/** reasoning_effort as a thinking budget, the steps Gemini's OpenAI endpoint uses. */
const THINKING_BUDGET: Record<string, number> = { minimal: 1024, low: 1024, medium: 8192, high: 24576 };

/**
 * OpenAI Chat Completions into Anthropic Messages (reference/providers.md 2.2 and 2.8):
 * system and developer messages go to `system`, tool calls to tool_use blocks, tool results to
 * tool_result blocks in a user turn, images to image blocks, and max_tokens gets a default.
 */
export function convertToAnthropicRequest(request: ChatCompletionRequest, stream: boolean): Record<string, unknown> {
  if (request.n !== undefined && request.n !== null && request.n > 1) {
    throw new TranslationError('n', 'n > 1 is not supported by Anthropic: ask for one choice');
  }
  const { system, messages } = convertMessages(request.messages);
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_MAX_TOKENS,
    messages,
  };
  if (system) body.system = system;
  if (stream) body.stream = true;

  const thinking = request.thinking ?? thinkingFor(request.reasoning_effort);
  if (thinking) {
    body.thinking = thinking;
    const budget = (thinking as { budget_tokens?: unknown }).budget_tokens;
    // The thinking budget counts against max_tokens, which must stay above it.
    if (typeof budget === 'number' && (body.max_tokens as number) <= budget) body.max_tokens = budget + DEFAULT_MAX_TOKENS;
  } else if (acceptsSampling(request.model)) {
    // OpenAI's temperature runs 0-2, Anthropic's 0-1.
    if (typeof request.temperature === 'number') body.temperature = Math.min(1, Math.max(0, request.temperature));
    if (typeof request.top_p === 'number') body.top_p = request.top_p;
  }
  if (typeof request.top_k === 'number') body.top_k = request.top_k;

  if (request.stop !== undefined && request.stop !== null) {
    const stops = (Array.isArray(request.stop) ? request.stop : [request.stop]).filter((stop) => stop.trim() !== '');
    if (stops.length) body.stop_sequences = stops;
  }
  if (request.user) body.metadata = { user_id: request.user };

  if (request.tools?.length && request.tool_choice !== 'none') {
    body.tools = request.tools.map((tool, index) => {
      if (tool.type !== 'function' || !tool.function?.name) {
        throw new TranslationError(`tools[${index}]`, 'only function tools can be sent to Anthropic');
      }
      return {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        input_schema: tool.function.parameters ?? { type: 'object', properties: {} },
      };
    });
    const choice = convertToolChoice(request.tool_choice, request.parallel_tool_calls);
    if (choice) body.tool_choice = choice;
  }
  // A JSON schema the answer must follow: Anthropic's structured output takes it as it is.
  const format = request.response_format;
  const schema = format?.type === 'json_schema' ? (format.json_schema as { schema?: unknown } | undefined)?.schema : undefined;
  if (schema && typeof schema === 'object') body.output_config = { format: { type: 'json_schema', schema } };
  return body;
}

function thinkingFor(effort: unknown): Record<string, unknown> | undefined {
  if (typeof effort !== 'string' || effort === 'none') return undefined;
  const budget = THINKING_BUDGET[effort];
  return budget ? { type: 'enabled', budget_tokens: budget } : undefined;
}

/**
 * Claude models released after Opus 4.6 reject any temperature but 1.0 (SDK 0.120 docs), so
 * Aider's temperature 0 is dropped for them rather than failing the request.
 */
export function acceptsSampling(model: string): boolean {
  const match = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d+))?/.exec(model);
  if (!match) return true;
  const major = Number(match[1]);
  const minor = match[2] !== undefined && match[2].length <= 2 ? Number(match[2]) : 0;
  return major < 4 || (major === 4 && minor <= 6);
}

function convertToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Record<string, unknown> | undefined {
  let result: Record<string, unknown> | undefined;
  if (choice === undefined || choice === 'auto') result = { type: 'auto' };
  else if (choice === 'required') result = { type: 'any' };
  else if (typeof choice === 'object' && choice.type === 'function') result = { type: 'tool', name: choice.function.name };
  if (result && parallel === false) result.disable_parallel_tool_use = true;
  return choice === undefined && parallel !== false ? undefined : result;
}

function convertMessages(input: readonly ChatMessage[]): { system: string | AnthropicBlock[] | undefined; messages: AnthropicMessage[] } {
  const systemBlocks: AnthropicBlock[] = [];
  const messages: AnthropicMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: AnthropicBlock[]): void => {
    if (!blocks.length) return;
    const last = messages.at(-1);
    // Consecutive turns of one role are one turn to Anthropic; merging keeps tool results together.
    if (last && last.role === role) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };

  input.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        systemBlocks.push(...textBlocks(message.content, `${where}.content`));
        break;
      case 'user':
        push('user', contentBlocks(message.content, `${where}.content`));
        break;
      case 'assistant': {
        const blocks = textBlocks(message.content, `${where}.content`);
        message.tool_calls?.forEach((call, callIndex) => {
          blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolArguments(call.function.arguments, `${where}.tool_calls[${callIndex}].function.arguments`) });
        });
        // A final assistant turn is a prefill (Aider's "infinite output"); Anthropic rejects
        // one that ends in whitespace.
        if (index === input.length - 1) {
          const last = blocks.at(-1);
          if (last?.type === 'text') last.text = String(last.text).trimEnd();
        }
        push('assistant', blocks.filter((block) => block.type !== 'text' || block.text !== ''));
        break;
      }
      case 'tool':
        push('user', [
          {
            type: 'tool_result',
            tool_use_id: message.tool_call_id ?? '',
            content: typeof message.content === 'string' ? message.content : textBlocks(message.content, `${where}.content`),
          },
        ]);
        break;
      default:
        throw new TranslationError(`${where}.role`, `role "${message.role}" can't be sent to Anthropic; use "tool" messages for results`);
    }
  });

  const cached = systemBlocks.some((block) => block.cache_control !== undefined);
  const system = !systemBlocks.length
    ? undefined
    : cached
      ? systemBlocks
      : systemBlocks.map((block) => String(block.text)).join('\n\n');
  return { system, messages };
}

function textBlocks(content: ChatMessage['content'], param: string): AnthropicBlock[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part, index) => {
    if (part.type === 'text') return textBlock(part as TextPart);
    if (part.type === 'refusal') return [];
    throw new TranslationError(`${param}[${index}]`, `a "${part.type}" part can't go in this message for Anthropic`);
  });
}

function contentBlocks(content: ChatMessage['content'], param: string): AnthropicBlock[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part: ContentPart, index) => {
    if (part.type === 'text') return textBlock(part as TextPart);
    if (part.type === 'image_url') return [imageBlock(part as ImagePart, `${param}[${index}].image_url.url`)];
    if (part.type === 'file') return [documentBlock(part, `${param}[${index}].file`)];
    throw new TranslationError(`${param}[${index}].type`, `"${part.type}" content is not supported by Anthropic`);
  });
}

function textBlock(part: TextPart): AnthropicBlock[] {
  if (part.text === '') return [];
  return [{ type: 'text', text: part.text, ...(part.cache_control ? { cache_control: part.cache_control } : {}) }];
}

function imageBlock(part: ImagePart, param: string): AnthropicBlock {
  const url = part.image_url?.url;
  if (typeof url !== 'string') throw new TranslationError(param, 'an image part needs image_url.url');
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  if (data) return { type: 'image', source: { type: 'base64', media_type: data[1], data: data[2] } };
  if (/^https?:\/\//.test(url)) return { type: 'image', source: { type: 'url', url } };
  throw new TranslationError(param, 'an image must be a data: URL (base64) or an http(s) URL');
}

function documentBlock(part: ContentPart, param: string): AnthropicBlock {
  const file = (part as { file?: { file_data?: unknown } }).file;
  const data = typeof file?.file_data === 'string' ? /^data:([^;,]+);base64,(.*)$/s.exec(file.file_data) : null;
  if (!data) throw new TranslationError(param, 'a file part needs file.file_data as a base64 data: URL');
  return { type: 'document', source: { type: 'base64', media_type: data[1], data: data[2] } };
}
