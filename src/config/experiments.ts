import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../shared/files.js';
import type { LodestarPaths } from './paths.js';
import type { Experiment } from '../shared/experiment-facts.js';

export type { Experiment };

export function experimentsFile(paths: Pick<LodestarPaths, 'home'>): string {
  return join(paths.home, 'experiments.json');
}

/** Every experiment, running or stopped, oldest first; none when the file is missing or unreadable. */
export function readExperiments(paths: Pick<LodestarPaths, 'home'>): Experiment[] {
  try {
    const value = JSON.parse(readFileSync(experimentsFile(paths), 'utf8')) as { experiments?: Experiment[] };
    return Array.isArray(value.experiments) ? value.experiments : [];
  } catch {
    return [];
  }
}

export function writeExperiments(paths: Pick<LodestarPaths, 'home'>, experiments: readonly Experiment[]): void {
  writeFileAtomic(experimentsFile(paths), `${JSON.stringify({ experiments }, null, 2)}\n`);
}

/** The running experiment for a task and project: the project's own first, then one for every project. */
export function activeExperiment(experiments: readonly Experiment[], task: string, project: string | undefined): Experiment | undefined {
  let forAll: Experiment | undefined;
  for (const experiment of experiments) {
    if (experiment.stoppedAt || experiment.task !== task) continue;
    if (experiment.project === undefined) forAll ??= experiment;
    else if (experiment.project === project) return experiment;
  }
  return forAll;
}

/** The experiments file's modification time, or -1 (for a reader that checks it now and then). */
export function experimentsMtime(paths: Pick<LodestarPaths, 'home'>): number {
  try {
    return statSync(experimentsFile(paths)).mtimeMs;
  } catch {
    return -1;
  }
}
