import { HttpError } from '../../shared/http-error.js';
import { isObject, typeName } from '../chat/json-shape.js';

/**
 * When the client sets no max_tokens: a line or a short block, what inline completion tools ask
 * for (llama.vscode's n_predict is 128; reference/vscode-extension.md 3.4). OpenAI's own default
 * for this endpoint, 16, cuts most completions of a block short.
 */
export const DEFAULT_COMPLETION_TOKENS = 128;

/** The most stop sequences OpenAI takes. */
const MAX_STOPS = 4;

/** A legacy Completions request (OpenAI's /v1/completions), as the daemon serves it: fill in the middle, one answer. */
export interface CompletionRequest {
  model: string;
  /** The text before the cursor. */
  prompt: string;
  /** The text after the cursor; undefined or empty: a plain continuation. */
  suffix: string | undefined;
  /** As the client asked; undefined: DEFAULT_COMPLETION_TOKENS. */
  maxTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  presencePenalty: number | undefined;
  frequencyPenalty: number | undefined;
  stop: string[] | undefined;
  seed: number | undefined;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with the usage. */
  includeUsage: boolean;
}

/**
 * Checks a /v1/completions body the way OpenAI's API does, answering 400 with the field at fault
 * (`param`), and refuses, naming it, what Lodestar can't honour rather than ignore it: several
 * prompts or choices (`n`, `best_of`), `echo`, `logprobs`, `logit_bias`, token arrays. Fields it
 * does not know are ignored, as the other endpoints do (clients add their own).
 */
export function validateCompletionRequest(body: unknown): CompletionRequest {
  if (!isObject(body)) throw invalid('', `The request body must be a JSON object, got ${typeName(body)}`);
  if (typeof body.model !== 'string' || body.model.trim() === '') {
    throw invalid('model', body.model === undefined ? "Missing required parameter: 'model'" : `'model' must be a non-empty string, got ${typeName(body.model)}`);
  }
  const prompt = promptOf(body.prompt);
  const suffix = body.suffix;
  if (suffix !== undefined && suffix !== null && typeof suffix !== 'string') throw invalid('suffix', `'suffix' must be a string, got ${typeName(suffix)}`);

  refuseUnless(body, 'n', (value) => value === 1, "Lodestar answers one completion per request: 'n' must be 1");
  refuseUnless(body, 'best_of', (value) => value === 1, "Lodestar answers one completion per request and can't rank several: 'best_of' must be 1");
  refuseUnless(body, 'echo', (value) => value === false, "'echo' is not supported: the answer is the completion alone, never the prompt with it");
  refuseUnless(body, 'logprobs', () => false, "'logprobs' is not supported: local models through Ollama don't give log probabilities here");
  refuseUnless(body, 'logit_bias', (value) => isObject(value) && Object.keys(value).length === 0, "'logit_bias' is not supported: it biases OpenAI's token ids, which mean nothing to a local model");

  const stream = optionalBoolean(body, 'stream') ?? false;
  let includeUsage = false;
  if (body.stream_options !== undefined && body.stream_options !== null) {
    if (!isObject(body.stream_options)) throw invalid('stream_options', `'stream_options' must be an object, got ${typeName(body.stream_options)}`);
    includeUsage = optionalBoolean(body.stream_options, 'include_usage', 'stream_options.') ?? false;
  }
  const maxTokens = body.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null && (typeof maxTokens !== 'number' || !Number.isInteger(maxTokens) || maxTokens < 1)) {
    throw invalid('max_tokens', `'max_tokens' must be a whole number of at least 1, got ${typeof maxTokens === 'number' ? maxTokens : typeName(maxTokens)}`);
  }
  const seed = body.seed;
  if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isInteger(seed))) throw invalid('seed', `'seed' must be a whole number, got ${typeName(seed)}`);
  if (body.user !== undefined && body.user !== null && typeof body.user !== 'string') throw invalid('user', `'user' must be a string, got ${typeName(body.user)}`);

  return {
    model: body.model,
    prompt,
    suffix: typeof suffix === 'string' ? suffix : undefined,
    maxTokens: typeof maxTokens === 'number' ? maxTokens : undefined,
    temperature: range(body, 'temperature', 0, 2),
    topP: range(body, 'top_p', 0, 1),
    presencePenalty: range(body, 'presence_penalty', -2, 2),
    frequencyPenalty: range(body, 'frequency_penalty', -2, 2),
    stop: stopOf(body.stop),
    seed: typeof seed === 'number' ? seed : undefined,
    stream,
    includeUsage: stream && includeUsage,
  };
}

/** A string, or an array of exactly one string (what some clients send for one prompt). */
function promptOf(prompt: unknown): string {
  if (typeof prompt === 'string') return prompt;
  if (prompt === undefined) throw invalid('prompt', "Missing required parameter: 'prompt'");
  if (Array.isArray(prompt) && prompt.length === 1 && typeof prompt[0] === 'string') return prompt[0];
  if (Array.isArray(prompt) && prompt.length > 1 && prompt.every((entry) => typeof entry === 'string')) {
    throw invalid('prompt', `'prompt' must be one string: Lodestar completes one prompt per request, got ${prompt.length}`, 'unsupported_parameter');
  }
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((entry) => typeof entry === 'number' || Array.isArray(entry))) {
    throw invalid('prompt', "'prompt' must be a string: token ids are OpenAI's tokenizer's, which a local model does not share", 'unsupported_parameter');
  }
  throw invalid('prompt', `'prompt' must be a string (or an array of one string), got ${typeName(prompt)}`);
}

function stopOf(stop: unknown): string[] | undefined {
  if (stop === undefined || stop === null) return undefined;
  if (typeof stop === 'string') return [stop];
  if (!Array.isArray(stop) || !stop.every((entry) => typeof entry === 'string')) throw invalid('stop', `'stop' must be a string or an array of strings, got ${typeName(stop)}`);
  if (stop.length > MAX_STOPS) throw invalid('stop', `'stop' takes at most ${MAX_STOPS} sequences, got ${stop.length}`);
  return stop.length ? (stop as string[]) : undefined;
}

/** A field Lodestar can't honour: absent, null or its one harmless value passes; anything else is a 400 naming it. */
function refuseUnless(body: Record<string, unknown>, key: string, harmless: (value: unknown) => boolean, message: string): void {
  const value = body[key];
  if (value === undefined || value === null || harmless(value)) return;
  throw invalid(key, `${message} (got ${JSON.stringify(value)?.slice(0, 40) ?? typeName(value)})`, 'unsupported_parameter');
}

function optionalBoolean(object: Record<string, unknown>, key: string, prefix = ''): boolean | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(`${prefix}${key}`, `'${prefix}${key}' must be a boolean, got ${typeName(value)}`);
  return value;
}

function range(object: Record<string, unknown>, key: string, low: number, high: number): number | undefined {
  const value = object[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(key, `'${key}' must be a number, got ${typeName(value)}`);
  if (value < low || value > high) throw invalid(key, `'${key}' must be between ${low} and ${high}, got ${value}`);
  return value;
}

function invalid(param: string, message: string, code = 'invalid_request'): HttpError {
  return new HttpError(400, message, { param: param || null, code });
}
