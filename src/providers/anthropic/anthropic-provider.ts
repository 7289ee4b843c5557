import type { ProviderConfig } from '../../config/defaults.js';
import { readSse } from '../http/sse.js';
import { UpstreamClient, type UpstreamResponse } from '../http/upstream-client.js';
import { newOutcome, type ChatCall, type ChatProvider, type ChunkStream, type Completion, type ProviderModel } from '../spec/provider.js';
import { listAnthropicModels } from './list-anthropic-models.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { translateAnthropicStream } from './anthropic-stream.js';
import { convertAnthropicResponse, type AnthropicMessage } from './convert-anthropic-response.js';
import { convertToAnthropicRequest } from './convert-to-anthropic-request.js';

/** The API version Lodestar's translation is written against (the SDK's default header). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic's Messages API behind the OpenAI wire format. */
export class AnthropicProvider implements ChatProvider {
  readonly id = 'anthropic' as const;
  readonly kind = 'anthropic' as const;
  private readonly client: UpstreamClient;
  private readonly headers: Record<string, string>;

  constructor(config: ProviderConfig) {
    this.client = new UpstreamClient('anthropic', config.baseUrl, config.timeouts);
    this.headers = {
      'content-type': 'application/json',
      accept: 'application/json',
      'anthropic-version': ANTHROPIC_VERSION,
      ...(config.apiKey ? { 'x-api-key': config.apiKey } : {}),
    };
  }

  async complete(call: ChatCall): Promise<Completion> {
    const body = JSON.stringify(convertToAnthropicRequest(call.request, false));
    const response = await this.client.post('/v1/messages', body, this.headers, { signal: call.signal, stream: false });
    let message: AnthropicMessage & { type?: string };
    try {
      message = JSON.parse(await response.body.text()) as typeof message;
    } catch (error) {
      if (error instanceof SyntaxError) throw new UpstreamError('anthropic', 'protocol', 'anthropic answered with something that is not JSON');
      throw this.client.translate(error, 'during');
    }
    if (message.type !== 'message') throw new UpstreamError('anthropic', 'protocol', 'anthropic answered 200 without a message');
    const { completion, usage, finishReason } = convertAnthropicResponse(message);
    const outcome = newOutcome();
    outcome.usage = usage;
    outcome.finishReason = finishReason;
    outcome.upstreamModel = message.model;
    return { body: JSON.stringify(completion), outcome };
  }

  async stream(call: ChatCall): Promise<ChunkStream> {
    const body = JSON.stringify(convertToAnthropicRequest(call.request, true));
    const response = await this.client.post('/v1/messages', body, { ...this.headers, accept: 'text/event-stream' }, { signal: call.signal, stream: true });
    const outcome = newOutcome();
    const client = this.client;
    async function* chunks() {
      try {
        yield* translateAnthropicStream(readSse(response.body), outcome, 'anthropic');
      } catch (error) {
        throw client.translate(error, 'during');
      }
    }
    return { chunks: chunks(), outcome };
  }

  /**
   * A Messages request as the client wrote it: its body's bytes and its own anthropic-version and
   * anthropic-beta headers, with only the key ours (Anthropic's format both ways: nothing to
   * translate, nothing lost). Resolves with Anthropic's answer once it is 2xx; an error status
   * throws an UpstreamError that carries Anthropic's answer, for the client to get as it was.
   */
  passThrough(call: { path: string; body: string; headers: Record<string, string>; stream: boolean; signal: AbortSignal }): Promise<UpstreamResponse> {
    return this.client.post(call.path, call.body, { ...this.headers, ...call.headers, accept: call.stream ? 'text/event-stream' : 'application/json' }, { signal: call.signal, stream: call.stream });
  }

  listModels(signal: AbortSignal): Promise<ProviderModel[]> {
    return listAnthropicModels(this.client, { ...this.headers, accept: 'application/json' }, signal);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
