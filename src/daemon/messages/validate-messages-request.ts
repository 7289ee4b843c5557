import { HttpError } from '../../shared/http-error.js';

/** What the daemon reads of a Messages request; every other field goes on as the client sent it. */
export interface MessagesBody {
  model: string;
  max_tokens: number;
  messages: Array<{ role: string; content: unknown }>;
  system?: unknown;
  stream?: boolean;
  thinking?: { type?: string; budget_tokens?: number };
  tools?: unknown[];
  metadata?: { user_id?: string };
  [key: string]: unknown;
}

/**
 * The checks Anthropic makes first, with its words where it has them: a 400 names the field,
 * before any routing or upstream.
 */
export function validateMessagesRequest(body: unknown, countOnly = false): MessagesBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('The body must be a JSON object', undefined);
  const value = body as Record<string, unknown>;
  if (typeof value.model !== 'string' || value.model === '') throw bad('model: Field required (a model id such as claude-sonnet-4-5, or lodestar/auto)', 'model');
  if (!countOnly) {
    if (value.max_tokens === undefined) throw bad('max_tokens: Field required', 'max_tokens');
    if (typeof value.max_tokens !== 'number' || !Number.isInteger(value.max_tokens) || value.max_tokens < 0) {
      throw bad(`max_tokens: Input should be a whole number of at least 0, got ${JSON.stringify(value.max_tokens)}`, 'max_tokens');
    }
  }
  if (!Array.isArray(value.messages)) throw bad('messages: Field required (a list of user and assistant turns)', 'messages');
  if (!value.messages.length) throw bad('messages: at least one message is required', 'messages');
  value.messages.forEach((message, index) => {
    const turn = message as { role?: unknown; content?: unknown } | null;
    if (typeof turn !== 'object' || turn === null) throw bad(`messages.${index}: Input should be an object`, `messages.${index}`);
    // Claude Code 2.1 puts system turns mid-conversation (betas per-turn-control, mid-conversation-tool-changes).
    if (turn.role !== 'user' && turn.role !== 'assistant' && turn.role !== 'system') {
      throw bad(`messages.${index}.role: Input should be 'user', 'assistant' or 'system', got ${JSON.stringify(turn.role ?? null)}`, `messages.${index}.role`);
    }
    if (typeof turn.content !== 'string' && !Array.isArray(turn.content)) throw bad(`messages.${index}.content: Input should be a string or a list of content blocks`, `messages.${index}.content`);
  });
  if (value.stream !== undefined && typeof value.stream !== 'boolean') throw bad(`stream: Input should be a boolean, got ${JSON.stringify(value.stream)}`, 'stream');
  if (value.tools !== undefined && !Array.isArray(value.tools)) throw bad('tools: Input should be a list', 'tools');
  if (value.system !== undefined && typeof value.system !== 'string' && !Array.isArray(value.system)) throw bad('system: Input should be a string or a list of text blocks', 'system');
  return value as MessagesBody;
}

function bad(message: string, param: string | undefined): HttpError {
  return new HttpError(400, message, { param: param ?? null });
}
