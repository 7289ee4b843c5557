import type { ServerResponse } from 'node:http';
import { SseParser, type SseEvent } from '../../providers/http/sse.js';
import type { OpenAICompatibleProvider } from '../../providers/openai-compatible/openai-compatible-provider.js';
import { convertResponsesUsage, isOwnEncryptedReasoning, OWN_REASONING_PREFIX } from '../../providers/responses/response-fields.js';
import type { CallOutcome } from '../../providers/spec/provider.js';
import type { OutputCeiling } from '../../router/model-limits.js';
import type { AnswerObserver } from '../chat/answer-capture.js';
import type { Attempt, DispatchResult } from '../chat/candidate-loop.js';
import { relayPassThrough, type PassThroughFormat, type SideReader } from '../chat/pass-through-relay.js';

export interface ResponsesPassThroughInput {
  /** The client's body, byte for byte. */
  raw: string;
  requestedModel: string;
  stream: boolean;
  /** The client's own OpenAI-Beta header, if any. */
  headers: Record<string, string>;
  response: ServerResponse;
  extraHeaders: Record<string, string>;
  /** max_output_tokens lowered to what this model can write, when the client asked for more. */
  ceiling: OutputCeiling | undefined;
  /** Reads the answer as it goes out, for the files it edits. */
  observer?: AnswerObserver | undefined;
}

/** An unnamed event's data that is the start or an end (OpenAI writes `type` first). */
const OPENING_OR_END = /^\{"type":"response\.(created|completed|incomplete|failed)"/;

/** The events that end a Responses stream: the ledger is written before they go out. */
const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/**
 * An OpenAI candidate for a Responses request: the request goes to OpenAI's /responses as the
 * client sent it, and the answer comes back as OpenAI sent it, byte for byte, read on the side
 * for its usage (input with its cached part, output with its reasoning part) and status. The
 * ledger has the request before the stream's terminal event goes out.
 */
export async function responsesPassThroughAttempt(attempt: Attempt, input: ResponsesPassThroughInput, finished: (result: DispatchResult) => void): Promise<void> {
  const provider = attempt.provider as OpenAICompatibleProvider;
  const body = forOpenAI(input.raw, input.requestedModel, attempt.candidate.model, input.ceiling?.maxTokens);
  const upstream = await provider.passThrough({ path: '/responses', body, headers: input.headers, stream: input.stream, signal: attempt.signal });
  await relayPassThrough(attempt, upstream, { stream: input.stream, response: input.response, extraHeaders: input.extraHeaders, observer: input.observer }, RESPONSES_FORMAT, finished);
}

/** OpenAI's Responses format, as a pass-through reads and ends it. */
const RESPONSES_FORMAT: PassThroughFormat = {
  provider: 'openai',
  relayedHeaders: ['x-request-id'],
  readWhole: (text, outcome) => {
    readResponse(text, outcome);
    return outcome.finishReason === 'failed' ? 'error' : 'ok';
  },
  reader: (outcome) => new ResponsesScanner(outcome),
  errorFrame: (reader, message) => failedEvent(reader as ResponsesScanner, message),
  terminal: 'response.completed',
};

/**
 * The body for OpenAI: the client's bytes, unless the router chose another OpenAI model, the
 * ask must be lowered to the model's output limit, or the history holds reasoning items whose
 * encrypted_content is Lodestar's own (a DeepSeek turn's reasoning carried through the client),
 * which OpenAI would refuse as invalid_encrypted_content: those items are left out.
 */
export function forOpenAI(raw: string, requested: string, model: string, maxOutputTokens?: number): string {
  const own = raw.includes(OWN_REASONING_PREFIX);
  if (maxOutputTokens === undefined && !own) {
    if (model === requested) return raw;
    // Only the model's name changes ("openai/gpt-5" to "gpt-5"): swapped in place when it appears once, as the client wrote it.
    const field = `"model":${JSON.stringify(requested)}`;
    const at = raw.indexOf(field);
    if (at !== -1 && raw.indexOf(field, at + 1) === -1) return `${raw.slice(0, at)}"model":${JSON.stringify(model)}${raw.slice(at + field.length)}`;
  }
  const parsed = JSON.parse(raw) as { model?: string; max_output_tokens?: number; input?: unknown };
  parsed.model = model;
  if (maxOutputTokens !== undefined) parsed.max_output_tokens = maxOutputTokens;
  if (own && Array.isArray(parsed.input)) {
    parsed.input = parsed.input.filter((item: { type?: unknown; encrypted_content?: unknown }) => !(item?.type === 'reasoning' && isOwnEncryptedReasoning(item.encrypted_content)));
  }
  return JSON.stringify(parsed);
}

/** A whole response object's usage, status and model, for the ledger. */
function readResponse(text: string, outcome: CallOutcome): void {
  try {
    readTerminal(JSON.parse(text) as ResponseFields, outcome);
  } catch {
    // not JSON: passed on as it is, with no usage known
  }
}

interface ResponseFields {
  id?: string;
  model?: string;
  status?: string;
  usage?: unknown;
  error?: { code?: string; message?: string } | null;
}

function readTerminal(response: ResponseFields, outcome: CallOutcome): void {
  outcome.usage = convertResponsesUsage(response.usage) ?? outcome.usage;
  outcome.finishReason = response.status;
  if (typeof response.model === 'string') outcome.upstreamModel = response.model;
}

/**
 * Reads OpenAI's Responses stream as it passes, with the SSE parser every stream uses: the
 * response's id and model from response.created, and usage and status from the terminal event.
 * Events go by their name, or by the `type` their data opens with where a stream names none;
 * only the start and the end are parsed, so a text that mentions an event's name is no event.
 */
export class ResponsesScanner implements SideReader {
  private readonly outcome: CallOutcome;
  private readonly parser = new SseParser((event) => this.read(event));
  private terminal: string | undefined;
  responseId: string | undefined;
  failure: string | undefined;

  constructor(outcome: CallOutcome) {
    this.outcome = outcome;
  }

  /** The response's outcome once this chunk completes its terminal event: response.failed is an error. */
  push(chunk: Buffer): 'ok' | 'error' | undefined {
    this.parser.push(chunk);
    return this.terminal === undefined ? undefined : this.terminal === 'response.failed' ? 'error' : 'ok';
  }

  private read(event: SseEvent): void {
    const named = event.event;
    if (named ? named !== 'response.created' && !TERMINAL.has(named) : !OPENING_OR_END.test(event.data)) return;
    try {
      const payload = JSON.parse(event.data) as { type?: string; response?: ResponseFields };
      const type = named || payload.type || '';
      if (type === 'response.created') {
        this.responseId = payload.response?.id;
        if (typeof payload.response?.model === 'string') this.outcome.upstreamModel = payload.response.model;
      } else if (TERMINAL.has(type)) {
        if (payload.response) readTerminal(payload.response, this.outcome);
        if (type === 'response.failed') this.failure = `openai: ${payload.response?.error?.message ?? 'the response failed'}`;
        this.terminal = type;
      }
    } catch {
      // not JSON: relayed all the same
    }
  }
}

/** The event that ends a stream broken after it began: response.failed, which Codex retries. */
function failedEvent(scanner: ResponsesScanner, message: string): string {
  const response = { id: scanner.responseId ?? 'resp_lodestar_failed', object: 'response', status: 'failed', error: { code: 'server_error', message }, output: [], usage: null };
  return `event: response.failed\ndata: ${JSON.stringify({ type: 'response.failed', sequence_number: 0, response })}\n\n`;
}
