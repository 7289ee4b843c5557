import type { ChatCompletionRequest, ChatMessage } from '../spec/chat-request.js';
import { TranslationError } from '../spec/translation-error.js';
import { convertInput } from './convert-responses-input.js';
import { convertToolChoice, convertTools } from './convert-responses-tools.js';
import type { AdditionalToolsItem, ReasoningEffort, ResponsesRequest, ResponsesTool } from './responses-types.js';
import { ToolNames } from './tool-names.js';

export interface ResponsesTranslation {
  request: ChatCompletionRequest;
  /** Short reasons for what the translation dropped or changed, to log once per request. */
  notes: string[];
  /** The chat name of each tool, both ways: the answer's converters need it to name calls back. */
  tools: ToolNames;
}

type Notes = Set<string>;

/**
 * An OpenAI Responses request as the Chat Completions request every provider adapter takes,
 * for an upstream that is not OpenAI's Responses endpoint (reference/responses-api.md 1, 2 and
 * 7; LiteLLM's bridge, section 8, was read for the facts). The translation is the same for every
 * such upstream; `model` goes in as the request's model.
 *
 * Fields that mean nothing to other providers (store, include, prompt_cache_key, metadata,
 * client_metadata, user, safety_identifier, service_tier, prompt_cache_retention) are not sent;
 * a note says so only where the client would see a difference.
 * @throws TranslationError, naming the field, for what needs OpenAI's stored state or files
 *   (previous_response_id, conversation, prompt, item_reference, input_file), so the daemon can
 *   skip this candidate.
 */
export function responsesToChat(body: ResponsesRequest, model: string): ResponsesTranslation {
  refuseStoredState(body);
  const notes: Notes = new Set();
  const names = new ToolNames();
  const tools = convertTools([...(body.tools ?? []), ...hoistedTools(body.input, notes)], names, notes);
  // Before the history registers names of calls to tools no longer offered: a choice must name a sent tool.
  const toolChoice = tools.length ? convertToolChoice(body.tool_choice, names, notes) : undefined;

  const messages: ChatMessage[] = [];
  if (body.instructions) messages.push({ role: 'system', content: body.instructions });
  messages.push(...convertInput(body.input, names, notes));
  const request: ChatCompletionRequest = { model, messages };

  if (tools.length) {
    request.tools = tools;
    if (toolChoice) request.tool_choice = toolChoice;
    if (typeof body.parallel_tool_calls === 'boolean') request.parallel_tool_calls = body.parallel_tool_calls;
  } else if (body.tool_choice && body.tool_choice !== 'auto' && body.tool_choice !== 'none') {
    // Strict upstreams refuse tool_choice without tools ("When using `tool_choice`, `tools` must be set").
    notes.add('tool_choice dropped: no tool is left to choose from');
  }
  if (typeof body.max_output_tokens === 'number') request.max_tokens = body.max_output_tokens;
  if (typeof body.temperature === 'number') request.temperature = body.temperature;
  if (typeof body.top_p === 'number') request.top_p = body.top_p;
  if (body.stream) {
    request.stream = true;
    // Without usage the stream can't end with a proper response.completed (section 7).
    request.stream_options = { include_usage: true };
  }
  const effort = reasoningEffort(body.reasoning?.effort, notes);
  if (effort) request.reasoning_effort = effort;
  const responseFormat = convertTextFormat(body.text?.format);
  if (responseFormat) request.response_format = responseFormat;
  if (body.text?.verbosity) notes.add(`text.verbosity ${body.text.verbosity} dropped: Chat upstreams have no verbosity setting`);
  noteIgnored(body, notes);
  return { request, notes: [...notes], tools: names };
}

/** What lives on OpenAI's servers: without it the model would answer a conversation it can't see. */
function refuseStoredState(body: ResponsesRequest): void {
  if (body.previous_response_id) throw new TranslationError('previous_response_id', "previous_response_id needs OpenAI's stored responses");
  if (body.conversation) throw new TranslationError('conversation', "a conversation needs OpenAI's stored conversations");
  if (body.prompt) throw new TranslationError('prompt', "a prompt template needs OpenAI's stored prompts");
}

/** The tools of code-mode Codex's `additional_tools` input items, which carry them instead of `tools`. */
function hoistedTools(input: ResponsesRequest['input'], notes: Notes): ResponsesTool[] {
  if (!Array.isArray(input)) return [];
  const tools: ResponsesTool[] = [];
  for (const item of input) {
    if (item?.type !== 'additional_tools') continue;
    notes.add("additional_tools items' tools sent with the request's tools: Chat takes tools only there");
    tools.push(...((item as AdditionalToolsItem).tools ?? []));
  }
  return tools;
}

/**
 * Responses' reasoning.effort as Chat's reasoning_effort, in the three levels every upstream
 * that takes one knows: minimal is low, xhigh and max are high. "none" is left out rather than
 * sent, as most upstreams refuse it. The provider adapters decide whether an upstream gets it.
 */
function reasoningEffort(effort: ReasoningEffort | null | undefined, notes: Notes): 'low' | 'medium' | 'high' | undefined {
  if (!effort) return undefined;
  if (effort === 'none') {
    notes.add('reasoning.effort none not sent: most Chat upstreams refuse it, so the model reasons as it does by default');
    return undefined;
  }
  const mapped = effort === 'minimal' ? 'low' : effort === 'low' || effort === 'medium' ? effort : 'high';
  notes.add(`reasoning.effort ${effort} sent as reasoning_effort ${mapped}`);
  return mapped;
}

/** text.format is flat in Responses; Chat nests a JSON schema under json_schema. */
function convertTextFormat(format: NonNullable<ResponsesRequest['text']>['format']): ChatCompletionRequest['response_format'] {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type !== 'json_schema') return undefined;
  const { name, schema, strict, description } = format as Extract<typeof format, { type: 'json_schema' }>;
  return {
    type: 'json_schema',
    // Chat requires a name; OpenAI's SDKs default to this one.
    json_schema: { name: name || 'response', schema, ...(typeof strict === 'boolean' ? { strict } : {}), ...(description ? { description } : {}) },
  };
}

/** Fields not sent whose absence the client could notice. */
function noteIgnored(body: ResponsesRequest, notes: Notes): void {
  if (body.store === true) notes.add('store ignored: the response is not kept for later retrieval');
  if (body.background === true) notes.add('background ignored: the answer comes in this request');
  if (body.truncation === 'auto') notes.add('truncation auto ignored: an input too long for the model fails instead');
  if (typeof body.top_logprobs === 'number') notes.add('top_logprobs dropped: the answer carries no logprobs');
  if (body.context_management) notes.add("context_management dropped: compaction runs only on OpenAI's servers");
  if (typeof body.max_tool_calls === 'number') notes.add('max_tool_calls dropped: Chat has no limit on tool calls');
}
