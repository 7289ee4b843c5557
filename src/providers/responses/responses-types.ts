/**
 * OpenAI Responses API shapes that the /v1/responses translation reads or writes
 * (reference/responses-api.md sections 1 to 4). Only the fields Lodestar uses are typed; any
 * other field a client sends is tolerated, and each shape keeps an index signature so that
 * newer fields pass type checks without a change here.
 */

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** The body of POST /v1/responses. Every field is optional in OpenAI's SDK; `model` is needed in practice. */
export interface ResponsesRequest {
  model?: string;
  /** A string is one user message. */
  input?: string | ResponsesInputItem[];
  instructions?: string | null;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean | null;
  /** Includes reasoning tokens. */
  max_output_tokens?: number | null;
  reasoning?: { effort?: ReasoningEffort | null; summary?: 'auto' | 'concise' | 'detailed' | null; [key: string]: unknown } | null;
  text?: { format?: ResponsesTextFormat; verbosity?: 'low' | 'medium' | 'high' | null; [key: string]: unknown } | null;
  /** Whether OpenAI keeps the response; Codex sends false. */
  store?: boolean | null;
  /** e.g. "reasoning.encrypted_content", which asks for reasoning items reusable without store. */
  include?: string[] | null;
  stream?: boolean | null;
  stream_options?: { include_obfuscation?: boolean; [key: string]: unknown } | null;
  temperature?: number | null;
  top_p?: number | null;
  top_logprobs?: number | null;
  metadata?: Record<string, string> | null;
  previous_response_id?: string | null;
  conversation?: string | { id: string } | null;
  prompt?: { id: string; [key: string]: unknown } | null;
  prompt_cache_key?: string | null;
  prompt_cache_retention?: string | null;
  service_tier?: string | null;
  truncation?: 'auto' | 'disabled' | null;
  user?: string | null;
  safety_identifier?: string | null;
  background?: boolean | null;
  /** Not in the SDK type: Codex sends its thread and turn ids here on every turn. */
  client_metadata?: Record<string, unknown> | null;
  [key: string]: unknown;
}

export type ResponsesTextFormat =
  | { type: 'text' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict?: boolean | null; description?: string }
  | { type: 'json_object' };

// ---- input items (section 2.1) ----

/** An input item as sent: `type` (or, for a message in the easy form, `role`) decides its shape. */
export interface ResponsesItemBase {
  type?: string;
  id?: string;
  [key: string]: unknown;
}

export interface InputTextPart {
  type: 'input_text';
  text: string;
}

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations?: unknown[];
  logprobs?: unknown[];
}

export interface InputImagePart {
  type: 'input_image';
  /** Codex sends "original", which Chat Completions does not have. */
  detail?: 'low' | 'high' | 'auto' | 'original';
  image_url?: string | null;
  file_id?: string | null;
}

export interface InputFilePart {
  type: 'input_file';
  file_id?: string | null;
  file_data?: string;
  file_url?: string;
  filename?: string;
}

export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}

export type ResponsesContentPart = InputTextPart | OutputTextPart | InputImagePart | InputFilePart | RefusalPart | { type: string; [key: string]: unknown };

export interface MessageItem extends ResponsesItemBase {
  type?: 'message';
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | ResponsesContentPart[];
  /** gpt-5.3-codex and later: "commentary" or "final_answer" on assistant messages. */
  phase?: string | null;
  status?: string;
}

export interface FunctionCallItem extends ResponsesItemBase {
  type: 'function_call';
  call_id: string;
  name: string;
  /** A JSON string. */
  arguments: string;
  namespace?: string;
  status?: string;
}

export interface CustomToolCallItem extends ResponsesItemBase {
  type: 'custom_tool_call';
  call_id: string;
  name: string;
  /** The raw text the model wrote, not JSON. */
  input: string;
  namespace?: string;
}

/** A tool's answer: text, or parts (input_text, input_image, input_file). */
export type ToolOutput = string | ResponsesContentPart[];

export interface FunctionCallOutputItem extends ResponsesItemBase {
  type: 'function_call_output' | 'custom_tool_call_output';
  call_id: string;
  output: ToolOutput;
}

export interface ReasoningItem extends ResponsesItemBase {
  type: 'reasoning';
  summary?: Array<{ type: 'summary_text'; text: string }>;
  /** Codex echoes it as null. */
  content?: Array<{ type: 'reasoning_text'; text: string }> | null;
  /** OpenAI's opaque blob ("gAAAA..."), or Lodestar's own (response-fields.ts). */
  encrypted_content?: string | null;
}

/** What code-mode Codex sends instead of `tools` (section 6.4). */
export interface AdditionalToolsItem extends ResponsesItemBase {
  type: 'additional_tools';
  role?: 'developer';
  tools: ResponsesTool[];
}

export type ResponsesInputItem = MessageItem | FunctionCallItem | CustomToolCallItem | FunctionCallOutputItem | ReasoningItem | AdditionalToolsItem | ResponsesItemBase;

// ---- tools (section 2.2) ----

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
  [key: string]: unknown;
}

export interface CustomTool {
  type: 'custom';
  name: string;
  description?: string | null;
  format?: { type: 'text' } | { type: 'grammar'; syntax: 'lark' | 'regex'; definition: string } | null;
  [key: string]: unknown;
}

export interface NamespaceTool {
  type: 'namespace';
  name: string;
  description?: string;
  tools: Array<FunctionTool | CustomTool | { type: string; [key: string]: unknown }>;
  [key: string]: unknown;
}

/** Hosted tools (web_search, file_search, mcp, ...) and tool_search: only their type matters here. */
export interface OtherTool {
  type: string;
  [key: string]: unknown;
}

export type ResponsesTool = FunctionTool | CustomTool | NamespaceTool | OtherTool;

export type ResponsesToolChoice =
  | 'none'
  | 'auto'
  | 'required'
  | { type: 'function' | 'custom'; name: string }
  | { type: 'allowed_tools'; mode: 'auto' | 'required'; tools: unknown[] }
  | { type: string; [key: string]: unknown };

// ---- the response object (section 3) and its output items ----

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'cancelled' | 'queued' | 'incomplete';

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens?: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export interface OutputTextContent {
  type: 'output_text';
  text: string;
  annotations: unknown[];
}

export interface OutputMessage {
  type: 'message';
  id: string;
  role: 'assistant';
  status: 'in_progress' | 'completed' | 'incomplete';
  content: OutputTextContent[];
}

/** No `status`: OpenAI refuses it on a reasoning item sent back as input (section 2.1). */
export interface OutputReasoning {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  content?: Array<{ type: 'reasoning_text'; text: string }>;
  encrypted_content?: string;
}

export interface OutputFunctionCall {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  namespace?: string;
}

export interface OutputCustomToolCall {
  type: 'custom_tool_call';
  id: string;
  call_id: string;
  name: string;
  input: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  namespace?: string;
}

export type ResponseOutputItem = OutputMessage | OutputReasoning | OutputFunctionCall | OutputCustomToolCall;

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  completed_at?: number | null;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  model: string;
  output: ResponseOutputItem[];
  /** A convenience of OpenAI's SDKs (all output_text joined), which freellmapi sends too. */
  output_text: string;
  parallel_tool_calls: boolean;
  tool_choice: ResponsesToolChoice;
  tools: ResponsesTool[];
  temperature: number | null;
  top_p: number | null;
  max_output_tokens: number | null;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  text: { format: ResponsesTextFormat; verbosity?: string };
  truncation: 'auto' | 'disabled';
  usage: ResponsesUsage | null;
  metadata: Record<string, string>;
}

// ---- stream events (section 4.2), each also with `sequence_number` ----

interface ItemEvent {
  item_id: string;
  output_index: number;
}

interface ContentEvent extends ItemEvent {
  content_index: number;
}

export type ResponsesStreamEvent =
  | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed'; response: ResponseObject }
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: ResponseOutputItem }
  | ({ type: 'response.content_part.added' | 'response.content_part.done'; part: OutputTextContent | { type: 'reasoning_text'; text: string } } & ContentEvent)
  | ({ type: 'response.output_text.delta'; delta: string; logprobs: unknown[] } & ContentEvent)
  | ({ type: 'response.output_text.done'; text: string; logprobs: unknown[] } & ContentEvent)
  | ({ type: 'response.reasoning_text.delta'; delta: string } & ContentEvent)
  | ({ type: 'response.reasoning_text.done'; text: string } & ContentEvent)
  | ({ type: 'response.function_call_arguments.delta'; delta: string } & ItemEvent)
  | ({ type: 'response.function_call_arguments.done'; name: string; arguments: string } & ItemEvent)
  | ({ type: 'response.custom_tool_call_input.delta'; delta: string } & ItemEvent)
  | ({ type: 'response.custom_tool_call_input.done'; input: string } & ItemEvent);
