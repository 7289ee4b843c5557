// Typed calls to the team server's admin pages (src/server/admin-ui/), same-origin with the
// session cookie, through the local UI's own call (an answer that is not 2xx is an ApiError).

import type { AdminSessionView, LiveRequest, QuotaStanding, QuotaView, TeamView, UserListingView } from '../../shared/admin-ui-facts.js';
import type { TeamReport, TeamReportRow } from '../../shared/team-report-facts.js';
import { call, type CallOptions } from '../api.js';

export type { AdminSessionView, LiveRequest, QuotaStanding, QuotaView, TeamReport, TeamReportRow, TeamView, UserListingView };

const BASE = '/admin-ui';
const options: CallOptions = { unreachable: 'The Lodestar server does not answer. Is it running, and is its address right?' };
const get = <T>(path: string) => call<T>('GET', `${BASE}${path}`, undefined, options);

export const adminApi = {
  session: () => get<AdminSessionView>('/api/session'),
  /** The admin key goes once, as the admin API takes it; the answer sets the session cookie. */
  logIn: (key: string) => call<{ loggedIn: true; key: string }>('POST', `${BASE}/login`, {}, { ...options, headers: { authorization: `Bearer ${key.trim()}` } }),
  logOut: () => call<void>('POST', `${BASE}/logout`, {}, options),
  teams: () => get<{ teams: TeamView[] }>('/api/teams'),
  users: () => get<{ users: UserListingView[] }>('/api/users'),
  quotas: () => get<QuotaView>('/api/quotas'),
  /** `month` YYYY-MM; empty: this month. */
  report: (by: 'user' | 'team', month: string) => get<TeamReport>(`/api/report?${new URLSearchParams(month ? { by, month } : { by }).toString()}`),
  requests: (limit: number) => get<{ requests: LiveRequest[] }>(`/api/requests?limit=${limit}`),
};
