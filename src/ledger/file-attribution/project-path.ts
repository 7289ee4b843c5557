import { posix } from 'node:path';

/** Longer than this, a "path" is not one a tool wrote to. */
const MAX_PATH_BYTES = 1024;

/**
 * A path as the ledger keeps it: relative to the project's root, `.` and `..` resolved. With a
 * root known (the folder of the project's registered .lodestarrc), an absolute path under it
 * becomes relative, and a path outside it (absolute, or relative climbing above the root) is
 * dropped: the safe choice, as a project's report is about its own files and a path elsewhere
 * (a home folder, /tmp) says nothing about the project. With no root known, an absolute path is
 * kept as it is (normalized) and a relative one climbing out is dropped. Undefined: not kept.
 */
export function projectPath(raw: string, root: string | undefined): string | undefined {
  let path = raw.trim();
  if (path.startsWith('file://')) path = path.slice('file://'.length);
  if (path === '' || path.length > MAX_PATH_BYTES || /[\0\n\r]/.test(path) || path.startsWith('~') || path.endsWith('/')) return undefined;
  path = posix.normalize(path);
  if (posix.isAbsolute(path)) {
    if (root === undefined) return path;
    const relative = posix.relative(posix.normalize(root), path);
    return relative === '' || relative === '..' || relative.startsWith('../') || posix.isAbsolute(relative) ? undefined : relative;
  }
  return path === '.' || path === '..' || path.startsWith('../') ? undefined : path;
}
