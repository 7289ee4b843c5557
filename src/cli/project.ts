import { UsageError } from '../shared/errors.js';
import { defaultProjectName, PROJECT_NAME } from '../shared/project-name.js';

export { gitRoot } from '../shared/project-name.js';

/** --project, else .lodestarrc's project, else the git root's folder name, else this folder's. */
export function resolveProject(explicit: string | undefined, configured: string | undefined, cwd: string): string {
  if (explicit !== undefined) {
    if (!PROJECT_NAME.test(explicit)) throw new UsageError(`--project must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit, got ${JSON.stringify(explicit)}`);
    return explicit;
  }
  if (configured) return configured;
  return defaultProjectName(cwd);
}

