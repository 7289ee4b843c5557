import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { api, ApiError, asApiError, type Settings, type SettingsPatch, type SettingsSaved } from '../../api.js';
import { Card } from '../../components/Card.js';
import { FormError } from '../../components/FieldError.js';
import { SaveResult } from '../../components/SaveResult.js';

export interface Saver {
  saving: boolean;
  error: ApiError | undefined;
  result: Pick<SettingsSaved, 'applied' | 'needsRestart'> | undefined;
  /** PUT /api/ui/settings (an empty patch: nothing to send); true when it was saved. */
  save: (patch: SettingsPatch) => Promise<boolean>;
  /** A field the page itself finds wrong, shown as the daemon's errors are, without a call. */
  reject: (param: string, message: string) => void;
}

/** Saving a patch of config.json: its state, what it applied, and the error of a failed one. */
export function useSaver(onSaved: (settings: Settings) => void): Saver {
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const [result, setResult] = useState<Pick<SettingsSaved, 'applied' | 'needsRestart'> | undefined>(undefined);
  const save = async (patch: SettingsPatch) => {
    if (Object.keys(patch).length === 0) {
      setError(undefined);
      setResult({ applied: [], needsRestart: [] });
      return true;
    }
    setSaving(true);
    setError(undefined);
    setResult(undefined);
    try {
      const saved = await api.saveSettings(patch);
      setResult(saved);
      onSaved(saved.settings);
      return true;
    } catch (reason) {
      setError(asApiError(reason));
      return false;
    } finally {
      setSaving(false);
    }
  };
  const reject = (param: string, message: string) => {
    setResult(undefined);
    setError(new ApiError(400, message, param));
  };
  return { saving, error, result, save, reject };
}

interface Props {
  title: string;
  description: string;
  saver: Saver;
  /** The config paths of the section's fields: an error on another shows above the button. */
  paths: readonly string[];
  nested?: readonly string[];
  saveTestid: string;
  onSubmit: () => void;
  children: ComponentChildren;
}

/** A card of settings with one Save: the fields, the error no field claims, what the save did. */
export function Section({ title, description, saver, paths, nested, saveTestid, onSubmit, children }: Props) {
  return (
    <Card title={title}>
      <p class="muted small">{description}</p>
      <form
        class="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          onSubmit();
        }}
      >
        {children}
        <FormError error={saver.error} paths={paths} nested={nested} />
        <SaveResult result={saver.result} />
        <div class="actions">
          <button type="submit" class="button primary" data-testid={saveTestid} disabled={saver.saving}>
            {saver.saving ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Card>
  );
}
