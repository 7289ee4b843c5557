import type { BudgetMode } from './report-facts.js';

/** A project as the web UI shows and edits it (GET /api/ui/projects): one definition for the daemon and the page. */
export interface ProjectView {
  name: string;
  /** Its registered .lodestarrc; null for a project seen only in the ledger (nothing to edit). */
  file: string | null;
  monthSpendUsd: number;
  monthRequests: number;
  todaySpendUsd: number;
  /** The floors in effect, by task: the global ones with the project's own over them. */
  floors: Record<string, number>;
  preferred: string[];
  forbidden: string[];
  /** The project's own model per task. */
  taskModels: Record<string, string>;
  budget: { monthly?: { limitUsd: number; mode: BudgetMode }; daily?: { limitUsd: number; mode: BudgetMode } };
  /** Its own baseline; null: the global one. */
  baseline: string | null;
}
