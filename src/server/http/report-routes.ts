import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { isValidTimeZone } from '../../ledger/report.js';
import { ReportQueryError } from '../../ledger/report-query.js';
import { ConfigError } from '../../shared/errors.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Logger } from '../../shared/logger.js';
import type { BudgetChange, BudgetUpdate, IdentityStore } from '../identity/identity-store.js';
import { teamReport } from '../report/team-report.js';
import { teamReportQuery } from '../report/team-report-query.js';
import { apiName, identityRefusal, toStoreFields } from './admin-request.js';
import { jsonObject } from './admin-routes.js';
import { requireAdmin } from './credentials.js';
import type { ServerRoute } from './router.js';

export interface ReportRouteDeps {
  pool: pg.Pool;
  store: Pick<IdentityStore, 'setBudget'>;
  logger: Logger;
  /** The days of a report are this time zone's; default LODESTAR_TIMEZONE, else UTC. */
  timeZone?: string;
}

/** The budget endpoint's field names and the identity store's. */
const BUDGET_FIELDS: Readonly<Record<string, keyof BudgetChange>> = { team: 'team', user: 'user', monthlyUsd: 'monthlyBudgetUsd', dailyUsd: 'dailyBudgetUsd', mode: 'budgetMode', rpm: 'rpm', tpm: 'tpm' };

/**
 * GET /admin/report: spend by user, team, key, model, project, day or tool over a period, in
 * the words of GET /api/usage (`by`, `month`, `day`, `since`, `until`, `project`, `timezone`).
 * POST /admin/budgets: sets a team's or a user's budgets and limits. POST rather than PUT: it
 * changes the fields it is given and keeps the others, where a PUT would replace the whole
 * budget; and the router knows GET and POST only.
 *
 * Both need an admin key. Bad input is a 400 (or 404 for a team or user that doesn't exist)
 * naming the parameter or field, and writes nothing.
 */
export function reportRoutes(deps: ReportRouteDeps): ServerRoute[] {
  const timeZone = deps.timeZone ?? (process.env.LODESTAR_TIMEZONE || 'UTC');
  if (!isValidTimeZone(timeZone)) throw new ConfigError('LODESTAR_TIMEZONE', undefined, `${JSON.stringify(timeZone)} is not a time zone: use an IANA name such as Europe/Paris or UTC`);
  return [
    {
      method: 'GET',
      path: '/admin/report',
      handle: async (request, response) => {
        await requireAdmin(deps.pool, request);
        try {
          const query = teamReportQuery(new URL(request.url ?? '/', 'http://server').searchParams, timeZone);
          sendJson(response, 200, await teamReport(deps.pool, query));
        } catch (error) {
          if (error instanceof ReportQueryError) throw new HttpError(400, error.message.replace(/--(\w+)/g, '$1'), { param: error.word, code: 'invalid_report_query' });
          throw error;
        }
      },
    },
    {
      method: 'POST',
      path: '/admin/budgets',
      handle: async (request, response) => setBudget(deps, request, response),
    },
  ];
}

async function setBudget(deps: ReportRouteDeps, request: IncomingMessage, response: ServerResponse): Promise<void> {
  await requireAdmin(deps.pool, request);
  let update: BudgetUpdate;
  try {
    update = await deps.store.setBudget(toStoreFields(await jsonObject(request), BUDGET_FIELDS) as BudgetChange);
  } catch (error) {
    throw identityRefusal(error);
  }
  // null for none, where JSON would drop an undefined.
  const changes = Object.fromEntries(Object.entries(update.changes).map(([field, change]) => [apiName(field), { from: change.from ?? null, to: change.to ?? null }]));
  // The admin's action, in the server's log: whose limits, from what to what.
  const whose = update.user ? { user: update.user.email, userId: update.user.id } : { team: update.team.name, teamId: update.team.id };
  deps.logger.info('admin: budget set', { ...whose, changes });
  sendJson(response, 200, update.user ? { user: update.user, team: update.team, changes } : { team: update.team, changes });
}
