import { activeExperiment, experimentsMtime, readExperiments, type Experiment } from '../config/experiments.js';
import type { LodestarPaths } from '../config/paths.js';
import { armFor } from '../router/ab-split.js';

/** How often the experiments file is looked at for changes (`lodestar ab start` writes it), at most. */
const RECHECK_MS = 1000;

export interface ArmChoice {
  experiment: string;
  arm: 'a' | 'b';
  model: string;
}

/**
 * The A/B experiments as the daemon routes by them: read from $LODESTAR_HOME/experiments.json,
 * again when it changes (a stat at most once a second, not per request).
 */
export class Experiments {
  private readonly paths: LodestarPaths;
  private list: Experiment[] = [];
  private mtimeMs = -2;
  private checkedAt = 0;

  constructor(paths: LodestarPaths) {
    this.paths = paths;
  }

  /**
   * The arm of a running experiment for this task and project that the session belongs to, if
   * any. `session` is asked for only then: with no experiment running (most of the time), a
   * request pays one comparison.
   */
  armFor(task: string, project: string | undefined, session: () => string, now = Date.now()): ArmChoice | undefined {
    const experiment = activeExperiment(this.current(now), task, project);
    if (!experiment) return undefined;
    const arm = armFor(experiment.id, session(), experiment.split);
    return { experiment: experiment.id, arm, model: experiment.models[arm === 'a' ? 0 : 1] };
  }

  private current(now: number): Experiment[] {
    if (now - this.checkedAt < RECHECK_MS) return this.list;
    this.checkedAt = now;
    const mtimeMs = experimentsMtime(this.paths);
    if (mtimeMs !== this.mtimeMs) {
      this.mtimeMs = mtimeMs;
      this.list = readExperiments(this.paths);
    }
    return this.list;
  }
}
