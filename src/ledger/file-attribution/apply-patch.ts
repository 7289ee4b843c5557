import { byteLength, type FileWrite } from './observed-answer.js';

/**
 * The files a Codex patch touches (openai/codex, codex-rs/apply-patch/apply_patch_tool_instructions.md;
 * opencode's apply_patch takes the same envelope):
 *
 *   *** Begin Patch
 *   *** Add File: <path>            then + lines: the new file
 *   *** Update File: <path>         [*** Move to: <new path>] then @@ hunks of " ", "-", "+" lines
 *   *** Delete File: <path>
 *   *** End Patch
 *
 * Each file's bytes are those of its `+` lines. A moved file counts under its new path only.
 */
export function applyPatchWrites(patch: string): FileWrite[] {
  const begin = patch.indexOf('*** Begin Patch');
  if (begin === -1) return [];
  const writes: FileWrite[] = [];
  let current: FileWrite | undefined;
  for (const raw of patch.slice(begin).split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.startsWith('*** ')) {
      const header = /^\*\*\* (Add File|Update File|Delete File|Move to): (.+)$/.exec(line);
      if (header) {
        const path = (header[2] as string).trim();
        if (header[1] === 'Move to' && current) {
          current.path = path;
          continue;
        }
        current = { path, bytes: 0 };
        writes.push(current);
        continue;
      }
      if (line.startsWith('*** End Patch')) break;
      continue; // *** End of File, *** Begin Patch
    }
    // The line without its "+", with its newline: as many bytes as it has with the "+".
    if (current && line.startsWith('+')) current.bytes += byteLength(line);
  }
  return writes.filter((write) => write.path !== '');
}
