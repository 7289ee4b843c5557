import { useState } from 'preact/hooks';
import { formatTokens } from '../../../shared/format.js';
import { ErrorNote, Loading } from '../../components/Status.js';
import { TableCard } from '../../components/TableCard.js';
import { clockTime } from '../../format.js';
import { useInterval, useResource } from '../../hooks.js';
import { OutcomeCells } from '../../pages/overview/LiveRequests.js';
import { adminApi, type LiveRequest } from '../admin-api.js';

const ROWS = 50;
const POLL_MS = 3000;
const COLUMNS = [{ label: 'Time' }, { label: 'Who' }, { label: 'Model' }, { label: 'Tokens in / out', num: true }, { label: 'Cost', num: true }, { label: 'Latency', num: true }, { label: 'Status' }];

function Who({ request }: { request: LiveRequest }) {
  if (!request.user) return <span class="muted">no key</span>;
  return (
    <>
      <strong>{request.user.email ?? request.user.id}</strong>
      <span class="sub">
        {request.team?.name ?? request.team?.id ?? ''}
        {request.key && (
          <>
            {' · '}
            <code>{request.key.prefix ?? request.key.id}…</code>
          </>
        )}
      </span>
    </>
  );
}

/**
 * The latest requests of every instance with who sent them, from the team ledger, polled every
 * few seconds (an instance's events reach PostgreSQL in batches within a fraction of a second).
 */
export function Requests({ timeZone }: { timeZone: string }) {
  const requests = useResource(() => adminApi.requests(ROWS), []);
  const [paused, setPaused] = useState(false);
  useInterval(() => {
    if (!paused && document.visibilityState === 'visible') requests.reload();
  }, POLL_MS);
  const list = requests.data?.requests;
  const state = paused ? 'closed' : requests.error ? 'connecting' : 'live';

  return (
    <>
      <div class="page-head">
        <h1>Live requests</h1>
        <p class="muted">The latest {ROWS} requests on every instance, newest first, with who sent them.</p>
      </div>
      {requests.error && <ErrorNote error={requests.error} retry={requests.reload} />}
      {!list && !requests.error && <Loading what="Reading the ledger" />}
      {list && (
        <TableCard
          title="Latest requests"
          testid="live-requests"
          tableClass="table stack live"
          columns={COLUMNS}
          count={list.length}
          empty="No requests yet. They appear here as the server answers them."
          aside={
            <span class="live-aside">
              <span class={`live-dot ${state}`} role="status">
                {paused ? 'paused' : requests.error ? 'retrying…' : `live · every ${POLL_MS / 1000} s`}
              </span>
              <button type="button" class="button small" data-testid="live-pause" onClick={() => setPaused(!paused)}>
                {paused ? 'Resume' : 'Pause'}
              </button>
            </span>
          }
        >
          {list.map((request) => (
            <tr key={request.id} data-testid="live-request" data-request-id={request.id}>
              <td data-label="Time" class="mono">
                {clockTime(request.time, timeZone)}
              </td>
              <td data-label="Who" class="wide">
                <Who request={request} />
              </td>
              <td data-label="Model" class="model-cell wide">
                {request.model ?? request.requestedModel}
                <span class="sub">{[request.provider, request.project, request.tool].filter(Boolean).join(' · ')}</span>
              </td>
              <td data-label="Tokens" class="num muted nowrap">
                {request.inputTokens === null ? '–' : formatTokens(request.inputTokens)} / {request.outputTokens === null ? '–' : formatTokens(request.outputTokens)}
              </td>
              <OutcomeCells request={request} />
            </tr>
          ))}
        </TableCard>
      )}
    </>
  );
}
