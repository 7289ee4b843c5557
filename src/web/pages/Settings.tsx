import { api } from '../api.js';
import { Card } from '../components/Card.js';
import { ErrorNote, Loading } from '../components/Status.js';
import { useResource } from '../hooks.js';
import { BaselineSection } from './settings/BaselineSection.js';
import { BudgetsSection } from './settings/BudgetsSection.js';
import { CacheSection } from './settings/CacheSection.js';
import { PricesSection } from './settings/PricesSection.js';
import { ProviderRow } from './settings/ProviderRow.js';
import { RoutingSection } from './settings/RoutingSection.js';

/** config.json, section by section; each saves its own patch and says what applied. */
export function Settings() {
  const settings = useResource(api.settings, []);
  const data = settings.data;
  return (
    <>
      <div class="page-head">
        <h1>Settings</h1>
        {data && (
          <p class="muted">
            Saved to <code>{data.file}</code>
          </p>
        )}
      </div>
      {settings.error && <ErrorNote error={settings.error} retry={settings.reload} />}
      {!data && !settings.error && <Loading what="Loading settings" />}
      {data && data.needsRestart.length > 0 && (
        <div class="notice warn" role="status" data-testid="needs-restart">
          <span>
            Waiting for a restart of the daemon (<code>lodestar stop</code>, then <code>lodestar start</code>): {data.needsRestart.join(', ')}.
          </span>
        </div>
      )}
      {data && (
        <div class="grid settings-grid">
          <Card title="Providers and keys" class="span-full">
            <p class="muted small">Keys are stored in config.json and never shown again: only whether one is set and its last 4 characters.</p>
            <div class="provider-rows">
              {Object.entries(data.providers).map(([id, provider]) => (
                <ProviderRow key={id} id={id} provider={provider} onSaved={settings.set} />
              ))}
            </div>
          </Card>
          <BudgetsSection settings={data} onSaved={settings.set} />
          <RoutingSection settings={data} onSaved={settings.set} />
          <CacheSection settings={data} onSaved={settings.set} />
          <BaselineSection settings={data} onSaved={settings.set} />
          <div class="span-full">
            <PricesSection settings={data} onSaved={settings.set} />
          </div>
        </div>
      )}
    </>
  );
}
