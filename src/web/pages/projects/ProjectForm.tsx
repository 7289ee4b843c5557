import { useState } from 'preact/hooks';
import { api, asApiError, type ApiError, TASKS, type ProjectPatch, type ProjectView, type Task } from '../../api.js';
import { BudgetFields, budgetDraft, budgetValue, sameBudget, type BudgetDraft } from '../../components/BudgetFields.js';
import { FieldError, FormError } from '../../components/FieldError.js';
import { parseList, sameList } from '../../format.js';

const FIELDS = [...TASKS.map((task) => `routing.floors.${task}`), 'budget.monthly.limitUsd', 'budget.monthly.mode', 'budget.daily.limitUsd', 'budget.daily.mode'];
const LISTS = ['routing.preferred', 'routing.forbidden'];

const shownFloor = (project: ProjectView, task: Task): string => (project.floors[task] === undefined ? '' : String(project.floors[task]));

interface Drafts {
  floors: Record<string, string>;
  preferred: string;
  forbidden: string;
  monthly: BudgetDraft;
  daily: BudgetDraft;
}

/**
 * Only what changed: a floor left as shown stays where it comes from (the project or the global
 * config), an emptied one goes back to the global floor (null removes the project's own).
 */
function patchOf(project: ProjectView, drafts: Drafts): ProjectPatch {
  const routing: NonNullable<ProjectPatch['routing']> = {};
  const floors: Partial<Record<Task, number | null>> = {};
  for (const task of TASKS) {
    const text = drafts.floors[task]?.trim() ?? '';
    if (text !== shownFloor(project, task)) floors[task] = text === '' ? null : Number(text);
  }
  if (Object.keys(floors).length) routing.floors = floors;
  const preferred = parseList(drafts.preferred);
  const forbidden = parseList(drafts.forbidden);
  if (!sameList(preferred, project.preferred)) routing.preferred = preferred;
  if (!sameList(forbidden, project.forbidden)) routing.forbidden = forbidden;
  const budget: NonNullable<ProjectPatch['budget']> = {};
  const monthly = budgetValue(drafts.monthly);
  const daily = budgetValue(drafts.daily);
  if (!sameBudget(monthly, project.budget.monthly)) budget.monthly = monthly;
  if (!sameBudget(daily, project.budget.daily)) budget.daily = daily;
  return { ...(Object.keys(routing).length ? { routing } : {}), ...(Object.keys(budget).length ? { budget } : {}) };
}

interface Props {
  project: ProjectView;
  onSaved: (project: ProjectView) => void;
  onCancel: () => void;
}

/** A project's floors, preferred and forbidden models, and budget, saved to its .lodestarrc. */
export function ProjectForm({ project, onSaved, onCancel }: Props) {
  const [floors, setFloors] = useState<Record<string, string>>(() => Object.fromEntries(TASKS.map((task) => [task, shownFloor(project, task)])));
  const [preferred, setPreferred] = useState(project.preferred.join(', '));
  const [forbidden, setForbidden] = useState(project.forbidden.join(', '));
  const [monthly, setMonthly] = useState(budgetDraft(project.budget.monthly));
  const [daily, setDaily] = useState(budgetDraft(project.budget.daily));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const submit = async (event: Event) => {
    event.preventDefault();
    setSaving(true);
    setError(undefined);
    try {
      const { project: updated } = await api.saveProject(project.name, patchOf(project, { floors, preferred, forbidden, monthly, daily }));
      onSaved(updated);
    } catch (reason) {
      setError(asApiError(reason));
      setSaving(false);
    }
  };

  return (
    <form class="project-form" noValidate onSubmit={submit} data-testid={`project-form-${project.name}`}>
      <div class="form">
        <fieldset>
          <legend>Quality floors (% on Aider's benchmark; empty: the global floor)</legend>
          <div class="floor-grid">
            {TASKS.map((task) => (
              <label key={task} class="field" for={`project-floor-${task}`}>
                <span>{task}</span>
                <input
                  id={`project-floor-${task}`}
                  data-testid={`project-floor-${task}`}
                  type="number"
                  min="0"
                  max="100"
                  step="any"
                  placeholder="global"
                  value={floors[task]}
                  onInput={(event) => setFloors({ ...floors, [task]: event.currentTarget.value })}
                />
                <FieldError path={`routing.floors.${task}`} error={error} />
              </label>
            ))}
          </div>
        </fieldset>
        <label class="field" for="project-preferred">
          <span>Preferred models (comma-separated ids)</span>
          <input id="project-preferred" data-testid="project-preferred" type="text" value={preferred} placeholder="e.g. deepseek/deepseek-chat" onInput={(event) => setPreferred(event.currentTarget.value)} />
          <FieldError path="routing.preferred" error={error} nested />
        </label>
        <label class="field" for="project-forbidden">
          <span>Forbidden models (comma-separated ids)</span>
          <input id="project-forbidden" data-testid="project-forbidden" type="text" value={forbidden} placeholder="none" onInput={(event) => setForbidden(event.currentTarget.value)} />
          <FieldError path="routing.forbidden" error={error} nested />
        </label>
      </div>
      <div class="form">
        <BudgetFields period="monthly" path="budget" testid="project-budget" draft={monthly} onChange={setMonthly} error={error} />
        <BudgetFields period="daily" path="budget" testid="project-budget" draft={daily} onChange={setDaily} error={error} />
      </div>
      <FormError error={error} paths={FIELDS} nested={LISTS} />
      <div class="actions">
        <button type="submit" class="button primary" data-testid="save-project" disabled={saving}>
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
