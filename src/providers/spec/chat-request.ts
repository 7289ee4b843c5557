/**
 * The request every provider receives: OpenAI's Chat Completions body, the lingua franca the
 * daemon accepts from clients. Only the fields Lodestar reads or translates are typed; any
 * other field passes through to OpenAI-compatible upstreams untouched.
 */
export type ChatRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

export interface TextPart {
  type: 'text';
  text: string;
  /** Anthropic-style prompt caching marker that Aider sends with --cache-prompts. */
  cache_control?: { type: string; ttl?: string };
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export interface OtherPart {
  type: 'input_audio' | 'file' | 'refusal';
  [key: string]: unknown;
}

export type ContentPart = TextPart | ImagePart | OtherPart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatMessage {
  role: ChatRole;
  content?: string | ContentPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  /** Aider's assistant prefill ("infinite output"): continue this assistant text. */
  prefix?: boolean;
  reasoning_content?: string;
  [key: string]: unknown;
}

export interface ToolDefinition {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean };
}

export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean; [key: string]: unknown } | null;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  n?: number | null;
  seed?: number | null;
  user?: string;
  tools?: ToolDefinition[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: { type: string; [key: string]: unknown };
  presence_penalty?: number | null;
  frequency_penalty?: number | null;
  reasoning_effort?: string;
  [key: string]: unknown;
}

/** The text of a message's content, parts joined; images and other parts contribute nothing. */
export function contentText(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  let text = '';
  for (const part of content) if (part.type === 'text') text += (part as TextPart).text;
  return text;
}
