import { useState } from 'preact/hooks';
import { api, asApiError, type ApiError, type WarmResult } from '../../api.js';
import { Card } from '../../components/Card.js';
import { Badge, ErrorNote } from '../../components/Status.js';
import { formatMs } from '../../format.js';

const OUTCOME = { loaded: ['good', 'loaded'], ready: ['info', 'already in VRAM'], skipped: ['muted', 'not loaded'], failed: ['bad', 'failed'] } as const;

/** Load the local models to warm (pinned, marked warm, or the router's first local pick) now. */
export function WarmCard({ onWarmed }: { onWarmed: () => void }) {
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<WarmResult[] | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);

  const warm = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setResults((await api.warm()).results);
      onWarmed();
    } catch (reason) {
      setError(asApiError(reason));
    }
    setBusy(false);
  };

  return (
    <Card
      title="Warm models"
      testid="warm"
      aside={
        <button type="button" class="button primary small" data-testid="warm-button" disabled={busy} onClick={warm}>
          {busy ? 'Warming…' : 'Warm models'}
        </button>
      }
    >
      <p class="muted small">Loads the pinned and warm models of config.json, or the router's first local pick, so that the first request does not wait for a load.</p>
      {error && <ErrorNote error={error} />}
      {results && results.length === 0 && <p class="muted">Nothing to warm: no local model is pinned or marked warm, and the router picks no local model.</p>}
      {results && results.length > 0 && (
        <ul class="plain-list" data-testid="warm-results">
          {results.map((result) => {
            const [tone, label] = OUTCOME[result.outcome];
            return (
              <li key={result.model} data-testid={`warm-result-${result.model}`}>
                <code>{result.model}</code>
                <Badge tone={tone}>{label}</Badge>
                <span class="muted">
                  {[result.ms === undefined ? undefined : formatMs(result.ms), result.reason, result.evicted?.length ? `unloaded ${result.evicted.join(', ')}` : undefined].filter(Boolean).join(' · ')}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
