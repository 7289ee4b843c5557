import { useState } from 'preact/hooks';
import type { Settings } from '../../api.js';
import { FieldError } from '../../components/FieldError.js';
import { Section, useSaver } from './Section.js';

interface Row {
  /** For React's key: rows have no id of their own while the model is being typed. */
  key: number;
  model: string;
  input: string;
  output: string;
}

let nextKey = 0;
const rowsOf = (prices: Settings['prices']): Row[] => Object.entries(prices).map(([model, price]) => ({ key: nextKey++, model, input: String(price.input), output: String(price.output) }));

/** The user's own prices per model, USD per million tokens; they win over the bundled table. */
export function PricesSection({ settings, onSaved }: { settings: Settings; onSaved: (settings: Settings) => void }) {
  const [rows, setRows] = useState(() => rowsOf(settings.prices));
  const saver = useSaver(onSaved);
  const paths = rows.flatMap((row) => [`prices.${row.model.trim()}`, `prices.${row.model.trim()}.input`, `prices.${row.model.trim()}.output`]);

  const update = (key: number, change: Partial<Row>) => setRows(rows.map((row) => (row.key === key ? { ...row, ...change } : row)));
  const submit = () => {
    // An empty price would go as 0 (free): ask for a number instead.
    for (const row of rows) {
      const model = row.model.trim();
      if (!model) continue;
      if (row.input.trim() === '') return saver.reject(`prices.${model}.input`, 'Enter the input price (0 for free).');
      if (row.output.trim() === '') return saver.reject(`prices.${model}.output`, 'Enter the output price (0 for free).');
    }
    const kept = new Set(rows.map((row) => row.model.trim()).filter(Boolean));
    const patch: Record<string, { input: number; output: number } | null> = {};
    // A model removed from the table: null removes its price from config.json.
    for (const model of Object.keys(settings.prices)) if (!kept.has(model)) patch[model] = null;
    for (const row of rows) {
      const model = row.model.trim();
      const current = settings.prices[model];
      if (model && (!current || String(current.input) !== row.input.trim() || String(current.output) !== row.output.trim())) patch[model] = { input: Number(row.input), output: Number(row.output) };
    }
    void saver.save(Object.keys(patch).length ? { prices: patch } : {}).then((saved) => {
      if (saved) setRows(rows.filter((row) => row.model.trim()));
    });
  };

  return (
    <Section title="Price overrides" description="Your own prices, in USD per million tokens, for models the bundled table lacks or prices wrong." saver={saver} paths={paths} saveTestid="save-prices" onSubmit={submit}>
      {rows.length === 0 && <p class="muted">No price overrides: the bundled price table applies.</p>}
      {rows.length > 0 && (
        <table class="table stack prices" data-testid="prices-table">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col">Input $/M</th>
              <th scope="col">Output $/M</th>
              <th scope="col">
                <span class="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const model = row.model.trim();
              return (
                <tr key={row.key}>
                  <td data-label="Model" class="wide">
                    <input type="text" aria-label="Model id" data-testid={`price-model-${index}`} spellcheck={false} placeholder="provider/model" value={row.model} onInput={(event) => update(row.key, { model: event.currentTarget.value })} />
                    <FieldError path={`prices.${model}`} error={saver.error} />
                  </td>
                  <td data-label="Input $/M">
                    <input type="number" aria-label={`Input price of ${model || 'this model'}, USD per million tokens`} data-testid={`price-input-${index}`} min="0" step="any" value={row.input} onInput={(event) => update(row.key, { input: event.currentTarget.value })} />
                    <FieldError path={`prices.${model}.input`} error={saver.error} />
                  </td>
                  <td data-label="Output $/M">
                    <input type="number" aria-label={`Output price of ${model || 'this model'}, USD per million tokens`} data-testid={`price-output-${index}`} min="0" step="any" value={row.output} onInput={(event) => update(row.key, { output: event.currentTarget.value })} />
                    <FieldError path={`prices.${model}.output`} error={saver.error} />
                  </td>
                  <td>
                    <button type="button" class="button small ghost" data-testid={`remove-price-${index}`} onClick={() => setRows(rows.filter((item) => item.key !== row.key))}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      <button type="button" class="button small" data-testid="add-price" onClick={() => setRows([...rows, { key: nextKey++, model: '', input: '', output: '' }])}>
        Add a price
      </button>
    </Section>
  );
}
