import { formatMoney, savings } from '../../../src/shared/format.js';
import { formatPrice, formatQuality, qualityEvidence } from '../../../src/shared/model-cells.js';
import { qualityScale, rowForTask, type ChoicePreview, type ModelRow, type TaskChoice } from '../../../src/shared/model-facts.js';

/** One row of the model Quick Pick, as plain data (the editor glue makes a QuickPickItem of it). */
export interface ModelPickItem {
  label: string;
  description: string;
  detail: string;
  /** The model to save; null: leave the task to the router. */
  model: string | null;
}

/**
 * The models for a task as the selector shows them: the router's choice first, then the available
 * models from the cheapest typical session up (unknown cost last), each with its quality on the
 * task's scale and how that is known, its price, a typical session's cost, and whether it is
 * local and in VRAM. Models that can't be used now are left out (the web UI lists them, with why).
 */
export function modelPickItems(rows: readonly ModelRow[], task: TaskChoice): ModelPickItem[] {
  const router: ModelPickItem = {
    label: `$(sparkle) Router's choice${task.routerChoice ? `: ${task.routerChoice}` : ''}`,
    description: task.chosen === null ? '(current)' : '',
    detail: `The cheapest model whose quality meets the ${task.task} floor (${task.floor}% on ${qualityScale(task.task)}), local first.`,
    model: null,
  };
  const available = rows
    .filter((row) => row.available)
    .map((row) => rowForTask(row, task.task))
    .sort((a, b) => (a.sessionCostUsd ?? Infinity) - (b.sessionCostUsd ?? Infinity) || (b.quality ?? -1) - (a.quality ?? -1) || a.id.localeCompare(b.id));
  return [router, ...available.map((row) => modelItem(row, task))];
}

function modelItem(row: ModelRow, task: TaskChoice): ModelPickItem {
  const evidence = qualityEvidence(row);
  const marks = [row.id === task.chosen ? '(current)' : '', row.id === task.routerChoice ? "(router's pick)" : ''].filter(Boolean).join(' ');
  const place = row.local ? (row.loaded ? 'local, in VRAM' : row.fitsVram === false ? 'local, too big for VRAM' : 'local') : row.provider;
  return {
    label: row.id,
    description: [`quality ${formatQuality(row)}${evidence ? ` (${evidence})` : ''}`, `$${formatPrice(row)} per M tokens`.replace('$free per M tokens', 'free').replace('$? per M tokens', 'price unknown'), marks].filter(Boolean).join(' · '),
    detail: [`a typical session ${row.sessionCostUsd === null ? 'costs an unknown amount' : `costs ${formatMoney(row.sessionCostUsd)}`}`, place].join(' · '),
    model: row.id,
  };
}

/** What the user is told once a choice is saved: where the task's requests go, and at what cost against the baseline. */
export function choiceMessage(preview: ChoicePreview, project: string): string {
  const target = preview.model ?? `the router's choice${preview.ranking[0] ? ` (${preview.ranking[0].id} now)` : ''}`;
  const session = preview.typicalSession;
  const cost =
    session.costUsd === null
      ? 'its cost is unknown (a model on the way has no known price)'
      : session.baselineCostUsd === null
        ? `a typical session costs ${formatMoney(session.costUsd)}`
        : `a typical session costs ${formatMoney(session.costUsd)} against ${formatMoney(session.baselineCostUsd)} on the baseline: ${savings(session.baselineCostUsd - session.costUsd, session.baselineCostUsd)}`;
  const warnings = preview.warnings.length ? ` ${preview.warnings.join(' ')}` : '';
  return `Lodestar: ${project}'s ${preview.task} requests go to ${target}; ${cost}.${warnings}`;
}
