import { useState } from 'preact/hooks';
import type { Settings } from '../../api.js';
import { FieldError } from '../../components/FieldError.js';
import { Section, useSaver } from './Section.js';

const PATHS = ['cache.enabled', 'cache.ttlSeconds'];

/** The response cache: on or off, and how long an answer is reused. */
export function CacheSection({ settings, onSaved }: { settings: Settings; onSaved: (settings: Settings) => void }) {
  const [enabled, setEnabled] = useState(settings.cache.enabled);
  const [ttl, setTtl] = useState(String(settings.cache.ttlSeconds));
  const saver = useSaver(onSaved);
  return (
    <Section
      title="Cache"
      description={`Answers to identical requests are reused at no cost (store: ${settings.cache.store}).`}
      saver={saver}
      paths={PATHS}
      saveTestid="save-cache"
      onSubmit={() => {
        const cache: Record<string, unknown> = {};
        if (enabled !== settings.cache.enabled) cache.enabled = enabled;
        if (ttl.trim() !== String(settings.cache.ttlSeconds)) cache.ttlSeconds = Number(ttl);
        void saver.save(Object.keys(cache).length ? { cache } : {});
      }}
    >
      <label class="check">
        <input type="checkbox" data-testid="cache-enabled" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} />
        Cache answers
      </label>
      <FieldError path="cache.enabled" error={saver.error} />
      <label class="field" for="cache-ttl">
        <span>Keep an answer for (seconds)</span>
        <input id="cache-ttl" data-testid="cache-ttl" type="number" min="1" step="1" value={ttl} onInput={(event) => setTtl(event.currentTarget.value)} />
        <FieldError path="cache.ttlSeconds" error={saver.error} />
      </label>
    </Section>
  );
}
