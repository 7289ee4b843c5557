import type { ChatMessage, ContentPart, ImagePart, TextPart, ToolCall } from '../spec/chat-request.js';
import { TranslationError } from '../spec/translation-error.js';
import { decodeReasoning } from './response-fields.js';
import type {
  CustomToolCallItem,
  FunctionCallItem,
  FunctionCallOutputItem,
  InputImagePart,
  MessageItem,
  ReasoningItem,
  ResponsesContentPart,
  ResponsesInputItem,
  ToolOutput,
} from './responses-types.js';
import type { ToolNames } from './tool-names.js';

type Notes = Set<string>;

/** Several text parts become one string, as paragraphs: deterministic, and every upstream takes a string. */
const PARAGRAPHS = '\n\n';

/** What a call with no output in the history gets as its tool message, so strict upstreams accept the turn. */
export const NO_OUTPUT = '(no output: the call was not run)';

/** Items whose meaning lives on OpenAI's servers (hosted tools, server-side compaction, tool search). */
const OPENAI_ONLY = /^(web_search_call|file_search_call|image_generation_call|code_interpreter_call|mcp_|computer_call|local_shell_call|shell_call|apply_patch_call|compaction|tool_search_)/;

/**
 * The `input` items as Chat messages, in order (reference/responses-api.md 2.1 and 7):
 * - user, system and developer messages keep their place; developer becomes system (DeepSeek
 *   refuses the developer role);
 * - an assistant message and the function or custom tool calls after it make ONE assistant
 *   message (content and tool_calls), as OpenAI and Anthropic want a turn's calls together;
 * - each tool output becomes a tool message. Strict upstreams answer 400 to an output without
 *   its call and to a call without its output, so an orphan output is dropped, and a call still
 *   unanswered when the next user or assistant message comes (or the input ends) gets a tool
 *   message saying it was not run. A system message between calls and their outputs is sent
 *   after the outputs, which must follow their calls directly;
 * - reasoning items go only as reasoning_content, and only Lodestar's own (encrypted_content
 *   that carries an upstream's reasoning text, response-fields.ts), to the assistant message the
 *   next assistant content goes to; OpenAI's encrypted blobs mean nothing to other upstreams;
 * - items that only OpenAI's servers understand are dropped with a note, once a kind.
 * Tool calls are named by `names`, calls to tools the request no longer offers included.
 * @throws TranslationError naming the item for what only OpenAI can read (stored items, files).
 */
export function convertInput(input: string | ResponsesInputItem[] | undefined, names: ToolNames, notes: Notes): ChatMessage[] {
  if (input === undefined) return [];
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  const history = new ChatHistory(notes);
  const rename = (note: string): void => void notes.add(note);
  input.forEach((item, index) => {
    const where = `input[${index}]`;
    if (!item || typeof item !== 'object') throw new TranslationError(where, 'an input item must be an object');
    const type = item.type ?? ('role' in item ? 'message' : 'unknown');
    if (type === 'message') {
      const message = item as MessageItem;
      if (message.role === 'assistant') history.assistantText(assistantText(message.content, where, notes));
      else if (message.role === 'user') history.user(userContent(message.content, where));
      else history.instruction(systemText(message.content, where, notes));
    } else if (type === 'function_call' || type === 'custom_tool_call') {
      const call = item as FunctionCallItem | CustomToolCallItem;
      const kind = call.type === 'function_call' ? 'function' : 'custom';
      const name = names.register({ kind, name: String(call.name ?? ''), ...(call.namespace ? { namespace: call.namespace } : {}) }, rename);
      const argumentsText = call.type === 'function_call' ? call.arguments || '{}' : JSON.stringify({ input: call.input ?? '' });
      history.call({ id: call.call_id, type: 'function', function: { name, arguments: argumentsText } });
    } else if (type === 'function_call_output' || type === 'custom_tool_call_output') {
      const output = item as FunctionCallOutputItem;
      history.output(output.call_id, toolText(output.output, notes));
    } else if (type === 'reasoning') {
      const text = decodeReasoning((item as ReasoningItem).encrypted_content);
      if (text !== undefined) history.reasoning(text);
      else notes.add("reasoning items dropped: other upstreams can't read OpenAI's reasoning");
    } else if (type === 'additional_tools') {
      // Its tools were hoisted into the request's tools (responses-to-chat.ts).
    } else if (type === 'item_reference') {
      throw new TranslationError(where, "an item_reference needs OpenAI's stored items");
    } else if (OPENAI_ONLY.test(type)) notes.add(`${type} items dropped: only OpenAI's servers can replay them`);
    else notes.add(`${type} items dropped: not an item this translation knows`);
  });
  history.finish();
  return history.messages;
}

/** The messages built so far, and the assistant turn that tool calls may still join. */
class ChatHistory {
  readonly messages: ChatMessage[] = [];
  /** The last message, while it is an assistant message with nothing after it. */
  private open: ChatMessage | undefined;
  /** Calls of the open turn without an output yet, in call order. */
  private readonly unanswered = new Set<string>();
  private readonly held: ChatMessage[] = [];
  private reasoningText: string | undefined;

  constructor(private readonly notes: Notes) {}

  user(content: ChatMessage['content']): void {
    this.closeCalls();
    this.push({ role: 'user', content });
  }

  instruction(text: string): void {
    const message: ChatMessage = { role: 'system', content: text };
    if (this.unanswered.size) this.held.push(message);
    else this.push(message);
  }

  /**
   * A second assistant text in a row joins the first: some upstreams want roles to alternate.
   * An empty one adds nothing (some upstreams refuse an empty assistant message).
   */
  assistantText(text: string): void {
    this.closeCalls();
    if (!text) return;
    if (this.open && !this.open.tool_calls?.length) {
      this.open.content = [this.open.content, text].filter(Boolean).join(PARAGRAPHS);
      this.takeReasoning(this.open);
      return;
    }
    const message: ChatMessage = { role: 'assistant', content: text };
    this.push(message);
    this.takeReasoning(message);
    this.open = message;
  }

  call(toolCall: ToolCall): void {
    let message = this.open;
    if (!message) {
      message = { role: 'assistant', content: null };
      this.push(message);
      this.open = message;
    }
    this.takeReasoning(message);
    (message.tool_calls ??= []).push(toolCall);
    this.unanswered.add(toolCall.id);
  }

  output(callId: string, text: string): void {
    if (!this.unanswered.delete(callId)) {
      this.notes.add('tool output without its call dropped: upstreams refuse a tool message that answers no call');
      return;
    }
    this.messages.push({ role: 'tool', tool_call_id: callId, content: text });
    this.open = undefined;
    if (!this.unanswered.size) this.release();
  }

  reasoning(text: string): void {
    this.reasoningText = (this.reasoningText ?? '') + text;
  }

  finish(): void {
    this.closeCalls();
  }

  private push(message: ChatMessage): void {
    this.messages.push(message);
    this.open = undefined;
    // Reasoning belongs to the assistant content that follows it, never across another message.
    if (message.role !== 'assistant') this.reasoningText = undefined;
  }

  /** The turn's reasoning goes with it whole, as the upstream wrote it, pieces joined as they came. */
  private takeReasoning(message: ChatMessage): void {
    if (this.reasoningText === undefined) return;
    message.reasoning_content = (message.reasoning_content ?? '') + this.reasoningText;
    this.reasoningText = undefined;
  }

  /** Answers the open turn's calls that got no output, then sends what was held back. */
  private closeCalls(): void {
    if (!this.unanswered.size) return;
    this.notes.add(`tool call without its output answered "${NO_OUTPUT}": upstreams refuse a call with no tool message`);
    for (const callId of this.unanswered) this.messages.push({ role: 'tool', tool_call_id: callId, content: NO_OUTPUT });
    this.unanswered.clear();
    this.open = undefined;
    this.release();
  }

  private release(): void {
    for (const message of this.held.splice(0)) this.push(message);
  }
}

function userContent(content: MessageItem['content'], where: string): ChatMessage['content'] {
  if (typeof content === 'string') return content;
  const parts = content.map((part, index) => userPart(part, `${where}.content[${index}]`));
  const textOnly = parts.every((part): part is TextPart => part.type === 'text');
  return textOnly ? parts.map((part) => part.text).join(PARAGRAPHS) : parts;
}

function userPart(part: ResponsesContentPart, param: string): ContentPart {
  const text = textOf(part);
  if (text !== undefined) return { type: 'text', text };
  if (part.type === 'input_image') return imagePart(part as InputImagePart, param);
  if (part.type === 'input_file') throw new TranslationError(param, 'a file (input_file) can only be read by OpenAI models');
  throw new TranslationError(param, `a "${part.type}" content part can only be read by OpenAI models`);
}

/** Chat's detail is auto, low or high; Codex's "original" (full resolution) is closest to high. */
function imagePart(part: InputImagePart, param: string): ImagePart {
  if (!part.image_url) throw new TranslationError(param, "an image by file_id can only be read by OpenAI models (it lives in OpenAI's Files API)");
  const detail = part.detail === 'original' ? 'high' : part.detail;
  return { type: 'image_url', image_url: { url: part.image_url, ...(detail === 'low' || detail === 'high' || detail === 'auto' ? { detail } : {}) } };
}

/** The text of a part that is text to Chat: input and output text, and a refusal (what the model said). */
function textOf(part: ResponsesContentPart): string | undefined {
  if (part.type === 'input_text' || part.type === 'output_text') return String(part.text ?? '');
  if (part.type === 'refusal') return String(part.refusal ?? '');
  return undefined;
}

function systemText(content: MessageItem['content'], where: string, notes: Notes): string {
  return joinTexts(content, where, notes, 'a system or developer message');
}

function assistantText(content: MessageItem['content'], where: string, notes: Notes): string {
  return joinTexts(content, where, notes, 'an assistant message');
}

/** The text of a message whose Chat role takes text only; an image or file in it is dropped, with a note. */
function joinTexts(content: MessageItem['content'], where: string, notes: Notes, what: string): string {
  if (typeof content === 'string') return content;
  const texts: string[] = [];
  content.forEach((part, index) => {
    const text = textOf(part);
    if (text !== undefined) texts.push(text);
    else if (part.type === 'input_image' || part.type === 'input_file') notes.add(`${part.type} in ${what} dropped: Chat takes text only there`);
    else throw new TranslationError(`${where}.content[${index}]`, `a "${part.type}" content part can only be read by OpenAI models`);
  });
  return texts.join(PARAGRAPHS);
}

/** A tool's output as the text of a tool message; images and files in it are dropped, with a note. */
function toolText(output: ToolOutput, notes: Notes): string {
  if (typeof output === 'string') return output;
  if (!Array.isArray(output)) return output === undefined || output === null ? '' : JSON.stringify(output);
  const texts: string[] = [];
  for (const part of output) {
    const text = textOf(part);
    if (text !== undefined) texts.push(text);
    else notes.add(`${part.type} in a tool output dropped: tool messages carry text only`);
  }
  return texts.join(PARAGRAPHS);
}
