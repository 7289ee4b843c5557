import { patchConfigFile } from '../../config/edit.js';
import { parseReportQuery } from '../../ledger/report-query.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';
import type { ProjectView } from '../../shared/project-facts.js';
import { configHttpError, readObject } from './body.js';

export type { ProjectView };

/** GET /api/ui/projects: every project the daemon knows (registered, or seen in this month's ledger). */
export function uiProjectsRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/ui/projects',
    auth: true,
    handle(_request, response) {
      sendJson(response, 200, { projects: projectViews(context) });
    },
  };
}

/**
 * PUT /api/ui/projects/{name}: {routing?: {floors, preferred, forbidden, taskModels}, budget?}
 * into the project's .lodestarrc, with the checks `lodestar` runs on that file.
 */
export function uiProjectUpdateRoute(context: DaemonContext): Route {
  return {
    method: 'PUT',
    path: '/api/ui/project',
    auth: true,
    projectScoped: true,
    async handle(request, response, params) {
      const name = params.project;
      if (!name) throw new HttpError(400, 'Name the project: PUT /p/{project}/api/ui/project', { param: 'project' });
      const body = await readObject(request, context);
      for (const key of Object.keys(body)) {
        if (key !== 'routing' && key !== 'budget') throw new HttpError(400, `"${key}" can't be changed here: a project's page changes routing and budget`, { param: key });
      }
      const file = projectFile(context, name);
      try {
        patchConfigFile(file, 'project', body);
      } catch (error) {
        configHttpError(error);
      }
      context.projects.invalidate(name);
      const view = projectViews(context).find((project) => project.name === name);
      sendJson(response, 200, { project: view });
    },
  };
}

/** The .lodestarrc registered for a project, or a 404 saying how to register one. */
export function projectFile(context: DaemonContext, project: string): string {
  const entry = context.projects.registered()[project];
  if (!entry) throw new HttpError(404, `No project ${JSON.stringify(project)} is registered: run \`lodestar init\` in it first`, { param: 'project', code: 'unknown_project' });
  return entry.config;
}

function projectViews(context: DaemonContext): ProjectView[] {
  const registered = context.projects.registered();
  const month = context.ledger.report(parseReportQuery({ month: true, by: 'project' }, new Date(), context.timeZone));
  const today = context.ledger.report(parseReportQuery({ day: true, by: 'project' }, new Date(), context.timeZone));
  const names = new Set([...Object.keys(registered), ...month.rows.map((row) => row.key).filter((key) => key !== '' && key !== '(none)' && key !== '-')]);
  const global = context.config.budgets.projects;
  return [...names].sort().map((name) => {
    const settings = registered[name] ? context.projects.get(name) : undefined;
    const spent = month.rows.find((row) => row.key === name);
    const budget = { ...settings?.budget, ...global[name] };
    return {
      name,
      file: registered[name]?.config ?? null,
      monthSpendUsd: spent?.costUsd ?? 0,
      monthRequests: spent?.requests ?? 0,
      todaySpendUsd: today.rows.find((row) => row.key === name)?.costUsd ?? 0,
      floors: { ...context.config.routing.floors, ...settings?.floors } as Record<string, number>,
      preferred: settings?.preferred ?? [],
      forbidden: settings?.forbidden ?? [],
      taskModels: Object.fromEntries(Object.entries(settings?.taskModels ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
      budget,
      baseline: settings?.baseline ?? null,
    };
  });
}
