import type { OllamaProviderConfig } from '../../config/defaults.js';
import { localModelSettings } from '../../config/ollama-models.js';
import { TranslationError } from '../spec/translation-error.js';
import { parseToolArguments } from '../spec/tool-arguments.js';
import type { ChatCompletionRequest, ChatMessage, ImagePart, TextPart } from '../spec/chat-request.js';

/**
 * OpenAI Chat Completions into Ollama's native /api/chat (reference/ollama-gpu.md 1.1): text
 * content, base64 images in `images`, tool calls with object arguments, sampling in `options`,
 * and the model's one fixed num_ctx and keep_alive from config, so that Ollama never reloads a
 * model because a request asked for a different context size.
 */
export function convertToOllamaRequest(request: ChatCompletionRequest, config: OllamaProviderConfig, stream: boolean): Record<string, unknown> {
  const settings = localModelSettings(config, request.model);
  const options: Record<string, unknown> = { num_ctx: settings.numCtx };
  if (typeof request.temperature === 'number') options.temperature = request.temperature;
  if (typeof request.top_p === 'number') options.top_p = request.top_p;
  if (typeof request.seed === 'number') options.seed = request.seed;
  if (typeof request.presence_penalty === 'number') options.presence_penalty = request.presence_penalty;
  if (typeof request.frequency_penalty === 'number') options.frequency_penalty = request.frequency_penalty;
  const limit = request.max_completion_tokens ?? request.max_tokens;
  if (typeof limit === 'number') options.num_predict = limit;
  if (request.stop !== undefined && request.stop !== null) options.stop = Array.isArray(request.stop) ? request.stop : [request.stop];

  const body: Record<string, unknown> = {
    model: request.model,
    messages: convertMessages(request.messages),
    stream,
    keep_alive: settings.keepAlive,
    options,
  };
  if (request.tools?.length && request.tool_choice !== 'none') body.tools = request.tools;
  const format = request.response_format;
  if (format?.type === 'json_object') body.format = 'json';
  else if (format?.type === 'json_schema') body.format = (format.json_schema as { schema?: unknown } | undefined)?.schema ?? 'json';
  if (typeof request.reasoning_effort === 'string') body.think = request.reasoning_effort === 'none' ? false : true;
  return body;
}

function convertMessages(messages: readonly ChatMessage[]): Array<Record<string, unknown>> {
  const toolNames = new Map<string, string>();
  return messages.map((message, index) => {
    const where = `messages[${index}]`;
    const role = message.role === 'developer' ? 'system' : message.role;
    if (role === 'function') throw new TranslationError(`${where}.role`, 'role "function" is not supported by Ollama; use "tool"');
    const { text, images } = splitContent(message.content, `${where}.content`);
    const converted: Record<string, unknown> = { role, content: text };
    if (images.length) converted.images = images;
    if (message.role === 'assistant' && message.tool_calls?.length) {
      converted.tool_calls = message.tool_calls.map((call, callIndex) => {
        toolNames.set(call.id, call.function.name);
        return { function: { name: call.function.name, arguments: parseToolArguments(call.function.arguments, `${where}.tool_calls[${callIndex}].function.arguments`) } };
      });
    }
    if (message.role === 'assistant' && typeof message.reasoning_content === 'string') converted.thinking = message.reasoning_content;
    if (message.role === 'tool') {
      const name = message.name ?? (message.tool_call_id ? toolNames.get(message.tool_call_id) : undefined);
      if (name) converted.tool_name = name;
    }
    return converted;
  });
}

function splitContent(content: ChatMessage['content'], param: string): { text: string; images: string[] } {
  if (typeof content === 'string') return { text: content, images: [] };
  if (!content) return { text: '', images: [] };
  let text = '';
  const images: string[] = [];
  content.forEach((part, index) => {
    if (part.type === 'text') text += (part as TextPart).text;
    else if (part.type === 'image_url') {
      const url = (part as ImagePart).image_url?.url ?? '';
      const data = /^data:[^;,]+;base64,(.*)$/s.exec(url);
      if (!data) throw new TranslationError(`${param}[${index}].image_url.url`, 'Ollama takes images only as base64 data: URLs');
      images.push(data[1] ?? '');
    } else if (part.type !== 'refusal') {
      throw new TranslationError(`${param}[${index}].type`, `"${part.type}" content is not supported by Ollama`);
    }
  });
  return { text, images };
}
