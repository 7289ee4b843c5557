import type { OllamaHealth } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Badge, Empty } from '../../components/Status.js';
import { formatMiB, formatMs, relativeTime } from '../../format.js';

function sum(counts: Record<string, number> | undefined): number {
  return Object.values(counts ?? {}).reduce((total, count) => total + count, 0);
}

function state(ollama: OllamaHealth) {
  if (ollama.enabled === false) return <Badge tone="muted">off</Badge>;
  if (ollama.pending) return <Badge tone="muted">checking…</Badge>;
  return ollama.reachable ? <Badge tone="good">reachable</Badge> : <Badge tone="bad">not reachable</Badge>;
}

/** Ollama: whether it answers, what it holds in VRAM, and the local queue. */
export function OllamaCard({ ollama }: { ollama: OllamaHealth }) {
  if (ollama.enabled === false) {
    return (
      <Card title="Ollama" testid="ollama-status" aside={state(ollama)}>
        <Empty>Ollama is turned off in config.json (providers.ollama.enabled).</Empty>
      </Card>
    );
  }
  const loaded = ollama.loaded ?? [];
  return (
    <Card title="Ollama" testid="ollama-status" aside={state(ollama)}>
      <p class="file">{ollama.url}</p>
      <div class="stats">
        <div>
          <span class="stat-label">Latency</span>
          <span class="stat-value">{formatMs(ollama.latencyMs)}</span>
        </div>
        <div>
          <span class="stat-label">Models pulled</span>
          <span class="stat-value">{ollama.models ?? 0}</span>
        </div>
        <div>
          <span class="stat-label">Running / waiting</span>
          <span class="stat-value" data-testid="ollama-queue">
            {sum(ollama.queue?.inFlight)} / {sum(ollama.queue?.queued)}
          </span>
        </div>
      </div>
      {ollama.reason && <p class="muted small">{ollama.reason}</p>}
      {ollama.lastError && !ollama.reachable && <p class="last-error">{ollama.lastError}</p>}
      <h3 class="subhead">In VRAM</h3>
      {loaded.length === 0 ? (
        <p class="muted small">No model loaded.</p>
      ) : (
        <ul class="plain-list" data-testid="ollama-loaded">
          {loaded.map((model) => (
            <li key={model.name}>
              <code>{model.name}</code>
              <span class="muted">
                {formatMiB(model.vramMiB)}
                {model.offloaded && ` (${model.gpuPercent}% on the GPU)`}
                {model.expiresAt ? ` · unloads ${relativeTime(model.expiresAt)}` : ' · pinned'}
              </span>
              {model.offloaded && <Badge tone="warn">part on CPU</Badge>}
            </li>
          ))}
        </ul>
      )}
      {ollama.warnings?.map((warning) => (
        <p key={warning} class="notice warn">
          {warning}
        </p>
      ))}
      {ollama.checkedAt && <p class="muted small">Checked {relativeTime(ollama.checkedAt)}.</p>}
    </Card>
  );
}
