import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../shared/errors.js';

const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** --project, else .lodestarrc's project, else the git root's folder name, else this folder's. */
export function resolveProject(explicit: string | undefined, configured: string | undefined, cwd: string): string {
  if (explicit !== undefined) {
    if (!PROJECT_NAME.test(explicit)) throw new UsageError(`--project must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit, got ${JSON.stringify(explicit)}`);
    return explicit;
  }
  if (configured) return configured;
  const root = gitRoot(cwd) ?? cwd;
  const name = basename(root).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return name || 'default';
}

export function gitRoot(cwd: string): string | undefined {
  let folder = cwd;
  for (;;) {
    const marker = join(folder, '.git');
    // A folder in a repository, a file in a worktree or submodule.
    if (existsSync(marker)) return folder;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

