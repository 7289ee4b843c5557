import type { ComponentChildren } from 'preact';
import { formatMoney } from '../../../shared/format.js';
import type { BudgetLimit, ProjectView } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Meter } from '../../components/Meter.js';
import { Badge } from '../../components/Status.js';
import { formatCount } from '../../format.js';

function BudgetLine({ label, spent, limit }: { label: string; spent: number; limit: BudgetLimit | undefined }) {
  if (!limit) return null;
  const percent = limit.limitUsd > 0 ? (spent / limit.limitUsd) * 100 : 100;
  return (
    <div class="budget-line">
      <div class="budget-line-text">
        <span>
          {label} budget <Badge tone={limit.mode === 'hard' ? 'info' : 'muted'}>{limit.mode}</Badge>
        </span>
        <span>
          {formatMoney(spent)} of {formatMoney(limit.limitUsd)}
        </span>
      </div>
      <Meter percent={percent} label={`${label} budget used`} />
    </div>
  );
}

function Chips({ items, empty }: { items: string[]; empty: string }) {
  if (items.length === 0) return <span class="muted small">{empty}</span>;
  return (
    <span class="chip-list">
      {items.map((item) => (
        <code key={item} class="tag">
          {item}
        </code>
      ))}
    </span>
  );
}

function Fact({ label, children }: { label: ComponentChildren; children: ComponentChildren }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** A project at a glance: its spend, budget and routing settings; the form when editing. */
export function ProjectCard({ project, onEdit, children }: { project: ProjectView; onEdit: (() => void) | undefined; children?: ComponentChildren }) {
  const floors = Object.entries(project.floors).map(([task, floor]) => `${task} ${floor}%`);
  const taskModels = Object.entries(project.taskModels).map(([task, model]) => `${task} → ${model}`);
  return (
    <Card
      title={project.name}
      testid={`project-${project.name}`}
      class={children ? 'span-full' : undefined}
      aside={
        onEdit && (
          <button type="button" class="button small" data-testid={`edit-project-${project.name}`} onClick={onEdit}>
            Edit
          </button>
        )
      }
    >
      <p class="file" title={project.file ?? undefined}>
        {project.file ?? 'No .lodestarrc registered: seen in the ledger only'}
      </p>
      <div class="stats">
        <div>
          <span class="stat-label">This month</span>
          <span class="stat-value" data-testid={`project-month-${project.name}`}>
            {formatMoney(project.monthSpendUsd)}
          </span>
        </div>
        <div>
          <span class="stat-label">Today</span>
          <span class="stat-value">{formatMoney(project.todaySpendUsd)}</span>
        </div>
        <div>
          <span class="stat-label">Requests</span>
          <span class="stat-value">{formatCount(project.monthRequests)}</span>
        </div>
      </div>
      <BudgetLine label="Monthly" spent={project.monthSpendUsd} limit={project.budget.monthly} />
      <BudgetLine label="Daily" spent={project.todaySpendUsd} limit={project.budget.daily} />
      {!project.budget.monthly && !project.budget.daily && <p class="muted small">No budget of its own.</p>}
      {children || (
        <dl class="facts">
          <Fact label="Quality floors">
            <Chips items={floors} empty="none" />
          </Fact>
          <Fact label="Preferred">
            <Chips items={project.preferred} empty="none" />
          </Fact>
          <Fact label="Forbidden">
            <Chips items={project.forbidden} empty="none" />
          </Fact>
          <Fact label={<a href="#/models">Task models</a>}>
            <Chips items={taskModels} empty="the global ones" />
          </Fact>
          <Fact label="Baseline">
            {project.baseline ? <code>{project.baseline}</code> : <span class="muted small">the global one</span>}
          </Fact>
        </dl>
      )}
    </Card>
  );
}
