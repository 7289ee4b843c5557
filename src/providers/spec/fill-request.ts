import type { CallOutcome } from './provider.js';

/**
 * One fill-in-the-middle request in the provider's terms: the text before the cursor, the text
 * after it, and the sampling. The upstream's own template puts them in the model's FIM format.
 */
export interface FillRequest {
  /** The upstream's own model id (no provider prefix). */
  model: string;
  /** The text before the cursor. */
  prompt: string;
  /** The text after it; empty or absent: a plain continuation of the prompt. */
  suffix: string | undefined;
  /** The most tokens to write (already within the model's limits). */
  maxTokens: number;
  temperature?: number;
  topP?: number;
  /** Up to 4 sequences that end the answer (not included in it). */
  stop?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
}

export interface FillCall {
  request: FillRequest;
  /** Hang up on the upstream when our client goes away (an editor cancels at the next keystroke). */
  signal: AbortSignal;
}

/** A whole answer: the text that goes at the cursor. */
export interface FillText {
  text: string;
  outcome: CallOutcome;
}

/**
 * A streamed answer: pieces of text in order. Ends normally after the last piece (outcome then
 * complete); throws an UpstreamError when the upstream fails mid-stream.
 */
export interface FillStream {
  pieces: AsyncIterator<string>;
  outcome: CallOutcome;
}
