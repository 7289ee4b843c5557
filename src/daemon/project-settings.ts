import { statSync } from 'node:fs';
import { readConfigFile } from '../config/load.js';
import { readProjects, projectsFile } from '../config/projects.js';
import type { ConfigFile } from '../config/schema.js';
import type { LodestarPaths } from '../config/paths.js';
import type { Logger } from '../shared/logger.js';
import type { BudgetLimit } from '../config/defaults.js';

export interface ProjectSettings {
  baseline?: string;
  floors?: Partial<Record<string, number>>;
  preferred?: string[];
  forbidden?: string[];
  /** The project's own model per task (routing.taskModels); a task it leaves out takes the global choice. */
  taskModels?: Partial<Record<string, string>>;
  models?: Record<string, { quality?: number; agentQuality?: number; sameAs?: string; contextWindow?: number; maxOutputTokens?: number }>;
  /** lodestar/consensus for the project's requests (over the global `consensus`). */
  consensus?: ConfigFile['consensus'];
  /** Where the project's Claude Code requests go, by class (over the global `claude`). */
  claude?: Partial<Record<string, string>>;
  /** The project's own budget, from its .lodestarrc; one in the global config's budgets.projects wins. */
  budget?: { monthly?: BudgetLimit; daily?: BudgetLimit };
}

interface Cached {
  /** The .lodestarrc it was read from: a project registered again elsewhere is read anew. */
  config: string;
  settings: ProjectSettings | undefined;
  mtimeMs: number;
  checkedAt: number;
}

/** How often a project's .lodestarrc is checked for changes (a stat call), at most. */
const RECHECK_MS = 2000;
/**
 * How often a project missing from the registry makes it be looked at again, at most: soon
 * enough for one `lodestar aider` registered a moment ago, and not a stat for every request of
 * a client that names a project nobody registered (several per request, each a syscall).
 */
const MISS_RECHECK_MS = 100;

/**
 * A project's own preferences, from the .lodestarrc registered for it in projects.json: its
 * baseline, routing floors, preferred and forbidden models, and model scores. Reread when the
 * file changes; a broken file is logged once and ignored (the global settings apply).
 */
export class ProjectSettingsStore {
  private readonly paths: LodestarPaths;
  private readonly logger: Logger;
  private readonly cache = new Map<string, Cached>();
  private registry: { mtimeMs: number; checkedAt: number; entries: ReturnType<typeof readProjects> } = { mtimeMs: -1, checkedAt: 0, entries: {} };
  private lastMissCheck = 0;

  constructor(paths: LodestarPaths, logger: Logger) {
    this.paths = paths;
    this.logger = logger;
  }

  get(project: string | undefined, now = Date.now()): ProjectSettings | undefined {
    if (!project) return undefined;
    // A project not known yet may have been registered a moment ago (by `lodestar aider` or
    // `lodestar init` in it): look at the registry's file again rather than wait for the recheck.
    const entry = this.entries(now)[project] ?? this.lookAgain(now)[project];
    if (!entry) return undefined;
    const found = this.cache.get(project);
    const cached = found?.config === entry.config ? found : undefined;
    if (cached && now - cached.checkedAt < RECHECK_MS) return cached.settings;
    const mtimeMs = mtime(entry.config);
    if (cached && cached.mtimeMs === mtimeMs) {
      cached.checkedAt = now;
      return cached.settings;
    }
    let settings: ProjectSettings | undefined;
    try {
      const file = readConfigFile(entry.config, 'project');
      settings = file ? toSettings(file) : undefined;
    } catch (error) {
      this.logger.warn('ignoring a project config', { project, error: error instanceof Error ? error.message : String(error) });
    }
    this.cache.set(project, { config: entry.config, settings, mtimeMs, checkedAt: now });
    return settings;
  }

  /**
   * The folder of a project's registered .lodestarrc: its root, which the paths of its edited
   * files are relative to. From the registry as last read (get() has read it for the request).
   */
  root(project: string | undefined, now = Date.now()): string | undefined {
    return project ? this.entries(now)[project]?.root : undefined;
  }

  /** The registered projects: name and the .lodestarrc each was registered with. */
  registered(now = Date.now()): ReturnType<typeof readProjects> {
    return this.entries(now, true);
  }

  /** The registry changed (a project registered at another folder): read it, and every project's file, again now. */
  reload(now = Date.now()): void {
    this.cache.clear();
    this.registry.mtimeMs = Number.NaN;
    this.entries(now, true);
  }

  /** A project's .lodestarrc was just written by the daemon itself: read it again on the next request. */
  invalidate(project: string): void {
    this.cache.delete(project);
  }

  /** The budgets registered projects set in their own .lodestarrc, by project. */
  budgets(now = Date.now()): Record<string, { monthly?: BudgetLimit; daily?: BudgetLimit }> {
    const budgets: Record<string, { monthly?: BudgetLimit; daily?: BudgetLimit }> = {};
    for (const project of Object.keys(this.entries(now))) {
      const budget = this.get(project, now)?.budget;
      if (budget) budgets[project] = budget;
    }
    return budgets;
  }

  /** The baselines registered projects chose in their own .lodestarrc. */
  baselines(now = Date.now()): string[] {
    const baselines = new Set<string>();
    for (const project of Object.keys(this.entries(now))) {
      const baseline = this.get(project, now)?.baseline;
      if (baseline) baselines.add(baseline);
    }
    return [...baselines];
  }

  /** The registry read again for a project it lacks, at most every MISS_RECHECK_MS. */
  private lookAgain(now: number): ReturnType<typeof readProjects> {
    if (now - this.lastMissCheck < MISS_RECHECK_MS) return this.registry.entries;
    this.lastMissCheck = now;
    return this.entries(now, true);
  }

  private entries(now: number, force = false): ReturnType<typeof readProjects> {
    if (!force && now - this.registry.checkedAt < RECHECK_MS) return this.registry.entries;
    const mtimeMs = mtime(projectsFile(this.paths));
    if (mtimeMs !== this.registry.mtimeMs) this.registry = { mtimeMs, checkedAt: now, entries: readProjects(this.paths) };
    else this.registry.checkedAt = now;
    return this.registry.entries;
  }
}

function toSettings(file: ConfigFile): ProjectSettings {
  const settings: ProjectSettings = {};
  if (file.baseline) settings.baseline = file.baseline;
  if (file.routing?.floors) settings.floors = file.routing.floors;
  if (file.routing?.preferred) settings.preferred = file.routing.preferred;
  if (file.routing?.forbidden) settings.forbidden = file.routing.forbidden;
  if (file.routing?.taskModels) settings.taskModels = file.routing.taskModels;
  if (file.models) settings.models = file.models;
  if (file.claude) settings.claude = file.claude;
  if (file.consensus) settings.consensus = file.consensus;
  if (file.budget) {
    const limit = (entry: { limitUsd: number; mode?: 'hard' | 'soft' } | undefined): BudgetLimit | undefined => entry && { limitUsd: entry.limitUsd, mode: entry.mode ?? 'soft' };
    const monthly = limit(file.budget.monthly);
    const daily = limit(file.budget.daily);
    settings.budget = { ...(monthly ? { monthly } : {}), ...(daily ? { daily } : {}) };
  }
  return settings;
}

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
