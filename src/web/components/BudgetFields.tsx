import type { ApiError, BudgetLimit, BudgetMode } from '../api.js';
import { FieldError } from './FieldError.js';

export interface BudgetDraft {
  limit: string;
  mode: BudgetMode;
}

export function budgetDraft(limit: BudgetLimit | null | undefined): BudgetDraft {
  return limit ? { limit: String(limit.limitUsd), mode: limit.mode } : { limit: '', mode: 'hard' };
}

/** An empty limit is no budget: null, which removes it. */
export function budgetValue(draft: BudgetDraft): BudgetLimit | null {
  return draft.limit.trim() === '' ? null : { limitUsd: Number(draft.limit), mode: draft.mode };
}

/** Whether a budget as edited is the one already saved (null and absent are both "none"). */
export function sameBudget(a: BudgetLimit | null, b: BudgetLimit | null | undefined): boolean {
  return a === null || b === null || b === undefined ? a === (b ?? null) : a.limitUsd === b.limitUsd && a.mode === b.mode;
}

interface Props {
  period: 'monthly' | 'daily';
  /** Where the budget lives in the file: "budgets" in config.json, "budget" in a project's. */
  path: string;
  /** "budget" gives data-testid budget-monthly-input, budget-monthly-mode. */
  testid: string;
  draft: BudgetDraft;
  onChange: (draft: BudgetDraft) => void;
  error: ApiError | undefined;
}

/** A budget's limit in USD (empty: none) and whether reaching it blocks paid models or only alerts. */
export function BudgetFields({ period, path, testid, draft, onChange, error }: Props) {
  const base = `${path}.${period}`;
  const id = `${testid}-${period}`;
  return (
    <fieldset class="budget-fields">
      <legend>{period === 'monthly' ? 'Monthly budget' : 'Daily budget'}</legend>
      <div class="field-row">
        <label class="field grow" for={`${id}-input`}>
          <span>Limit (USD)</span>
          <span class="input-prefix">
            <span aria-hidden="true">$</span>
            <input
              id={`${id}-input`}
              data-testid={`${id}-input`}
              type="number"
              min="0"
              step="any"
              inputMode="decimal"
              placeholder="No budget"
              value={draft.limit}
              aria-invalid={error?.param === `${base}.limitUsd`}
              onInput={(event) => onChange({ ...draft, limit: event.currentTarget.value })}
            />
          </span>
        </label>
        <label class="field" for={`${id}-mode`}>
          <span>When reached</span>
          <select id={`${id}-mode`} data-testid={`${id}-mode`} value={draft.mode} onChange={(event) => onChange({ ...draft, mode: event.currentTarget.value as BudgetMode })}>
            <option value="hard">Hard: stop paid models</option>
            <option value="soft">Soft: alert only</option>
          </select>
        </label>
      </div>
      <FieldError path={`${base}.limitUsd`} error={error} />
      <FieldError path={`${base}.mode`} error={error} />
    </fieldset>
  );
}
