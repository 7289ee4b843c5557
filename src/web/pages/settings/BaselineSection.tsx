import { useState } from 'preact/hooks';
import type { Settings } from '../../api.js';
import { FieldError } from '../../components/FieldError.js';
import { Section, useSaver } from './Section.js';

/** The model savings are measured against. */
export function BaselineSection({ settings, onSaved }: { settings: Settings; onSaved: (settings: Settings) => void }) {
  const [baseline, setBaseline] = useState(settings.baseline);
  const saver = useSaver(onSaved);
  return (
    <Section
      title="Baseline model"
      description="Savings are what the same tokens would have cost on this model."
      saver={saver}
      paths={['baseline']}
      saveTestid="save-baseline"
      onSubmit={() => void saver.save(baseline.trim() === settings.baseline ? {} : { baseline: baseline.trim() })}
    >
      <label class="field" for="baseline-input">
        <span>Model id (provider/model)</span>
        <input id="baseline-input" data-testid="baseline-input" type="text" spellcheck={false} value={baseline} onInput={(event) => setBaseline(event.currentTarget.value)} />
        <FieldError path="baseline" error={saver.error} />
      </label>
    </Section>
  );
}
