/**
 * Resolves models against the bundled price table in a process of its own, so that the daemon
 * never loads the table (Pricing.prefetchApart). Takes one argument, JSON
 * `{ at, models: [{ provider, model }] }`; writes `{ "provider/model": entry or null }` as JSON.
 */
import { createRequire } from 'node:module';
import type { ProviderId } from '../../shared/provider-ids.js';
import { resolveInTable, type TableEntry } from './pricing.js';

const request = JSON.parse(process.argv[2] ?? '{}') as { at?: string; models?: Array<{ provider: ProviderId; model: string }> };
const at = new Date(request.at ?? Date.now());
const table = createRequire(import.meta.url)('@pydantic/genai-prices') as typeof import('@pydantic/genai-prices');
const entries: Record<string, TableEntry | null> = {};
for (const { provider, model } of request.models ?? []) entries[`${provider}/${model}`] = resolveInTable(table, provider, model, at);
process.stdout.write(JSON.stringify(entries));
