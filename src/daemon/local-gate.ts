import { QueueAbortedError, type LocalQueue } from '../gpu/local-queue.js';
import type { FillCall, FillStream, FillText } from '../providers/spec/fill-request.js';
import type { CallOutcome, ChatCall, ChatProvider, ChunkStream, Completion } from '../providers/spec/provider.js';
import { UpstreamError } from '../providers/spec/upstream-error.js';

/**
 * Ollama's provider, with each request waiting for its model's turn on the GPU (LocalQueue)
 * before it goes, and holding it until its answer is whole, fails or is abandoned: chat, and
 * fill-in-the-middle alike. A request cancelled while it waits never reaches Ollama.
 */
export function gateProvider(queue: LocalQueue, provider: ChatProvider): ChatProvider {
  const acquire = async (model: string, signal: AbortSignal): Promise<() => void> => {
    try {
      return await queue.acquire(model, signal);
    } catch (error) {
      if (error instanceof QueueAbortedError) throw new UpstreamError('ollama', 'aborted', error.message);
      throw error;
    }
  };
  /** A whole answer, its model's turn held while it runs. */
  const whole = async <Result>(model: string, signal: AbortSignal, run: () => Promise<Result>): Promise<Result> => {
    const release = await acquire(model, signal);
    try {
      return await run();
    } finally {
      release();
    }
  };
  /** A stream, its model's turn held until it ends, fails or is abandoned. */
  const streamed = async <Stream extends { outcome: CallOutcome }, Item>(model: string, signal: AbortSignal, open: () => Promise<Stream>, items: (stream: Stream) => AsyncIterator<Item>, rebuild: (stream: Stream, items: AsyncIterator<Item>) => Stream): Promise<Stream> => {
    const release = await acquire(model, signal);
    // The stream may be abandoned without being read to its end: the abort releases too.
    signal.addEventListener('abort', release, { once: true });
    let upstream: Stream;
    try {
      upstream = await open();
    } catch (error) {
      release();
      throw error;
    }
    const source = items(upstream);
    // A plain iterator rather than a generator: one less promise hop per chunk.
    const gated: AsyncIterator<Item> = {
      async next() {
        try {
          const result = await source.next();
          if (result.done) release();
          return result;
        } catch (error) {
          release();
          throw error;
        }
      },
    };
    return rebuild(upstream, gated);
  };
  const gated: ChatProvider = {
    id: provider.id,
    kind: provider.kind,
    complete: (call: ChatCall): Promise<Completion> => whole(call.request.model, call.signal, () => provider.complete(call)),
    stream: (call: ChatCall): Promise<ChunkStream> =>
      streamed(call.request.model, call.signal, () => provider.stream(call), (upstream) => upstream.chunks, (upstream, chunks): ChunkStream => ({ chunks, outcome: upstream.outcome })),
    close: () => provider.close(),
  };
  const fill = provider.fill?.bind(provider);
  const fillStream = provider.fillStream?.bind(provider);
  if (fill) gated.fill = (call: FillCall): Promise<FillText> => whole(call.request.model, call.signal, () => fill(call));
  if (fillStream) {
    gated.fillStream = (call: FillCall): Promise<FillStream> =>
      streamed(call.request.model, call.signal, () => fillStream(call), (upstream) => upstream.pieces, (upstream, pieces): FillStream => ({ pieces, outcome: upstream.outcome }));
  }
  return gated;
}
