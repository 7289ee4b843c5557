import { TASKS, type Task } from '../../router/classify-task.js';
import { patchConfigFile } from '../../config/edit.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';
import { configHttpError, readObject } from './body.js';
import { modelTable, previewChoice, priceEveryModel, taskChoices } from './model-table.js';
import { projectFile } from './routes-projects.js';

/** GET /api/ui/models[?project=P]: every model with its facts, and each task's choice. */
export function uiModelsRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/ui/models',
    auth: true,
    async handle(_request, response, params) {
      const project = projectParam(context, new URLSearchParams(params.query).get('project'));
      await priceEveryModel(context);
      const table = modelTable(context, project);
      sendJson(response, 200, { tasks: taskChoices(context, table, project), models: table.rows, projects: Object.keys(context.projects.registered()).sort() });
    },
  };
}

/** POST /api/ui/models/preview {task, model, project?}: what the choice would do, before it is saved. */
export function uiPreviewRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/api/ui/models/preview',
    auth: true,
    async handle(request, response) {
      const { task, model, project } = readChoice(context, await readObject(request, context));
      await priceEveryModel(context);
      const table = modelTable(context, project);
      knownModel(table.rows, model);
      sendJson(response, 200, previewChoice(context, table, task, model, project));
    },
  };
}

/** PUT /api/ui/models/choice {task, model, project?}: saves the task's model (null: the router's choice again). */
export function uiChoiceRoute(context: DaemonContext): Route {
  return {
    method: 'PUT',
    path: '/api/ui/models/choice',
    auth: true,
    async handle(request, response) {
      const { task, model, project } = readChoice(context, await readObject(request, context));
      await priceEveryModel(context);
      knownModel(modelTable(context, project).rows, model);
      const patch = { routing: { taskModels: { [task]: model } } };
      if (project) {
        const file = projectFile(context, project);
        try {
          patchConfigFile(file, 'project', patch);
        } catch (error) {
          configHttpError(error);
        }
        context.projects.invalidate(project);
        context.events.publish({ type: 'settings', data: { changed: [`routing.taskModels.${task}`], project } });
        sendJson(response, 200, { saved: true, file, task, model });
        return;
      }
      let result;
      try {
        result = patchConfigFile(context.paths.config, 'global', patch);
      } catch (error) {
        configHttpError(error);
      }
      // The daemon's own copy follows the file: the next request of the task goes to the choice.
      const chosen = result.config.routing?.taskModels ?? {};
      context.config.routing.taskModels = Object.fromEntries(Object.entries(chosen).filter(([, id]) => id !== undefined));
      context.events.publish({ type: 'settings', data: { changed: [`routing.taskModels.${task}`] } });
      sendJson(response, 200, { saved: true, file: result.file, task, model });
    },
  };
}

function readChoice(context: DaemonContext, body: Record<string, unknown>): { task: Task; model: string | null; project: string | undefined } {
  const task = body.task;
  if (typeof task !== 'string' || !(TASKS as readonly string[]).includes(task)) {
    throw new HttpError(400, `task must be one of ${TASKS.join(', ')}, got ${JSON.stringify(task ?? null)}`, { param: 'task' });
  }
  const model = body.model ?? null;
  if (model !== null && typeof model !== 'string') throw new HttpError(400, `model must be "<provider>/<model>" or null (the router's choice), got ${JSON.stringify(model)}`, { param: 'model' });
  const project = body.project === undefined || body.project === null || body.project === '' ? undefined : body.project;
  if (project !== undefined && typeof project !== 'string') throw new HttpError(400, 'project must be the name of a project', { param: 'project' });
  return { task: task as Task, model, project: projectParam(context, project ?? null) };
}

function projectParam(context: DaemonContext, project: string | null): string | undefined {
  if (project === null || project === '') return undefined;
  projectFile(context, project); // a 404 saying how to register it, for one that is not
  return project;
}

function knownModel(rows: ReadonlyArray<{ id: string }>, model: string | null): void {
  if (model !== null && !rows.some((row) => row.id === model)) {
    throw new HttpError(400, `Unknown model ${JSON.stringify(model)}: choose one of those \`lodestar models list\` shows`, { param: 'model', code: 'model_not_found' });
  }
}
