/**
 * Resolves models against the bundled price table in a process of its own, so that the daemon
 * never loads the table (Pricing.prefetchApart). Takes one argument, JSON
 * `{ at, models: [{ provider, model }] }`; writes `{ "provider/model": entry or null }` as JSON.
 */
import type { ProviderId } from '../../shared/provider-ids.js';
import { resolveInTable, withTable, type TableEntry } from './pricing.js';

const request = JSON.parse(process.argv[2] ?? '{}') as { at?: string; models?: Array<{ provider: ProviderId; model: string }> };
const at = new Date(request.at ?? Date.now());
const entries: Record<string, TableEntry | null> = {};
withTable((table) => {
  for (const { provider, model } of request.models ?? []) entries[`${provider}/${model}`] = resolveInTable(table, provider, model, at);
});
process.stdout.write(JSON.stringify(entries));
