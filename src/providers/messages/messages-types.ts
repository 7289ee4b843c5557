/**
 * Anthropic Messages API shapes that the /v1/messages translation reads or writes
 * (reference/providers.md 2.2 to 2.5). Only the fields Lodestar uses are typed; any other field
 * a client sends is tolerated and ignored.
 */

export interface CacheControl {
  type: string;
  ttl?: string;
}

/** A content block of a request, as sent: `type` decides which of the shapes below it has. */
export interface MessagesBlockParam {
  type: string;
  cache_control?: CacheControl | null;
  [key: string]: unknown;
}

export interface TextBlockParam extends MessagesBlockParam {
  type: 'text';
  text: string;
}

export interface ImageBlockParam extends MessagesBlockParam {
  type: 'image';
  /** 'base64' (media_type, data), 'url' (url), or 'file' (Anthropic's Files API). */
  source: { type: string; media_type?: string; data?: string; url?: string };
}

export interface ToolUseBlockParam extends MessagesBlockParam {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

export interface ToolResultBlockParam extends MessagesBlockParam {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | MessagesBlockParam[];
  is_error?: boolean;
}

export interface ThinkingBlockParam extends MessagesBlockParam {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface MessageParam {
  /** 'system': a system turn in the conversation, which Claude Code 2.1 sends (its per-turn-control beta). */
  role: 'user' | 'assistant' | 'system';
  content: string | MessagesBlockParam[];
}

export interface ToolParam {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  /** Absent or 'custom' for a client tool; a dated name such as 'web_search_20250305' for a server tool. */
  type?: string;
  cache_control?: CacheControl | null;
  [key: string]: unknown;
}

export interface ToolChoiceParam {
  type: 'auto' | 'any' | 'none' | 'tool';
  name?: string;
  disable_parallel_tool_use?: boolean;
}

export interface ThinkingParam {
  /** 'enabled' (with budget_tokens), 'adaptive', 'disabled', ... */
  type: string;
  budget_tokens?: number;
}

export type EffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface MessagesRequest {
  model: string;
  max_tokens: number;
  messages: MessageParam[];
  system?: string | TextBlockParam[];
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  metadata?: { user_id?: string | null };
  tools?: ToolParam[];
  tool_choice?: ToolChoiceParam;
  thinking?: ThinkingParam;
  /** effort for adaptive thinking; format a structured output (Claude Code's session titles: a JSON schema). */
  output_config?: { effort?: EffortLevel | null; format?: { type?: string; schema?: Record<string, unknown> } | null };
  cache_control?: CacheControl | null;
  [key: string]: unknown;
}

export type AnthropicStopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal' | 'model_context_window_exceeded';

/** Anthropic's semantics: input_tokens excludes cache reads and writes; the three add up to the whole input. */
export interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface TextBlock {
  type: 'text';
  text: string;
}

export interface ToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export type AnthropicContentBlock = ThinkingBlock | TextBlock | ToolUseBlock;

export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: AnthropicStopReason | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

export type ContentBlockDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'input_json_delta'; partial_json: string };

/** The stream events Lodestar writes, in the order of reference/providers.md 2.4. */
export type MessagesStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: AnthropicContentBlock }
  | { type: 'content_block_delta'; index: number; delta: ContentBlockDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: AnthropicStopReason; stop_sequence: null }; usage: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'error'; error: { type: AnthropicErrorType; message: string } };
