import { parseReportQuery, ReportQueryError, type ReportWords } from '../../ledger/report-query.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import type { Route } from '../server.js';

/** GET /api/usage?month=2026-11&by=model&...: what `lodestar report --json` prints, same words. */
export function usageRoute(context: DaemonContext): Route {
  return {
    method: 'GET',
    path: '/api/usage',
    auth: true,
    handle(_request, response, params) {
      const search = new URLSearchParams(params.query);
      const words: ReportWords = {};
      for (const word of ['month', 'day', 'since', 'until', 'project', 'by', 'timezone'] as const) {
        const value = search.get(word);
        if (value === null) continue;
        if (word === 'month' || word === 'day') words[word] = value === '' || value === 'true' ? true : value;
        else words[word] = value;
      }
      try {
        sendJson(response, 200, context.ledger.report(parseReportQuery(words)));
      } catch (error) {
        if (error instanceof ReportQueryError) throw new HttpError(400, error.message.replace(/--(\w+)/g, '$1'), { param: error.word });
        throw error;
      }
    },
  };
}
