import { useState } from 'preact/hooks';
import type { KeyStatus, Settings } from '../../api.js';
import { FieldError, FormError } from '../../components/FieldError.js';
import { SaveResult } from '../../components/SaveResult.js';
import { Badge } from '../../components/Status.js';
import { providerName } from '../providers/ProviderCard.js';
import { useSaver } from './Section.js';

/** What the page says of a key: whether it is set and its last 4 characters, never the key. */
function keyText(key: KeyStatus): string {
  if (!key.set) return 'not set';
  const end = key.last4 ? `, ends in ••••${key.last4}` : '';
  return key.from === 'environment' ? `set${end}, from the environment (${key.variable})` : `set${end}`;
}

interface Props {
  id: string;
  provider: Settings['providers'][string];
  onSaved: (settings: Settings) => void;
}

/** One provider: on or off, its base URL, and its API key (replace or remove, never shown). */
export function ProviderRow({ id, provider, onSaved }: Props) {
  const [draft, setDraft] = useState('');
  const saver = useSaver(onSaved);
  const { key } = provider;
  const keyPath = `providers.${id}.apiKey`;
  const enabledPath = `providers.${id}.enabled`;

  const saveKey = async (value: string | null) => {
    if (await saver.save({ providers: { [id]: { apiKey: value } } })) setDraft('');
  };

  return (
    <div class="provider-row" data-testid={`settings-provider-${id}`}>
      <div class="provider-row-head">
        <label class="check">
          <input type="checkbox" data-testid={`provider-enabled-${id}`} checked={provider.enabled} disabled={saver.saving} onChange={(event) => void saver.save({ providers: { [id]: { enabled: event.currentTarget.checked } } })} />
          <strong>{providerName(id)}</strong>
        </label>
        {!provider.enabled && <Badge tone="muted">off</Badge>}
        <code class="base-url" title="Base URL">
          {provider.baseUrl}
        </code>
      </div>
      <FieldError path={enabledPath} error={saver.error} />
      {key === null ? (
        <p class="muted small key-status">No API key needed.</p>
      ) : (
        <div class="key">
          <p class="key-status">
            API key:{' '}
            <span data-testid={`key-status-${id}`} class={key.set ? undefined : 'muted'}>
              {keyText(key)}
            </span>
          </p>
          {key.from === 'environment' ? (
            <p class="muted small">It wins over config.json, so it can't be replaced or removed here: unset {key.variable} where the daemon starts, and restart it.</p>
          ) : (
            <form
              class="key-form"
              onSubmit={(event) => {
                event.preventDefault();
                if (draft.trim()) void saveKey(draft.trim());
              }}
            >
              <label class="sr-only" for={`key-input-${id}`}>
                New API key for {providerName(id)}
              </label>
              <input
                id={`key-input-${id}`}
                data-testid={`key-input-${id}`}
                type="password"
                autoComplete="new-password"
                spellcheck={false}
                placeholder={key.set ? 'Replace the key' : 'Paste an API key'}
                value={draft}
                aria-invalid={saver.error?.param === keyPath}
                onInput={(event) => setDraft(event.currentTarget.value)}
              />
              <button type="submit" class="button primary small" data-testid={`save-key-${id}`} disabled={saver.saving || !draft.trim()}>
                Save key
              </button>
              {key.set && (
                <button type="button" class="button small danger" data-testid={`remove-key-${id}`} disabled={saver.saving} onClick={() => void saveKey(null)}>
                  Remove
                </button>
              )}
            </form>
          )}
          <FieldError path={keyPath} error={saver.error} />
        </div>
      )}
      <FormError error={saver.error} paths={[keyPath, enabledPath]} />
      <SaveResult result={saver.result} />
    </div>
  );
}
