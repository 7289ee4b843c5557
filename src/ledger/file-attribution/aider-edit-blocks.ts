import { byteLength, type FileWrite } from './observed-answer.js';

/**
 * Aider's edits, read from its reply text as Aider itself reads them (Aider-AI/aider,
 * aider/coders/editblock_coder.py and wholefile_coder.py): SEARCH/REPLACE blocks, in both the
 * `diff` format (the path alone on the line before the fence) and `diff-fenced` (the path as the
 * first line inside it), and the `whole` format's file listings (a path line, then a fence with
 * the whole file). Only the path and the size of what is written are kept.
 */

const FENCE = '```';
const SEARCH = /^<{5,9} SEARCH>?\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const REPLACE = /^>{5,9} REPLACE\s*$/;
/** Aider's own limit on a whole-format path (issue #1232): a longer "path" is prose. */
const MAX_PATH = 250;

/** The files a reply's SEARCH/REPLACE blocks edit, each with the bytes of its REPLACE section (an empty SEARCH makes a new file). */
export function searchReplaceWrites(text: string): FileWrite[] {
  if (!text.includes('REPLACE')) return [];
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const writes: FileWrite[] = [];
  // A block with no path of its own edits the file of the block before it, as in Aider.
  let current: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    if (!SEARCH.test((lines[index] as string).trim())) continue;
    const path = findFilename(lines.slice(Math.max(0, index - 3), index)) ?? current;
    let divider = index + 1;
    while (divider < lines.length && !DIVIDER.test((lines[divider] as string).trim())) divider++;
    if (divider >= lines.length) break;
    let end = divider + 1;
    while (end < lines.length && !REPLACE.test((lines[end] as string).trim()) && !DIVIDER.test((lines[end] as string).trim())) end++;
    if (end >= lines.length) break; // cut off before its end: Aider applies nothing of it
    if (path) writes.push({ path, bytes: byteLength(lines.slice(divider + 1, end).join('\n')) });
    current = path;
    index = end;
  }
  return writes;
}

/**
 * The files of a `whole`-format reply: each fenced block preceded by a line naming its file.
 * A block with no name (Aider would give it to the one file in the chat, which the daemon
 * can't see) is skipped, as is a "name" with spaces in it (prose before an example).
 */
export function wholeFileWrites(text: string): FileWrite[] {
  if (!text.includes(FENCE)) return [];
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  const writes: FileWrite[] = [];
  let path: string | undefined;
  let inBlock = false;
  let bytes = 0;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] as string;
    if (line.startsWith(FENCE)) {
      if (inBlock) {
        if (path) writes.push({ path, bytes });
        inBlock = false;
        path = undefined;
        continue;
      }
      inBlock = true;
      bytes = 0;
      const name = index > 0 ? cleanWholeName(lines[index - 1] as string) : '';
      path = name && name.length <= MAX_PATH && !/\s/.test(name) ? name : undefined;
      continue;
    }
    if (inBlock) bytes += byteLength(line) + 1;
  }
  // A reply cut off inside its last block: Aider writes what it has.
  if (inBlock && path) writes.push({ path, bytes });
  return writes;
}

/** wholefile_coder.py: strip, `*` off both ends, `:` off the end, backticks, a leading `#`. */
function cleanWholeName(line: string): string {
  let name = line.trim();
  name = trimChars(name, '*');
  name = name.replace(/:+$/, '');
  name = trimChars(name, '`');
  name = name.replace(/^#+/, '');
  return name.trim();
}

/**
 * editblock_coder.py's find_filename: back from the SEARCH line through at most three lines, as
 * long as they are fences; the first name with a dot in it wins, else the first name.
 */
function findFilename(before: string[]): string | undefined {
  const names: string[] = [];
  for (const line of before.reverse()) {
    const name = stripFilename(line);
    if (name) names.push(name);
    if (!line.startsWith(FENCE)) break;
  }
  return names.find((name) => name.includes('.')) ?? names[0];
}

/** editblock_coder.py's strip_filename. */
function stripFilename(line: string): string | undefined {
  let name = line.trim();
  if (name === '...') return undefined;
  if (name.startsWith(FENCE)) {
    // A fence that names its file (```path/to/file.py): a language alone is no file.
    const candidate = name.slice(FENCE.length);
    return candidate && (candidate.includes('.') || candidate.includes('/')) ? candidate : undefined;
  }
  name = name.replace(/:+$/, '');
  name = name.replace(/^#+/, '');
  name = name.trim();
  name = trimChars(name, '`');
  name = trimChars(name, '*');
  name = name.replaceAll('\\_', '_'); // a Markdown-escaped underscore
  return name && name.length <= MAX_PATH ? name : undefined;
}

function trimChars(text: string, character: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === character) start++;
  while (end > start && text[end - 1] === character) end--;
  return text.slice(start, end);
}
