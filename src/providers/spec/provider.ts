import type { ProviderId, ProviderKind } from '../../shared/provider-ids.js';
import type { ChatCompletionRequest } from './chat-request.js';
import type { FillCall, FillStream, FillText } from './fill-request.js';
import type { Usage } from './usage.js';

export interface ChatCall {
  /** The client's body, with `model` already the upstream's own id (no provider prefix). */
  request: ChatCompletionRequest;
  /** Hang up on the upstream when our client goes away. */
  signal: AbortSignal;
}

/** What a call found out besides the content: filled in as a stream goes. */
export interface CallOutcome {
  usage: Usage;
  finishReason: string | undefined;
  /** The model the upstream says answered (may be a dated snapshot of the requested id). */
  upstreamModel: string | undefined;
  /** Ollama: how long loading the model took, queue wait included. */
  loadDurationMs: number | undefined;
}

export interface Completion {
  /** The OpenAI chat.completion JSON to send to the client, as text. */
  body: string;
  outcome: CallOutcome;
}

export interface StreamChunk {
  /** One OpenAI chat.completion.chunk, serialized (the payload of a `data:` line). */
  data: string;
  /** The trailing usage-only chunk (choices empty): sent only to clients that asked for usage. */
  usageOnly?: boolean;
}

export interface ChunkStream {
  /**
   * OpenAI chunks in order. Ends normally after the last chunk; throws an UpstreamError when
   * the upstream fails mid-stream. The gateway writes the final `data: [DONE]` itself.
   */
  chunks: AsyncIterator<StreamChunk>;
  outcome: CallOutcome;
}

/** What a provider's own model list says of one model: its limits, where it gives them. */
export interface ProviderModel {
  /** The upstream's own id. */
  model: string;
  contextWindow?: number;
  maxOutputTokens?: number;
}

/**
 * One upstream. `stream` resolves once the upstream accepted the request (status 200), so a
 * refusal still counts as a failure before the first byte, and the caller can try the next
 * candidate. Both methods throw UpstreamError.
 */
export interface ChatProvider {
  readonly id: ProviderId;
  readonly kind: ProviderKind;
  complete(call: ChatCall): Promise<Completion>;
  stream(call: ChatCall): Promise<ChunkStream>;
  /** The provider's model list, where it states limits (Anthropic, OpenRouter); absent where it doesn't. */
  listModels?(signal: AbortSignal): Promise<ProviderModel[]>;
  /** Fill in the middle (POST /v1/completions), where the provider can (Ollama's /api/generate with a suffix). */
  fill?(call: FillCall): Promise<FillText>;
  /** The same, streamed; resolves once the upstream accepted the request, as `stream` does. */
  fillStream?(call: FillCall): Promise<FillStream>;
  close(): Promise<void>;
}

export function newOutcome(): CallOutcome {
  return { usage: {}, finishReason: undefined, upstreamModel: undefined, loadDurationMs: undefined };
}
