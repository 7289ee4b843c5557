import type { SettingsSaved } from '../api.js';

/** What a settings save did: the changes live now, and those that wait for a restart. */
export function SaveResult({ result }: { result: Pick<SettingsSaved, 'applied' | 'needsRestart'> | undefined }) {
  if (!result) return null;
  const { applied, needsRestart } = result;
  return (
    <div class="save-result" role="status" data-testid="save-result">
      {applied.length > 0 && (
        <p class="ok">
          <strong>Applied now:</strong> {applied.join(', ')}
        </p>
      )}
      {needsRestart.length > 0 && (
        <p class="restart">
          <strong>Needs a restart:</strong> {needsRestart.join(', ')}
        </p>
      )}
      {applied.length === 0 && needsRestart.length === 0 && <p class="ok">Nothing changed.</p>}
    </div>
  );
}
