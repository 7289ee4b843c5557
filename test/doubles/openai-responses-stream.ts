import type { ServerResponse } from 'node:http';
import { writeChunk } from './http-double.js';
import { responseObject, type OutputItem, type ResponseShape } from './openai-responses-output.js';
import { pauseBetweenChunks, randomAlphanumeric, sleep, splitText, type FaultBehaviour, type PlannedReply } from './scenario.js';

/**
 * The SSE stream of a response (responses-api.md 4): `event: <type>` and `data: <json>` lines,
 * a sequence_number on every event, response.created and response.in_progress, then each item
 * added, its content streamed, and done, then response.completed (or .incomplete) with the whole
 * output and usage. No [DONE]. A fault cuts it after `afterChunks` content pieces (0 = right
 * after the headers): a mid-stream error becomes response.failed, a stall silence, a drop a cut.
 */
export interface ResponsesStreamHooks {
  signal: AbortSignal;
  drop(): void;
  untilAborted(): Promise<void>;
}

/** One event (or several) to write; `piece` marks content, the unit `afterChunks` counts (as replyPieces does for Chat). */
interface Step {
  run(): void;
  piece: boolean;
}

export class ResponsesStreamWriter {
  private sequence = 0;

  constructor(
    private readonly response: ServerResponse,
    private readonly shape: ResponseShape,
    private readonly obfuscate: boolean,
  ) {}

  private emit(type: string, fields: Record<string, unknown>): void {
    const data = { type, sequence_number: this.sequence++, ...fields };
    writeChunk(this.response, `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Delta events carry `obfuscation` padding unless stream_options.include_obfuscation is false (1). */
  private padding(): Record<string, unknown> {
    return this.obfuscate ? { obfuscation: randomAlphanumeric(4 + Math.floor(Math.random() * 12)) } : {};
  }

  async write(items: OutputItem[], reply: PlannedReply, headers: Record<string, string>, hooks: ResponsesStreamHooks, fault?: FaultBehaviour): Promise<void> {
    await sleep(reply.firstByteDelayMs, hooks.signal);
    if (hooks.signal.aborted) return;
    this.response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', ...headers });
    this.response.flushHeaders();
    if (fault?.afterChunks === 0) return this.fail(fault, hooks, []);

    this.emit('response.created', { response: responseObject(this.shape, 'in_progress', [], undefined) });
    this.emit('response.in_progress', { response: responseObject(this.shape, 'in_progress', [], undefined) });
    const done: OutputItem[] = [];
    const steps = items.flatMap((item, index) => this.stepsOf(item, index, reply.chunkSize, done));
    let pieces = 0;
    for (const step of steps) {
      if (hooks.signal.aborted) return;
      if (step.piece && fault && pieces >= fault.afterChunks) return this.fail(fault, hooks, done);
      step.run();
      if (step.piece) {
        pieces++;
        await pauseBetweenChunks(reply.chunkDelayMs, hooks.signal);
      }
    }
    if (hooks.signal.aborted) return;
    if (fault) return this.fail(fault, hooks, done);
    const status = reply.finishReason === 'length' ? 'incomplete' : 'completed';
    this.emit(`response.${status}`, { response: responseObject(this.shape, status, done, reply.usage) });
    this.response.end();
  }

  private async fail(fault: FaultBehaviour, hooks: ResponsesStreamHooks, done: OutputItem[]): Promise<void> {
    if (fault.kind === 'drop') return hooks.drop();
    if (fault.kind === 'stall') return hooks.untilAborted();
    // 5: a failure after the stream began is response.failed with response.error {code, message}.
    const error = { code: fault.type ?? 'server_error', message: fault.message ?? 'The server had an error while processing your request. Sorry about that!' };
    if (this.sequence === 0) this.emit('response.created', { response: responseObject(this.shape, 'in_progress', [], undefined) });
    this.emit('response.failed', { response: responseObject(this.shape, 'failed', done, undefined, error) });
    this.response.end();
  }

  /** The events of one item, as steps; the ones that carry content are marked as pieces. */
  private stepsOf(item: OutputItem, outputIndex: number, chunkSize: number, done: OutputItem[]): Step[] {
    const steps: Step[] = [];
    const plain = (run: () => void): void => void steps.push({ run, piece: false });
    const piece = (run: () => void): void => void steps.push({ run, piece: true });
    const base = { item_id: item.id, output_index: outputIndex };
    const added = (shell: Record<string, unknown>): void => plain(() => this.emit('response.output_item.added', { output_index: outputIndex, item: shell }));
    const finished = (): void =>
      plain(() => {
        done.push(item);
        this.emit('response.output_item.done', { output_index: outputIndex, item });
      });

    switch (item.type) {
      case 'reasoning': {
        added({ id: item.id, type: 'reasoning', summary: [] });
        const summary = (item.summary as Array<{ text: string }>)[0];
        if (summary) {
          const part = { type: 'summary_text', text: '' };
          plain(() => this.emit('response.reasoning_summary_part.added', { ...base, summary_index: 0, part }));
          for (const delta of splitText(summary.text, chunkSize)) piece(() => this.emit('response.reasoning_summary_text.delta', { ...base, summary_index: 0, delta, ...this.padding() }));
          plain(() => this.emit('response.reasoning_summary_text.done', { ...base, summary_index: 0, text: summary.text }));
          plain(() => this.emit('response.reasoning_summary_part.done', { ...base, summary_index: 0, part: { type: 'summary_text', text: summary.text } }));
        } else {
          // Unshown reasoning still takes time and counts as output: one piece.
          piece(() => undefined);
        }
        finished();
        break;
      }
      case 'message': {
        const text = ((item.content as Array<{ text: string }>)[0] as { text: string }).text;
        added({ id: item.id, type: 'message', status: 'in_progress', content: [], role: 'assistant' });
        const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
        const content = { ...base, content_index: 0 };
        plain(() => this.emit('response.content_part.added', { ...content, part }));
        for (const delta of splitText(text, chunkSize)) piece(() => this.emit('response.output_text.delta', { ...content, delta, logprobs: [], ...this.padding() }));
        plain(() => this.emit('response.output_text.done', { ...content, text, logprobs: [] }));
        plain(() => this.emit('response.content_part.done', { ...content, part: { ...part, text } }));
        finished();
        break;
      }
      case 'function_call': {
        const args = item.arguments as string;
        piece(() => this.emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', arguments: '' } }));
        for (const delta of splitText(args, chunkSize)) piece(() => this.emit('response.function_call_arguments.delta', { ...base, delta, ...this.padding() }));
        plain(() => this.emit('response.function_call_arguments.done', { ...base, arguments: args, name: item.name }));
        finished();
        break;
      }
      case 'custom_tool_call': {
        const input = item.input as string;
        piece(() => this.emit('response.output_item.added', { output_index: outputIndex, item: { ...item, input: '' } }));
        for (const delta of splitText(input, chunkSize)) piece(() => this.emit('response.custom_tool_call_input.delta', { ...base, delta, ...this.padding() }));
        plain(() => this.emit('response.custom_tool_call_input.done', { ...base, input }));
        finished();
        break;
      }
    }
    return steps;
  }
}
