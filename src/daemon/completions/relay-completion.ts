import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { FillCall, FillRequest, FillStream } from '../../providers/spec/fill-request.js';
import { TranslationError } from '../../providers/spec/translation-error.js';
import { COMPLETE_MODEL, FIM_MODEL_TO_PULL } from '../../router/fim-models.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { lodestarHeaders } from '../chat/dispatch.js';
import { StreamWriter } from '../chat/stream-writer.js';
import { TextCompletion } from './text-completion.js';

export interface CompletionRelay {
  /** The request for the upstream, without its model (each candidate's own) and output ceiling. */
  request: Omit<FillRequest, 'model' | 'maxTokens'>;
  /** What this candidate may be asked to write (the ask, lowered to its window). */
  maxTokens: number;
  stream: boolean;
  includeUsage: boolean;
  response: ServerResponse;
  /** Extra response headers (the budget's note). */
  headers: Record<string, string>;
}

/**
 * One candidate's try at a completion, answered in OpenAI's legacy Completions format. A
 * failure before the first byte is thrown for the candidate loop (the next candidate, or the
 * error); a model that turns out not to fill in the middle is passed over the same way, its
 * refusal said as a 400 naming `suffix` when no other can. Once the first piece is out, the
 * client going away hangs up on the upstream at once (an editor cancels at every keystroke).
 */
export async function completionAttempt(attempt: Attempt, relay: CompletionRelay, finished: (result: DispatchResult) => void): Promise<void> {
  const { candidate, provider } = attempt;
  if (!provider.fill || !provider.fillStream) throw new TranslationError('model', `${candidate.id} can't fill in the middle through Lodestar`);
  const call: FillCall = { request: { ...relay.request, model: candidate.model, maxTokens: relay.maxTokens }, signal: attempt.signal };
  const answer = new TextCompletion(candidate.model, relay.includeUsage);
  if (!relay.stream) {
    const whole = await refusalNamed(candidate.id, provider.fill(call));
    const readyAt = attempt.ready();
    const body = answer.body(whole.text, whole.outcome.finishReason, whole.outcome.usage);
    // The ledger first; the overhead header then counts it with the rest of Lodestar's time.
    finished({ status: 'ok', httpStatus: 200, candidate, outcome: whole.outcome, error: undefined, fallbacks: attempt.fallbacks, firstByteAt: undefined, overheadMs: attempt.overheadMs + (performance.now() - readyAt), body });
    relay.response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      ...lodestarHeaders(candidate, attempt.fallbacks, attempt.overheadMs + (performance.now() - readyAt)),
      ...relay.headers,
    });
    relay.response.end(body);
    return;
  }
  const upstream = await refusalNamed(candidate.id, provider.fillStream(call));
  const first = await upstream.pieces.next();
  const readyAt = attempt.ready();
  await relayPieces(attempt, relay, upstream, first, answer, readyAt, finished);
}

async function relayPieces(attempt: Attempt, relay: CompletionRelay, upstream: FillStream, first: IteratorResult<string>, answer: TextCompletion, readyAt: number, finished: (result: DispatchResult) => void): Promise<void> {
  const { candidate, fallbacks } = attempt;
  const writer = new StreamWriter(relay.response);
  const overheadMs = attempt.overheadMs + (performance.now() - readyAt);
  writer.open({ ...lodestarHeaders(candidate, fallbacks, overheadMs), ...relay.headers });
  const firstByteAt = performance.now();
  const result = (status: DispatchResult['status'], error?: string): DispatchResult => ({ status, httpStatus: 200, candidate, outcome: upstream.outcome, error, fallbacks, firstByteAt, overheadMs });
  try {
    if (!first.done) await writer.write(answer.piece(first.value));
    for (;;) {
      if (writer.clientGone) throw new UpstreamError(candidate.provider, 'aborted', 'the client went away');
      const next = await upstream.pieces.next();
      if (next.done) break;
      const wait = writer.write(answer.piece(next.value));
      if (wait) await wait;
    }
  } catch (error) {
    attempt.controller.abort();
    if (writer.clientGone || attempt.signal.aborted || (error instanceof UpstreamError && error.kind === 'aborted')) {
      finished(result('aborted', 'the client went away mid-stream'));
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    finished(result('error', message));
    writer.fail({ message: `${message} (after part of the completion was sent)`, type: 'api_error', code: 'upstream_failed_mid_stream' });
    return;
  }
  await writer.write(answer.finish(upstream.outcome.finishReason));
  if (answer.wantsUsage) await writer.write(answer.usage(upstream.outcome.usage));
  finished(result('ok'));
  writer.done();
}

/**
 * Ollama's refusal of a suffix for a model whose template takes none (400 "<model> does not
 * support insert"): a request the next candidate may serve, and otherwise a 400 naming `suffix`
 * that says what to use instead.
 */
async function refusalNamed<Answer>(id: string, answer: Promise<Answer>): Promise<Answer> {
  try {
    return await answer;
  } catch (error) {
    if (error instanceof UpstreamError && error.status === 400 && /does not support insert/.test(error.message)) {
      const said = error.message.replace(/^ollama answered 400: /, '');
      throw new TranslationError('suffix', `${id} can't fill in the middle: Ollama says "${said}" (its template takes no suffix). Use ${COMPLETE_MODEL}, or a model that can, such as ollama/${FIM_MODEL_TO_PULL}`);
    }
    throw error;
  }
}
