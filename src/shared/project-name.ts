import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, parse as parsePath } from 'node:path';

export const PROJECT_CONFIG_NAME = '.lodestarrc';

/** A project's name: 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit. */
export const PROJECT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The folder holding .git (a folder in a repository, a file in a worktree or submodule), walking up. */
export function gitRoot(cwd: string): string | undefined {
  let folder = cwd;
  for (;;) {
    if (existsSync(join(folder, '.git'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/**
 * The name of a project that does not name itself: the git root's folder name, else this
 * folder's, made into a valid name. The CLI and the VS Code extension both go by it, so a
 * workspace and `lodestar aider` run in it are the same project.
 */
export function defaultProjectName(cwd: string): string {
  const root = gitRoot(cwd) ?? cwd;
  const name = basename(root).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return name || 'default';
}

/** The nearest .lodestarrc, walking up from `start` to the filesystem root. */
export function findProjectConfig(start: string): string | undefined {
  let folder = start;
  const root = parsePath(folder).root;
  for (;;) {
    const candidate = join(folder, PROJECT_CONFIG_NAME);
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here: keep walking up
    }
    if (folder === root) return undefined;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}
