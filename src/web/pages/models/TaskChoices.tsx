import type { Task, TaskChoice } from '../../api.js';

/** Per task: the model chosen now (and in which file) and what the router would pick. */
export function TaskChoices({ tasks, task, onTask }: { tasks: TaskChoice[]; task: Task; onTask: (task: Task) => void }) {
  return (
    <div class="task-choices" data-testid="task-choices">
      {tasks.map((item) => (
        <button
          key={item.task}
          type="button"
          class={`task-choice${item.task === task ? ' active' : ''}`}
          data-testid={`task-choice-${item.task}`}
          aria-pressed={item.task === task}
          title={`${item.task}: ${item.chosen ?? 'router decides'}; the router would pick ${item.routerChoice ?? 'none'}`}
          onClick={() => onTask(item.task)}
        >
          <span class="task-name">{item.task}</span>
          <span class="task-model">{item.chosen ?? 'router decides'}</span>
          <span class="sub">
            {item.chosen ? `set in ${item.chosenFrom === 'project' ? 'the project' : 'config.json'}` : `router: ${item.routerChoice ?? 'none available'}`}
            {item.floor > 0 && ` · floor ${item.floor}%`}
          </span>
        </button>
      ))}
    </div>
  );
}
