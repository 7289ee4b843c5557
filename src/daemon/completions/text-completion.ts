import { randomUUID } from 'node:crypto';
import { toOpenAIUsage, type Usage } from '../../providers/spec/usage.js';

/**
 * OpenAI's legacy Completions answer (openai-node's `Completion`: the same object whether whole
 * or streamed): {id: "cmpl-...", object: "text_completion", created, model, choices: [{text,
 * index, logprobs, finish_reason}], usage}. Streamed, each chunk is that object with a piece of
 * the text and finish_reason null, then one with "" and the finish reason; with
 * stream_options.include_usage every chunk carries "usage": null and a last one, choices empty,
 * the usage, as OpenAI documents it; then `data: [DONE]`.
 */
export class TextCompletion {
  /** From randomUUID's pool: no system call a request, as randomBytes would make. */
  readonly id = `cmpl-${randomUUID().replaceAll('-', '')}`;
  readonly created = Math.floor(Date.now() / 1000);
  private readonly head: string;
  private readonly tail: string;

  constructor(
    model: string,
    private readonly includeUsage = false,
  ) {
    this.head = `{"id":"${this.id}","object":"text_completion","created":${this.created},"model":${JSON.stringify(model)},"choices":[{"text":`;
    this.tail = includeUsage ? '}],"usage":null}' : '}]}';
  }

  /** The whole answer (non-streamed). */
  body(text: string, finishReason: string | undefined, usage: Usage): string {
    return `${this.head}${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":${JSON.stringify(finishReasonOf(finishReason))}}],"usage":${JSON.stringify(toOpenAIUsage(usage))}}`;
  }

  /** A streamed chunk with one piece of the text. */
  piece(text: string): string {
    return `${this.head}${JSON.stringify(text)},"index":0,"logprobs":null,"finish_reason":null${this.tail}`;
  }

  /** The streamed chunk that says why the answer ended. */
  finish(finishReason: string | undefined): string {
    return `${this.head}"","index":0,"logprobs":null,"finish_reason":${JSON.stringify(finishReasonOf(finishReason))}${this.tail}`;
  }

  /** The last streamed chunk, for a client that asked for usage: no choices, the usage. */
  usage(usage: Usage): string {
    return `${this.head.slice(0, this.head.indexOf('"choices"'))}"choices":[],"usage":${JSON.stringify(toOpenAIUsage(usage))}}`;
  }

  get wantsUsage(): boolean {
    return this.includeUsage;
  }
}

/** "stop" or "length", the two this endpoint's clients know; anything else an upstream says is a stop. */
function finishReasonOf(reason: string | undefined): 'stop' | 'length' {
  return reason === 'length' ? 'length' : 'stop';
}
