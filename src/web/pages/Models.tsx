import { useMemo, useRef, useState } from 'preact/hooks';
import { api, TASKS, type Task } from '../api.js';
import { ErrorNote, Loading } from '../components/Status.js';
import { useResource } from '../hooks.js';
import { applyFilter, DEFAULT_FILTER, type ModelFilter, type SortKey } from './models/filter.js';
import { FilterBar } from './models/FilterBar.js';
import { ModelTable } from './models/ModelTable.js';
import { PreviewPanel } from './models/PreviewPanel.js';
import { TaskChoices } from './models/TaskChoices.js';
import { rowForTask } from '../../shared/model-facts.js';

/** Below this width the preview sits above the table: scroll to it when a row is clicked. */
const SIDE_BY_SIDE = '(min-width: 1100px)';

/** The model selector: every model, filtered and sorted; a click previews it for a task; Save. */
export function Models() {
  const [task, setTask] = useState<Task>('edit');
  const [project, setProject] = useState<string | undefined>(undefined);
  const [candidate, setCandidate] = useState<{ model: string | null } | undefined>(undefined);
  const [filter, setFilter] = useState<ModelFilter>(DEFAULT_FILTER);
  const models = useResource(() => api.models(project), [project]);
  const panel = useRef<HTMLDivElement>(null);

  // The agent task judges models by their agentic score (SWE-bench Verified), the others by Aider's polyglot one.
  const rows = useMemo(() => applyFilter((models.data?.models ?? []).map((row) => rowForTask(row, task)), filter), [models.data, filter, task]);
  const choice = models.data?.tasks.find((item) => item.task === task);

  const pickTask = (next: Task) => {
    setTask(next);
    setCandidate(undefined);
  };
  const select = (id: string) => {
    setCandidate({ model: id });
    if (!window.matchMedia(SIDE_BY_SIDE).matches) panel.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  };
  const sortBy = (sort: SortKey) => setFilter({ ...filter, sort, descending: filter.sort === sort ? !filter.descending : sort === 'quality' || sort === 'context' });

  return (
    <>
      <div class="page-head">
        <h1>Models</h1>
        <p class="muted">Pick the model each task goes to first. The router's ranking follows it as fallbacks.</p>
      </div>
      <div class="toolbar">
        <label class="field" for="task-select">
          <span>Task</span>
          <select id="task-select" data-testid="task-select" value={task} onChange={(event) => pickTask(event.currentTarget.value as Task)}>
            {TASKS.map((item) => (
              <option key={item} value={item}>
                {item}
              </option>
            ))}
          </select>
        </label>
        <label class="field" for="project-select">
          <span>Scope</span>
          <select
            id="project-select"
            data-testid="project-select"
            value={project ?? ''}
            onChange={(event) => {
              setProject(event.currentTarget.value || undefined);
              setCandidate(undefined);
            }}
          >
            <option value="">Global (config.json)</option>
            {(models.data?.projects ?? []).map((name) => (
              <option key={name} value={name}>
                Project: {name}
              </option>
            ))}
          </select>
        </label>
      </div>
      {models.error && <ErrorNote error={models.error} retry={models.reload} />}
      {!models.data && !models.error && <Loading what="Loading models" />}
      {models.data && (
        <>
          <TaskChoices tasks={models.data.tasks} task={task} onTask={pickTask} />
          <div class="selector">
            <div class="selector-side" ref={panel}>
              <PreviewPanel key={`${task}|${project ?? ''}`} task={task} project={project} choice={choice} candidate={candidate} onCandidate={setCandidate} onSaved={models.reload} />
            </div>
            <section class="card selector-main" aria-label="Models">
              <FilterBar filter={filter} onChange={setFilter} shown={rows.length} total={models.data.models.length} />
              <ModelTable
                rows={rows}
                filter={filter}
                onSort={sortBy}
                selected={candidate?.model}
                chosen={choice?.chosen ?? null}
                routerChoice={choice?.routerChoice ?? null}
                floor={choice?.floor ?? 0}
                scale={task === 'agent' ? 'SWE-bench Verified' : 'Aider polyglot'}
                onSelect={select}
              />
            </section>
          </div>
        </>
      )}
    </>
  );
}
