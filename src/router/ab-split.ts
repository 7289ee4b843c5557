/**
 * Which arm of an A/B experiment a session belongs to: a stable hash (FNV-1a, 32 bits) of the
 * experiment and the session, so that a session stays in one arm for its whole life, and the
 * arms split the sessions as `split` says (the percentage that goes to arm a).
 */
export function armFor(experiment: string, session: string, split: number): 'a' | 'b' {
  let hash = 0x811c9dc5;
  const text = `${experiment}\u0000${session}`;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 10_000 < split * 100 ? 'a' : 'b';
}

/**
 * Aider's answer to an edit that did not apply, as the next request of the session carries it:
 * "# 1 SEARCH/REPLACE block failed to match!" (editblock_coder.py), or, for the whole and udiff
 * formats, "UnifiedDiffNoMatch" / "did not apply".
 */
export function isFailedEditReply(text: string): boolean {
  return /SEARCH\/REPLACE blocks? failed to match|SearchReplaceNoExactMatch|UnifiedDiffNoMatch|hunks? failed to apply/.test(text);
}
