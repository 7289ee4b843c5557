import type { ProviderConfig } from '../../config/defaults.js';
import type { ProviderId } from '../../shared/provider-ids.js';
import { readSse } from '../http/sse.js';
import { UpstreamClient, type UpstreamResponse } from '../http/upstream-client.js';
import type { ChatCompletionRequest } from '../spec/chat-request.js';
import { newOutcome, type CallOutcome, type ChatCall, type ChatProvider, type ChunkStream, type Completion, type ProviderModel, type StreamChunk } from '../spec/provider.js';
import { listOpenRouterModels } from './list-openrouter-models.js';
import { ReasoningMemory } from './reasoning-memory.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { convertOpenAIUsage } from './convert-openai-usage.js';
import { QUIRKS, type OpenAICompatibleQuirks } from './provider-quirks.js';

type OpenAICompatibleId = keyof typeof QUIRKS;

/**
 * OpenAI and the upstreams that speak its wire format. Requests pass through with the
 * model id replaced and, for streams, usage asked for; answers pass through byte for byte,
 * read only to capture usage and the finish reason.
 */
export class OpenAICompatibleProvider implements ChatProvider {
  readonly id: ProviderId;
  readonly kind = 'openai-compatible' as const;
  private readonly client: UpstreamClient;
  private readonly quirks: OpenAICompatibleQuirks;
  private readonly headers: Record<string, string>;
  /** DeepSeek's reasoning by tool call, for the turns that come back without it. */
  private readonly reasoning: ReasoningMemory | undefined;

  constructor(config: ProviderConfig & { id: OpenAICompatibleId }) {
    this.id = config.id;
    this.quirks = QUIRKS[config.id];
    this.reasoning = this.quirks.rememberReasoning ? new ReasoningMemory() : undefined;
    this.client = new UpstreamClient(config.id, config.baseUrl, config.timeouts);
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}),
      ...this.quirks.headers,
    };
  }

  private body(request: ChatCompletionRequest, stream: boolean): string {
    const body: ChatCompletionRequest = { ...request, stream };
    if (stream) {
      if (this.quirks.streamOptions) body.stream_options = { ...request.stream_options, include_usage: true };
    } else {
      delete body.stream_options;
    }
    this.quirks.prepare?.(body);
    this.reasoning?.restore(body);
    return JSON.stringify(body);
  }

  async complete(call: ChatCall): Promise<Completion> {
    const response = await this.client.post(this.quirks.chatPath, this.body(call.request, false), this.headers, {
      signal: call.signal,
      stream: false,
    });
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.client.translate(error, 'during');
    }
    const outcome = newOutcome();
    let parsed: { usage?: unknown; model?: unknown; choices?: Array<{ finish_reason?: unknown }>; error?: unknown };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      throw new UpstreamError(this.id, 'protocol', `${this.id} answered with something that is not JSON`);
    }
    if (parsed.error !== undefined || !Array.isArray(parsed.choices)) {
      throw new UpstreamError(this.id, 'protocol', `${this.id} answered 200 without a completion${describe(parsed.error)}`);
    }
    outcome.usage = convertOpenAIUsage(parsed.usage) ?? {};
    outcome.upstreamModel = typeof parsed.model === 'string' ? parsed.model : undefined;
    if (this.reasoning) {
      const message = (parsed.choices[0] as { message?: { reasoning_content?: unknown; tool_calls?: Array<{ id?: unknown }> } } | undefined)?.message;
      if (typeof message?.reasoning_content === 'string') this.reasoning.remember(callIds(message.tool_calls), message.reasoning_content);
    }
    const finish = parsed.choices[0]?.finish_reason;
    outcome.finishReason = typeof finish === 'string' ? finish : undefined;
    return { body: text, outcome };
  }

  async stream(call: ChatCall): Promise<ChunkStream> {
    const response = await this.client.post(this.quirks.chatPath, this.body(call.request, true), { ...this.headers, accept: 'text/event-stream' }, {
      signal: call.signal,
      stream: true,
    });
    const outcome = newOutcome();
    return { chunks: this.relay(response.body, outcome), outcome };
  }

  private async *relay(body: AsyncIterable<Buffer>, outcome: CallOutcome): AsyncGenerator<StreamChunk> {
    let done = false;
    // DeepSeek's reasoning and the tool calls it led to, as the stream goes (remembered at its end).
    let reasoning = '';
    const calls: string[] = [];
    try {
      for await (const event of readSse(body)) {
        const data = event.data;
        if (data === '[DONE]') {
          done = true;
          break;
        }
        let chunk: { choices?: Array<{ finish_reason?: unknown }> | null; usage?: unknown; model?: unknown; error?: unknown; x_groq?: { usage?: unknown } };
        try {
          chunk = JSON.parse(data) as typeof chunk;
        } catch {
          throw new UpstreamError(this.id, 'protocol', `${this.id} sent a stream chunk that is not JSON`);
        }
        if (chunk.error !== undefined) {
          throw new UpstreamError(this.id, 'protocol', `${this.id} reported an error mid-stream${describe(chunk.error)}`, {
            upstreamType: errorType(chunk.error),
          });
        }
        if (outcome.upstreamModel === undefined && typeof chunk.model === 'string') outcome.upstreamModel = chunk.model;
        const usage = convertOpenAIUsage(chunk.usage ?? chunk.x_groq?.usage);
        if (usage) outcome.usage = usage;
        const choices = chunk.choices;
        if (this.reasoning && choices?.length) {
          const delta = (choices[0] as { delta?: { reasoning_content?: unknown; tool_calls?: Array<{ id?: unknown }> } }).delta;
          if (typeof delta?.reasoning_content === 'string') reasoning += delta.reasoning_content;
          if (delta?.tool_calls) calls.push(...callIds(delta.tool_calls));
        }
        const finish = choices?.[0]?.finish_reason;
        if (typeof finish === 'string') outcome.finishReason = finish;
        yield usage && !choices?.length ? { data, usageOnly: true } : { data };
      }
    } catch (error) {
      throw this.client.translate(error, 'during');
    }
    this.reasoning?.remember(calls, reasoning);
    // OpenAI ends every stream with [DONE]; a body that just stops before a finish reason was cut off.
    if (!done && outcome.finishReason === undefined) {
      throw new UpstreamError(this.id, 'connection', `${this.id} ended the stream before finishing its answer`);
    }
  }

  /**
   * A Responses request as the client wrote it (OpenAI's own /responses endpoint: nothing to
   * translate, nothing lost), with only the key ours. Resolves with the answer once it is 2xx;
   * an error status throws an UpstreamError carrying OpenAI's answer, for the client to get as
   * it was sent.
   */
  passThrough(call: { path: string; body: string; headers: Record<string, string>; stream: boolean; signal: AbortSignal }): Promise<UpstreamResponse> {
    return this.client.post(call.path, call.body, { ...this.headers, ...call.headers, accept: call.stream ? 'text/event-stream' : 'application/json' }, { signal: call.signal, stream: call.stream });
  }

  /** Only OpenRouter's list states limits: the others' lists are names. */
  get listModels(): ((signal: AbortSignal) => Promise<ProviderModel[]>) | undefined {
    return this.id === 'openrouter' ? (signal) => listOpenRouterModels(this.client, { ...this.headers, accept: 'application/json' }, signal) : undefined;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

function describe(error: unknown): string {
  if (!error) return '';
  if (typeof error === 'string') return `: ${error}`;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? `: ${message.slice(0, 300)}` : '';
}

function errorType(error: unknown): string | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  return typeof type === 'string' ? type : typeof code === 'string' ? code : undefined;
}

/** The ids of a message's (or a delta's) tool calls. */
function callIds(calls: Array<{ id?: unknown }> | null | undefined): string[] {
  return (calls ?? []).map((call) => call.id).filter((id): id is string => typeof id === 'string' && id !== '');
}
