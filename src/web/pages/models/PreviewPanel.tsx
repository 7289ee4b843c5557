import { useState } from 'preact/hooks';
import { formatMoney } from '../../../shared/format.js';
import { api, asApiError, type ApiError, type ChoiceSaved, type Task, type TaskChoice } from '../../api.js';
import { Card } from '../../components/Card.js';
import { ErrorNote, Loading } from '../../components/Status.js';
import { formatPercent } from '../../format.js';
import { useResource } from '../../hooks.js';

const RANKING_ROWS = 8;

interface BodyProps {
  task: Task;
  model: string | null;
  project: string | undefined;
  onSaved: (saved: ChoiceSaved) => void;
  onCancel: () => void;
}

/** What choosing `model` for `task` would do (model null: the router's own choice), and Save. */
function PreviewBody({ task, model, project, onSaved, onCancel }: BodyProps) {
  const preview = useResource(() => api.preview(task, model, project), []);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const save = async () => {
    setSaving(true);
    setError(undefined);
    try {
      onSaved(await api.saveChoice(task, model, project));
    } catch (reason) {
      setError(asApiError(reason));
      setSaving(false);
    }
  };

  if (preview.error) return <ErrorNote error={preview.error} retry={preview.reload} />;
  if (!preview.data) return <Loading what="Previewing" />;
  const { typicalSession: session, ranking, warnings } = preview.data;
  const { costUsd: cost, baselineCostUsd: baseline } = session;
  const saved = cost !== null && baseline !== null && baseline > 0 ? ((baseline - cost) / baseline) * 100 : undefined;
  return (
    <div class="preview-body">
      <h3 class="preview-title">{model ?? "The router's own choice"}</h3>
      <dl class="facts">
        <div>
          <dt>Typical session ({session.requests} requests)</dt>
          <dd>
            <strong>{cost === null ? 'unknown (a model on the way has no price)' : formatMoney(cost)}</strong> vs {baseline === null ? 'an unknown cost' : formatMoney(baseline)} on the baseline
            {saved !== undefined && <span class={saved >= 0 ? 'good' : 'bad'}> ({saved >= 0 ? `${formatPercent(saved)} less` : `${formatPercent(-saved)} more`})</span>}
          </dd>
        </div>
      </dl>
      {warnings.length > 0 && (
        <ul class="warnings" data-testid="preview-warnings">
          {warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      )}
      <h4 class="subhead">The router's order for {task}</h4>
      <ol class="ranking">
        {ranking.slice(0, RANKING_ROWS).map((item) => (
          <li key={item.id} class={item.id === model ? 'picked' : undefined}>
            <span class="rank">{item.rank}</span>
            <span class="ranking-main">
              <span class="model-id">{item.id}</span>
              <span class="sub">{item.why}</span>
            </span>
            <span class="ranking-figures">
              {item.quality === null ? '?' : `${item.quality}%`}
              <span class="sub">{item.estimatedCostUsd === null ? 'price unknown' : `${formatMoney(item.estimatedCostUsd)}/req`}</span>
            </span>
          </li>
        ))}
      </ol>
      {error && <ErrorNote error={error} />}
      <div class="actions">
        <button type="button" class="button primary" data-testid="save-choice" disabled={saving} onClick={save}>
          {saving ? 'Saving…' : model ? `Use for ${task}` : `Let the router decide ${task}`}
        </button>
        <button type="button" class="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

interface Props {
  task: Task;
  project: string | undefined;
  choice: TaskChoice | undefined;
  /** undefined: nothing picked yet; {model: null}: the router's own choice. */
  candidate: { model: string | null } | undefined;
  onCandidate: (candidate: { model: string | null } | undefined) => void;
  onSaved: () => void;
}

/** The task's model now, and the preview of a candidate before it is saved. */
export function PreviewPanel({ task, project, choice, candidate, onCandidate, onSaved }: Props) {
  const [saved, setSaved] = useState<ChoiceSaved | undefined>(undefined);
  // Only a choice made in this scope can be removed here.
  const removable = choice?.chosen && choice.chosenFrom === (project === undefined ? 'global' : 'project');
  return (
    <Card title={`Model for ${task}`} class="preview" testid="preview" aside={<span class="muted">{project ?? 'global'}</span>}>
      <p class="now">
        Now: <strong>{choice?.chosen ?? 'the router decides'}</strong>
        {choice?.chosen ? ` (set in ${choice.chosenFrom === 'project' ? "the project's .lodestarrc" : 'config.json'})` : choice?.routerChoice ? `, and picks ${choice.routerChoice}` : ''}
        {choice && choice.floor > 0 && <span class="muted"> · quality floor {choice.floor}%</span>}
      </p>
      {saved && !candidate && (
        <p class="notice ok" role="status">
          Saved in {saved.file}: {saved.model ? `the next ${saved.task} request goes to ${saved.model}` : `the router picks ${saved.task}'s model again`}.
        </p>
      )}
      {candidate ? (
        <PreviewBody
          key={`${task}|${project ?? ''}|${candidate.model ?? ''}`}
          task={task}
          model={candidate.model}
          project={project}
          onCancel={() => onCandidate(undefined)}
          onSaved={(result) => {
            setSaved(result);
            onCandidate(undefined);
            onSaved();
          }}
        />
      ) : (
        <>
          <p class="hint">Click a model in the table to see what choosing it would cost and how the router would order the rest, before saving.</p>
          {removable && (
            <button type="button" class="button" data-testid="use-router-choice" onClick={() => onCandidate({ model: null })}>
              Use the router's choice
            </button>
          )}
        </>
      )}
    </Card>
  );
}
