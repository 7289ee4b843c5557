/**
 * Rebuilds a whole chat.completion from the OpenAI chunks of a stream as they pass through, so
 * that a streamed answer can be cached and later replayed.
 */
export class StreamAssembler {
  private id = '';
  private model = '';
  private created = 0;
  private content = '';
  private reasoning = '';
  private readonly toolCalls: Array<{ id: string; type: 'function'; function: { name: string; arguments: string } }> = [];
  private finishReason: string | null = null;
  private usage: unknown;
  private broken = false;

  add(data: string): void {
    if (this.broken) return;
    let chunk: {
      id?: string;
      model?: string;
      created?: number;
      usage?: unknown;
      choices?: Array<{ index?: number; delta?: { content?: string | null; reasoning_content?: string; reasoning?: string; tool_calls?: Array<{ index?: number; id?: string; function?: { name?: string; arguments?: string } }> }; finish_reason?: string | null }> | null;
    };
    try {
      chunk = JSON.parse(data) as typeof chunk;
    } catch {
      this.broken = true;
      return;
    }
    this.id ||= chunk.id ?? '';
    this.model ||= chunk.model ?? '';
    this.created ||= chunk.created ?? 0;
    if (chunk.usage) this.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      // One choice is all a cacheable request has.
      if ((choice.index ?? 0) !== 0) continue;
      const delta = choice.delta ?? {};
      if (delta.content) this.content += delta.content;
      if (delta.reasoning_content) this.reasoning += delta.reasoning_content;
      else if (delta.reasoning) this.reasoning += delta.reasoning;
      for (const call of delta.tool_calls ?? []) {
        const index = call.index ?? 0;
        const target = (this.toolCalls[index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
        if (call.id) target.id = call.id;
        if (call.function?.name) target.function.name += call.function.name;
        if (call.function?.arguments) target.function.arguments += call.function.arguments;
      }
      if (choice.finish_reason) this.finishReason = choice.finish_reason;
    }
  }

  /** The completion, or undefined if the stream did not finish cleanly. */
  completion(): string | undefined {
    if (this.broken || !this.finishReason) return undefined;
    const message: Record<string, unknown> = { role: 'assistant', content: this.toolCalls.length && !this.content ? null : this.content };
    if (this.toolCalls.length) message.tool_calls = this.toolCalls.filter(Boolean);
    if (this.reasoning) message.reasoning_content = this.reasoning;
    return JSON.stringify({
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: this.finishReason }],
      ...(this.usage ? { usage: this.usage } : {}),
    });
  }
}

/**
 * A cached completion as the chunks of a stream: the role, the content in pieces, each tool
 * call, the finish, and the usage chunk if the client asks for it.
 */
export function replayChunks(completionJson: string, includeUsage: boolean, pieceSize = 64): string[] {
  const completion = JSON.parse(completionJson) as {
    id: string;
    created: number;
    model: string;
    usage?: unknown;
    choices: Array<{ message: { content: string | null; tool_calls?: Array<{ id: string; type: string; function: { name: string; arguments: string } }>; reasoning_content?: string }; finish_reason: string }>;
  };
  const head = { id: completion.id, object: 'chat.completion.chunk', created: completion.created, model: completion.model };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): string =>
    JSON.stringify({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] });
  const choice = completion.choices[0];
  const chunks = [chunk({ role: 'assistant', content: '' })];
  if (choice?.message.reasoning_content) chunks.push(chunk({ reasoning_content: choice.message.reasoning_content }));
  const content = choice?.message.content ?? '';
  for (let offset = 0; offset < content.length; offset += pieceSize) chunks.push(chunk({ content: content.slice(offset, offset + pieceSize) }));
  choice?.message.tool_calls?.forEach((call, index) => {
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }] }));
  });
  chunks.push(chunk({}, choice?.finish_reason ?? 'stop'));
  if (includeUsage && completion.usage) chunks.push(JSON.stringify({ ...head, choices: [], usage: completion.usage }));
  return chunks;
}
