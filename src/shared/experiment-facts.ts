/**
 * A/B experiments as `lodestar ab` keeps them and as their reports read: one definition for the
 * CLI, the daemon (GET /api/ui/experiments) and the web UI.
 */

/** One A/B experiment: a task's requests split between two models by session. */
export interface Experiment {
  id: string;
  task: string;
  /** Arm a's model and arm b's. */
  models: [string, string];
  /** The percentage of sessions that go to arm a. */
  split: number;
  /** Only this project's requests; all projects when absent. */
  project?: string;
  startedAt: string;
  stoppedAt?: string;
  /** The user's verdicts (`lodestar ab rate`), one per session at most (the last one counts). */
  ratings: Array<{ session: string; arm: 'a' | 'b'; verdict: 'good' | 'bad'; at: string }>;
}

export interface ArmReport {
  arm: 'a' | 'b';
  model: string;
  sessions: number;
  requests: number;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  latencyP50Ms: number | undefined;
  /** Requests that fell back from the arm's model to another. */
  fellBack: number;
  /** Edit requests, and how many of the session's edits did not apply (Aider said so in its next request). */
  edits: number;
  failedEdits: number;
  applyRate: number | undefined;
  /** 95% Wilson interval of the apply rate. */
  applyInterval: [number, number] | undefined;
  /** Mean cost of an edit request, with a 95% interval. */
  costPerEdit: { mean: number; interval: [number, number] } | undefined;
  ratings: { good: number; bad: number };
}

export interface AbReport {
  arms: [ArmReport, ArmReport];
  verdict: string;
  enoughData: boolean;
}
