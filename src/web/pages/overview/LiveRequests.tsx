import { formatMoney } from '../../../shared/format.js';
import type { RequestEvent } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Badge, Empty } from '../../components/Status.js';
import { clockTime, formatMs } from '../../format.js';
import type { LiveState } from '../../hooks.js';

const LIVE_LABEL: Record<LiveState, string> = { connecting: 'connecting…', live: 'live', closed: 'disconnected' };

/** What the outcome cells read of a request: the local daemon's events and the team server's ledger rows alike (null there is unknown). */
export interface RequestOutcome {
  status: RequestEvent['status'];
  httpStatus: number;
  error?: string | null;
  costUsd?: number | null;
  latencyMs: number;
  cacheHit?: boolean | null;
  budgetLimited?: boolean | null;
}

function StatusBadge({ request }: { request: RequestOutcome }) {
  if (request.status === 'ok') return request.cacheHit ? <Badge tone="info">cached</Badge> : <Badge tone="good">ok</Badge>;
  if (request.status === 'aborted') return <Badge tone="muted">aborted</Badge>;
  return (
    <Badge tone="bad" title={request.error ?? undefined}>
      {request.httpStatus ? `error ${request.httpStatus}` : 'error'}
    </Badge>
  );
}

/** A request's cost, latency and outcome, as three cells of a row (the team server's live list has them too). */
export function OutcomeCells({ request }: { request: RequestOutcome }) {
  const cost = request.costUsd ?? undefined;
  return (
    <>
      <td data-label="Cost" class="num">
        {request.cacheHit ? '$0' : cost === undefined && request.status !== 'ok' ? '–' : formatMoney(cost)}
      </td>
      <td data-label="Latency" class="num">
        {formatMs(request.latencyMs)}
      </td>
      <td data-label="Status">
        <StatusBadge request={request} />
        {request.budgetLimited && (
          <Badge tone="warn" title="A hard budget kept paid models out of this request">
            budget
          </Badge>
        )}
      </td>
    </>
  );
}

/** The latest requests as the daemon finishes them, newest first. */
export function LiveRequests({ requests, live, timeZone }: { requests: RequestEvent[]; live: LiveState; timeZone: string }) {
  return (
    <Card
      title="Latest requests"
      class="span-full"
      testid="live-requests"
      aside={
        <span class={`live-dot ${live}`} role="status">
          {LIVE_LABEL[live]}
        </span>
      }
    >
      {requests.length === 0 ? (
        <Empty>No requests yet. They appear here as the daemon answers them.</Empty>
      ) : (
        <table class="table stack live">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Project</th>
              <th scope="col">Task</th>
              <th scope="col">Model</th>
              <th scope="col" class="num">
                Cost
              </th>
              <th scope="col" class="num">
                Latency
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {requests.map((request) => (
              <tr key={request.id} data-testid="live-request">
                <td data-label="Time" class="mono">
                  {clockTime(request.time, timeZone)}
                </td>
                <td data-label="Project">{request.project ?? '–'}</td>
                <td data-label="Task">{request.task ?? '–'}</td>
                <td data-label="Model" class="model-cell wide">
                  {request.model ?? request.requestedModel}
                  {request.consensus && <span class="muted"> · consensus {request.consensus.role === 'judge' ? 'judge' : request.consensus.chosen ? '(chosen)' : 'member'}</span>}
                  {request.ab && <span class="muted"> · A/B arm {request.ab.arm.toUpperCase()}</span>}
                </td>
                <OutcomeCells request={request} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
