import type { ChatCompletionRequest, ChatMessage } from '../spec/chat-request.js';

/** Tool-call turns remembered, at most; older ones go first. */
const MAX_TURNS = 2000;
/** Characters of reasoning remembered, at most, all turns together (about 8 MB of strings). */
const MAX_CHARACTERS = 4_000_000;

/**
 * DeepSeek in thinking mode (the default of its current models) refuses a history whose
 * tool-call turns come back without their reasoning_content ("The `reasoning_content` in the
 * thinking mode must be passed back to the API."), and most clients of the Chat Completions API
 * (opencode's SDK among them) do not send it back. So the provider remembers, per tool call id,
 * the reasoning of each answer it relayed, and puts it back on the assistant turn that carries
 * those calls. A turn it can't restore (the daemon restarted, the history came from another
 * model) makes the request go without thinking, which asks nothing back, rather than fail.
 */
export class ReasoningMemory {
  private readonly byCall = new Map<string, string>();
  private characters = 0;

  /** What one answer reasoned before calling these tools. */
  remember(callIds: readonly string[], reasoning: string): void {
    if (!reasoning || !callIds.length) return;
    for (const id of callIds) {
      const previous = this.byCall.get(id);
      if (previous !== undefined) this.characters -= previous.length;
      this.byCall.delete(id);
      this.byCall.set(id, reasoning);
      this.characters += reasoning.length;
    }
    for (const [id, text] of this.byCall) {
      if (this.byCall.size <= MAX_TURNS && this.characters <= MAX_CHARACTERS) break;
      this.byCall.delete(id);
      this.characters -= text.length;
    }
  }

  /**
   * The request with each tool-call turn's reasoning back where it is known; thinking turned off
   * when a turn's is not (and the client did not ask for thinking outright).
   */
  restore(request: ChatCompletionRequest): void {
    let missing = false;
    let messages: ChatMessage[] | undefined;
    request.messages.forEach((message, index) => {
      if (message.role !== 'assistant' || !message.tool_calls?.length || typeof message.reasoning_content === 'string') return;
      let known: string | undefined;
      for (const call of message.tool_calls) if ((known = this.byCall.get(call.id)) !== undefined) break;
      if (known === undefined) missing = true;
      else (messages ??= [...request.messages])[index] = { ...message, reasoning_content: known };
    });
    if (messages) request.messages = messages;
    if (missing && request.thinking === undefined) request.thinking = { type: 'disabled' };
  }

  /** How many tool calls are remembered (for tests and health). */
  get size(): number {
    return this.byCall.size;
  }
}
