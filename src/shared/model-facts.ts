import type { ProviderId } from './provider-ids.js';

/**
 * The model selector's facts, as the daemon serves them (GET /api/ui/models, POST
 * /api/ui/models/preview) and as `lodestar models list --json` prints them: one definition for
 * the daemon, the CLI, the terminal selector and the web UI.
 */

/** frontier: the maker's best; mid: its mainstream cheaper model; small: its smallest, and every local model. */
export type Tier = 'frontier' | 'mid' | 'small';

/** How a model's quality is known: Aider measured it, a lineage rule, calibration, the user's config, or the user's rule. */
export type QualityKind = 'measured' | 'lineage' | 'calibrated' | 'config' | 'rule';

/** One model, available or not. */
export interface ModelRow {
  id: string;
  provider: ProviderId;
  local: boolean;
  available: boolean;
  /** Why not, when not available. */
  unavailable: string | undefined;
  contextWindow: number | undefined;
  price: { inputPerMTok: number; outputPerMTok: number } | null;
  quality: number | null;
  qualitySource: string | null;
  /** null when quality is unknown. */
  qualityKind: QualityKind | null;
  /** A calibrated score's typical error, in points. */
  qualityError: number | null;
  /** The catalog's class: what the router goes by when quality is unknown. */
  tier: Tier | null;
  /** How good it is at an agent's loop, on SWE-bench Verified's scale: what the agent task goes by; null when unknown. */
  agentic?: AgenticFacts | null;
  /** A typical Aider session on this model alone; null when its price is unknown. */
  sessionCostUsd: number | null;
  /** Local models: size on disk and whether it fits this GPU's VRAM (estimated). */
  sizeBytes?: number;
  fitsVram?: boolean | null;
  loaded: boolean;
}

/** A model's agentic score (SWE-bench Verified, percent resolved) and how it is known. */
export interface AgenticFacts {
  quality: number;
  qualitySource: string;
  qualityKind: QualityKind;
  qualityError: number | null;
}

/**
 * A row as a task judges it: for the agent task, its agentic score in place of its polyglot one
 * (the scale its floor is on); any other task's row as it is.
 */
export function rowForTask<Row extends ModelRow>(row: Row, task: string): Row {
  if (task !== 'agent') return row;
  const agentic = row.agentic;
  return { ...row, quality: agentic?.quality ?? null, qualitySource: agentic?.qualitySource ?? null, qualityKind: agentic?.qualityKind ?? null, qualityError: agentic?.qualityError ?? null };
}

/** The benchmark a task's quality is measured on, as a user reads it. */
export function qualityScale(task: string): string {
  return task === 'agent' ? 'SWE-bench Verified' : "Aider's polyglot benchmark";
}

/** A task's choice: the floor, the user's model (and where it is set), the router's own pick. */
export interface TaskChoice {
  task: string;
  floor: number;
  chosen: string | null;
  chosenFrom: 'project' | 'global' | null;
  routerChoice: string | null;
}

/** What choosing `model` for `task` would do, before it is saved. */
export interface ChoicePreview {
  task: string;
  floor: number;
  model: string | null;
  /** A cost is null when a model on the way has no known price. */
  typicalSession: { costUsd: number | null; baselineCostUsd: number | null; requests: number };
  ranking: Array<{ rank: number; id: string; why: string; estimatedCostUsd: number | null; quality: number | null }>;
  warnings: string[];
}

/** One model's warm-up (POST /api/models/warm, `lodestar models warm`, the web UI's button). */
export interface WarmResult {
  model: string;
  /** loaded: it was loaded now; ready: it already was (its keep_alive was refreshed). */
  outcome: 'loaded' | 'ready' | 'skipped' | 'failed';
  ms?: number;
  reason?: string;
  /** Models this load pushed out of VRAM. */
  evicted?: string[];
}
