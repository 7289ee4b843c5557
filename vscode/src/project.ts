import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parse, type ParseError } from 'jsonc-parser';
import { defaultProjectName, findProjectConfig, PROJECT_NAME } from '../../src/shared/project-name.js';

/** The workspace's Lodestar project: what its requests are attributed to, and where its files are. */
export interface WorkspaceProject {
  name: string;
  /** The folder paths are relative to: the .lodestarrc's folder, else the workspace folder. */
  root: string;
  /** The .lodestarrc that names it, when there is one. */
  file: string | undefined;
}

/**
 * As the CLI finds it from the same folder: the nearest .lodestarrc walking up, its "project";
 * else the git root's folder name, else the folder's. A .lodestarrc that can't be read names
 * no project (the CLI would stop on it; the editor goes on and says so in the tooltip).
 */
export function workspaceProject(folder: string): WorkspaceProject & { problem?: string } {
  const file = findProjectConfig(folder);
  if (!file) return { name: defaultProjectName(folder), root: folder, file: undefined };
  const errors: ParseError[] = [];
  let value: unknown;
  try {
    value = parse(readFileSync(file, 'utf8'), errors, { allowTrailingComma: true });
  } catch (error) {
    return { name: defaultProjectName(folder), root: dirname(file), file, problem: `${file} can't be read: ${(error as Error).message}` };
  }
  const named = (value as { project?: unknown } | undefined)?.project;
  if (errors.length > 0) return { name: defaultProjectName(folder), root: dirname(file), file, problem: `${file} is not valid JSON` };
  if (typeof named === 'string' && PROJECT_NAME.test(named)) return { name: named, root: dirname(file), file };
  if (named !== undefined) return { name: defaultProjectName(folder), root: dirname(file), file, problem: `${file}: "project" must be 1-64 letters, digits, ".", "_" or "-"` };
  return { name: defaultProjectName(folder), root: dirname(file), file };
}
