import type { FileShare } from '../request-event.js';
import { searchReplaceWrites, wholeFileWrites } from './aider-edit-blocks.js';
import { byteLength, type FileWrite, type ObservedAnswer } from './observed-answer.js';
import { projectPath } from './project-path.js';
import { toolCallWrites } from './tool-call-writes.js';

/** At most this many files an event: an answer touching more gives its cost to its heaviest ones. */
export const MAX_FILES_PER_EVENT = 32;
/** Shares are kept to a millionth: enough for any cost, short in the ledger. */
const PRECISION = 1e6;

export interface AttributionOptions {
  /** The project's root folder, when the daemon knows it (a registered .lodestarrc). */
  root: string | undefined;
  /** The request asked for Aider's `whole` format: the reply's fenced file listings are edits too. */
  wholeFileBlocks?: boolean;
}

/**
 * The files an answer edited and each one's share of its cost, from what it wrote: tool calls
 * (Write, Edit, apply_patch, shell redirections, ...) and Aider's edit blocks in its text. A
 * file's weight is the bytes of new text written to it plus the bytes of its path (every edit
 * names its file; a deleted file still weighs its name); shares are the weights over their sum,
 * rounded to a millionth, the largest taking the rounding so that they add up to 1. Undefined
 * when the answer edited no file inside the project.
 */
export function attributeFiles(answer: ObservedAnswer, options: AttributionOptions): FileShare[] | undefined {
  const writes: FileWrite[] = [...searchReplaceWrites(answer.text)];
  if (options.wholeFileBlocks && writes.length === 0) writes.push(...wholeFileWrites(answer.text));
  for (const call of answer.calls) writes.push(...toolCallWrites(call));
  if (!writes.length) return undefined;

  const weights = new Map<string, number>();
  for (const write of writes) {
    const path = projectPath(write.path, options.root);
    if (path === undefined) continue;
    weights.set(path, (weights.get(path) ?? 0) + write.bytes + byteLength(path));
  }
  if (!weights.size) return undefined;
  const kept = [...weights].sort(([pathA, a], [pathB, b]) => b - a || (pathA < pathB ? -1 : 1)).slice(0, MAX_FILES_PER_EVENT);
  const total = kept.reduce((sum, [, weight]) => sum + weight, 0);
  const files = kept.map(([path, weight]) => ({ path, share: Math.max(1, Math.round((weight / total) * PRECISION)) / PRECISION }));
  const rest = files.slice(1).reduce((sum, file) => sum + Math.round(file.share * PRECISION), 0);
  (files[0] as FileShare).share = (PRECISION - rest) / PRECISION;
  return files;
}
