import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { replayChunks } from '../../cache/stream-assembler.js';
import type { CachedAnswer } from '../../cache/response-cache.js';
import { newOutcome } from '../../providers/spec/provider.js';
import type { DispatchResult } from './candidate-loop.js';
import { StreamWriter } from './stream-writer.js';

/**
 * Answers from the cache, streamed or not, exactly as the original answer was (its content,
 * tool calls, finish reason and usage), with x-lodestar-cache: hit. `finished` runs before the
 * last byte, as for any answer, so the ledger records the hit (at $0, with its savings).
 */
export function serveCached(
  response: ServerResponse,
  answer: CachedAnswer,
  options: { stream: boolean; includeUsage: boolean; arrivedAt: number },
  finished: (result: DispatchResult) => void,
): void {
  const candidate = { id: answer.model, provider: answer.provider, model: answer.model.slice(answer.model.indexOf('/') + 1) };
  const outcome = { ...newOutcome(), usage: answer.usage, finishReason: answer.finishReason };
  const headers = {
    'x-lodestar-model': answer.model,
    'x-lodestar-provider': answer.provider,
    'x-lodestar-cache': 'hit',
    'x-lodestar-overhead-ms': (performance.now() - options.arrivedAt).toFixed(3),
  };
  const result = (firstByteAt: number | undefined): DispatchResult => ({
    status: 'ok',
    httpStatus: 200,
    candidate,
    outcome,
    error: undefined,
    fallbacks: [],
    firstByteAt,
    overheadMs: performance.now() - options.arrivedAt,
  });
  if (!options.stream) {
    finished(result(undefined));
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(answer.completion)), ...headers });
    response.end(answer.completion);
    return;
  }
  const writer = new StreamWriter(response);
  writer.open(headers);
  const firstByteAt = performance.now();
  for (const chunk of replayChunks(answer.completion, options.includeUsage)) void writer.write(chunk);
  finished(result(firstByteAt));
  writer.done();
}
