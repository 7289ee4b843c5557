import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../shared/files.js';
import type { LodestarPaths } from './paths.js';

/**
 * $LODESTAR_HOME/projects.json: which .lodestarrc belongs to which project name, so that the
 * daemon (which serves every project) can apply a project's routing preferences and baseline to
 * requests attributed to it. Written by the CLI whenever it runs in a project that names itself.
 */
export interface ProjectEntry {
  root: string;
  config: string;
  registeredAt: string;
}

export type ProjectRegistry = Record<string, ProjectEntry>;

export function projectsFile(paths: Pick<LodestarPaths, 'home'>): string {
  return `${paths.home}/projects.json`;
}

export function readProjects(paths: Pick<LodestarPaths, 'home'>): ProjectRegistry {
  try {
    const value = JSON.parse(readFileSync(projectsFile(paths), 'utf8')) as ProjectRegistry;
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/**
 * Records (or moves) a project; a no-op when nothing changed, so it is cheap to call often.
 * Says what it did: 'moved' when the name was registered at another folder before (a clone, a
 * move), which a running daemon must hear of at once.
 */
export function registerProject(paths: Pick<LodestarPaths, 'home'>, name: string, configPath: string): 'unchanged' | 'added' | 'moved' {
  const registry = readProjects(paths);
  const current = registry[name];
  if (current?.config === configPath) return 'unchanged';
  registry[name] = { root: dirname(configPath), config: configPath, registeredAt: new Date().toISOString() };
  writeFileAtomic(projectsFile(paths), `${JSON.stringify(registry, null, 2)}\n`);
  return current ? 'moved' : 'added';
}
