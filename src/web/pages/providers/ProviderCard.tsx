import { PROVIDERS, isProviderId } from '../../../shared/provider-ids.js';
import type { ProviderHealth } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Badge } from '../../components/Status.js';
import { clockTime, formatCount, formatMs, relativeTime } from '../../format.js';

export const providerName = (id: string): string => (isProviderId(id) ? PROVIDERS[id].displayName : id);

function CircuitBadge({ health, timeZone }: { health: ProviderHealth; timeZone: string }) {
  if (health.state === 'closed') return <Badge tone="good">healthy</Badge>;
  if (health.state === 'half-open') return <Badge tone="warn">probing</Badge>;
  return (
    <Badge tone="bad" title="Its circuit is open: requests skip it until a probe succeeds">
      {health.retryAt ? `open until ${clockTime(health.retryAt, timeZone, false)}` : 'open'}
    </Badge>
  );
}

/** One upstream: its circuit breaker's state, latency, counts and last error. */
export function ProviderCard({ id, health, timeZone }: { id: string; health: ProviderHealth; timeZone: string }) {
  return (
    <Card title={providerName(id)} testid={`provider-${id}`} aside={<CircuitBadge health={health} timeZone={timeZone} />}>
      <div class="stats">
        <div>
          <span class="stat-label">Latency</span>
          <span class="stat-value">{formatMs(health.latencyMs)}</span>
        </div>
        <div>
          <span class="stat-label">Succeeded</span>
          <span class="stat-value">{formatCount(health.successes)}</span>
        </div>
        <div>
          <span class="stat-label">Failed</span>
          <span class={`stat-value${health.failures > 0 ? ' bad' : ''}`}>{formatCount(health.failures)}</span>
        </div>
      </div>
      {health.lastError ? (
        <p class="last-error">
          <span class="muted">Last error{health.lastErrorAt ? `, ${relativeTime(health.lastErrorAt)}` : ''}:</span> {health.lastError}
        </p>
      ) : (
        <p class="muted small">No errors.</p>
      )}
    </Card>
  );
}
