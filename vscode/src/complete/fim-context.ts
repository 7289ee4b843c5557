import type { FimRequest } from './scheduler.js';

/** How much text around the cursor goes with a request: enough for a small model, bounded for latency. */
export const PREFIX_CHARS = 6000;
export const SUFFIX_CHARS = 2000;

/**
 * The prefix and suffix around the cursor at `offset`, or undefined where a completion would
 * only get in the way: with real code right of the cursor on its
 * line (closing brackets, quotes and punctuation are fine: the completion goes before them).
 */
export function fimRequest(text: string, offset: number): FimRequest | undefined {
  const lineEnd = text.indexOf('\n', offset);
  const restOfLine = text.slice(offset, lineEnd === -1 ? text.length : lineEnd);
  if (/[^\s)\]}'"`;:,.]/.test(restOfLine)) return undefined;
  const prefix = text.slice(Math.max(0, offset - PREFIX_CHARS), offset);
  if (prefix.trim() === '') return undefined;
  return { prefix, suffix: text.slice(offset, offset + SUFFIX_CHARS) };
}

/** What to show of a completion: nothing for blank text, and no trailing blank lines. */
export function ghostText(completion: string | undefined): string | undefined {
  if (completion === undefined) return undefined;
  const trimmed = completion.replace(/\s+$/, '');
  return trimmed.trim() === '' ? undefined : trimmed;
}
