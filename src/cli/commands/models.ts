import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { localModelSettings } from '../../config/ollama-models.js';
import { estimateLoadedMiB, usableVramMiB } from '../../gpu/fit.js';
import { readGpus } from '../../gpu/nvidia-smi.js';
import { readToken } from '../../shared/token.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';
import { Pricing } from '../../ledger/pricing/pricing.js';
import { polyglotScore } from '../../router/benchmarks.js';
import { CATALOG } from '../../router/catalog.js';
import { TASKS, type Task } from '../../router/classify-task.js';
import { buildProfiles } from '../../router/profiles.js';
import { estimateCost, rankCandidates, TYPICAL_OUTPUT_TOKENS, type ModelProfile } from '../../router/rank.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../../shared/provider-ids.js';
import { LodestarError, UsageError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { getJson } from '../http-json.js';
import { formatMoney } from '../output/format.js';
import { renderTable } from '../output/table.js';

/**
 * A typical Aider session, for comparing models by what they would cost in use: 20 edits,
 * 3 architect plans, 5 questions, 10 commit messages, 2 history summaries (input tokens with
 * repo map and files, output tokens).
 */
export const TYPICAL_SESSION: ReadonlyArray<{ task: Task; count: number; input: number; output: number }> = [
  { task: 'edit', count: 20, input: 12_000, output: 800 },
  { task: 'architect', count: 3, input: 12_000, output: 1_200 },
  { task: 'chat', count: 5, input: 8_000, output: 500 },
  { task: 'commit', count: 10, input: 1_500, output: 30 },
  { task: 'summary', count: 2, input: 4_000, output: 400 },
];

export interface ModelRow {
  id: string;
  provider: ProviderId;
  local: boolean;
  available: boolean;
  /** Why not, when not available. */
  unavailable: string | undefined;
  contextWindow: number | undefined;
  price: { inputPerMTok: number; outputPerMTok: number } | null;
  quality: number | null;
  qualitySource: string | null;
  sessionCostUsd: number | null;
  /** Local models: size on disk and whether it fits this GPU's VRAM (estimated). */
  sizeBytes?: number;
  fitsVram?: boolean | null;
  loaded: boolean;
}

export function registerModels(program: Command, context: CliContext): void {
  const models = program.command('models').description('the models Lodestar knows: price, context, quality, availability');
  models
    .command('list')
    .description('every model known, with provider, price, context window, quality score, availability, fits-in-VRAM')
    .option('--json', 'print JSON only')
    .action(async (options: { json?: boolean }) => {
      const rows = await modelRows(context.config(), context.env);
      if (options.json) {
        context.output.json(rows);
        return;
      }
      context.output.line(renderTable(LIST_COLUMNS, rows.map(listRow), context.output.isTTY ? context.output.columns : 180));
      context.output.line('');
      context.output.line(
        'Quality: % on Aider\'s polyglot benchmark (Aider-AI/aider, Apache-2.0); "?" = no benchmark, score or rule covers it. Session: a typical Aider session (20 edits, 3 plans, 5 questions, 10 commits, 2 summaries) on that model alone.',
      );
    });
  models
    .command('recommend')
    .description('the cheapest adequate models for a task, ranked, with why')
    .option('--task <task>', `one of ${TASKS.join(', ')}`, 'edit')
    .option('--json', 'print JSON only')
    .action(async (options: { task: string; json?: boolean }) => {
      if (!(TASKS as readonly string[]).includes(options.task)) throw new UsageError(`--task must be one of ${TASKS.join(', ')}, got ${JSON.stringify(options.task)}`);
      const task = options.task as Task;
      const loaded = context.config();
      const rows = await modelRows(loaded, context.env);
      const recommendation = recommend(rows, task, loaded);
      if (options.json) context.output.json(recommendation);
      else for (const line of describeRecommendation(recommendation)) context.output.line(line);
    });
  models
    .command('warm')
    .description('load local models into VRAM now (none named: the pinned and warm ones of config, or the first local pick)')
    .argument('[model...]', 'Ollama models, like qwen2.5-coder:3b or ollama/qwen2.5-coder:3b')
    .option('--json', 'print JSON only')
    .action(async (names: string[], options: { json?: boolean }) => {
      const loaded = context.config();
      const { state, started } = await ensureDaemon(loaded.paths, loaded.config.port, context.env);
      if (started && !options.json) context.output.note(`Started Lodestar on ${state.url} (pid ${state.pid}).`);
      const reply = await callDaemon(state, '/api/models/warm', {
        method: 'POST',
        token: readToken(loaded.paths.token),
        body: names.length ? { models: names } : {},
        // A cold load can take minutes on a slow disk; Ollama itself gives up after 5.
        timeoutMs: 6 * 60_000 * Math.max(1, names.length),
      });
      const body = reply.body as { results?: WarmResultView[]; error?: { message?: string } };
      if (reply.status !== 200 || !body.results) throw new LodestarError(body.error?.message ?? `the daemon answered ${reply.status}`);
      if (options.json) context.output.json(body);
      else for (const line of describeWarm(body.results)) context.output.line(line);
      if (body.results.some((result) => result.outcome === 'failed')) context.exitCode = 1;
    });
}

interface WarmResultView {
  model: string;
  outcome: 'loaded' | 'ready' | 'skipped' | 'failed';
  ms?: number;
  reason?: string;
  evicted?: string[];
}

function describeWarm(results: readonly WarmResultView[]): string[] {
  if (!results.length) return ['Nothing to warm: no local model is pinned or marked warm in config, and the router picks no local model (is Ollama running, with a model pulled?).'];
  return results.map((result) => {
    const seconds = result.ms === undefined ? '' : ` in ${(result.ms / 1000).toFixed(1)} s`;
    const detail = [result.reason, result.evicted?.length ? `unloaded ${result.evicted.join(', ')} to make room` : undefined].filter(Boolean).join('; ');
    const what = { loaded: `loaded${seconds}`, ready: 'already in VRAM', skipped: 'not loaded', failed: 'failed' }[result.outcome];
    return `${result.model}: ${what}${detail ? ` (${detail})` : ''}`;
  });
}

async function modelRows(loaded: LoadedConfig, env: NodeJS.ProcessEnv): Promise<ModelRow[]> {
  const { config } = loaded;
  const ollama = config.providers.ollama;
  const [tags, ps, gpu] = await Promise.all([
    ollama.enabled ? getJson(`${ollama.baseUrl}/api/tags`, 1500) : Promise.resolve({ ok: false as const, error: 'disabled' }),
    ollama.enabled ? getJson(`${ollama.baseUrl}/api/ps`, 1500) : Promise.resolve({ ok: false as const, error: 'disabled' }),
    readGpus(env),
  ]);
  const pulled = new Map<string, number>();
  if (tags.ok) for (const entry of (tags.body as { models?: Array<{ name?: string; size?: number }> }).models ?? []) if (entry.name) pulled.set(entry.name.replace(/:latest$/, ''), entry.size ?? 0);
  const inVram = new Set<string>();
  if (ps.ok) for (const entry of (ps.body as { models?: Array<{ name?: string }> }).models ?? []) if (entry.name) inVram.add(entry.name.replace(/:latest$/, ''));
  const configured = new Set(PROVIDER_IDS.filter((id) => config.providers[id].enabled && (!PROVIDERS[id].apiKeyEnv || config.providers[id].apiKey)));
  const pricing = new Pricing(config.prices);
  const now = new Date();
  const localNames = [...new Set([...CATALOG.filter((entry) => entry.local).map((entry) => entry.model), ...pulled.keys(), ...Object.keys(ollama.models)])];
  // Every known model, available or not: the catalog's, the pulled and configured local ones, config's.
  const profiles = buildProfiles({
    catalog: CATALOG,
    providers: new Set(PROVIDER_IDS),
    localModels: localNames,
    loaded: inVram,
    localContext: (model) => ollama.models[model]?.numCtx ?? ollama.numCtx,
    overrides: config.models,
    price: (provider, model) => {
      const rates = pricing.rates(provider, model, {}, now);
      return rates && { inputPerMTok: rates.inputPerMTok, outputPerMTok: rates.outputPerMTok };
    },
    benchmark: (id) => {
      const score = polyglotScore(id);
      return score && { value: score.value, source: `Aider polyglot ${score.row.date}: ${score.row.name}` };
    },
  });
  const usableMiB = usableVramMiB(gpu.kind === 'ok' ? gpu.gpus[0] : undefined);
  return profiles.map((profile) => {
    const unavailable = unavailableBecause(profile, configured, pulled, tags.ok, config.providers.ollama.enabled);
    const row: ModelRow = {
      id: profile.id,
      provider: profile.provider,
      local: profile.local,
      available: unavailable === undefined,
      unavailable,
      contextWindow: profile.contextWindow,
      price: profile.price ?? null,
      quality: profile.quality ?? null,
      qualitySource: profile.qualitySource ?? null,
      sessionCostUsd: sessionCost(profile) ?? null,
      loaded: profile.loaded,
    };
    if (profile.local) {
      const size = pulled.get(profile.model);
      if (size !== undefined) row.sizeBytes = size;
      row.fitsVram = size === undefined || usableMiB === undefined ? null : estimateLoadedMiB(size, localModelSettings(ollama, profile.model).numCtx) <= usableMiB;
    }
    return row;
  });
}

function unavailableBecause(profile: ModelProfile, configured: ReadonlySet<ProviderId>, pulled: ReadonlyMap<string, number>, ollamaAnswers: boolean, ollamaEnabled: boolean): string | undefined {
  if (profile.local) {
    if (!ollamaEnabled) return 'Ollama disabled in config';
    if (!ollamaAnswers) return 'Ollama does not answer';
    return pulled.has(profile.model) ? undefined : `not pulled (ollama pull ${profile.model})`;
  }
  if (!configured.has(profile.provider)) return PROVIDERS[profile.provider].apiKeyEnv ? `${PROVIDERS[profile.provider].apiKeyEnv} not set` : 'disabled';
  return undefined;
}

/** USD for the typical session on this model alone; 0 for local; undefined if its price is unknown. */
export function sessionCost(profile: ModelProfile): number | undefined {
  let total = 0;
  for (const part of TYPICAL_SESSION) {
    const cost = estimateCost(profile, part.input, part.output);
    if (cost === undefined) return undefined;
    total += cost * part.count;
  }
  return total;
}

const LIST_COLUMNS = [
  { header: 'model', flexible: true },
  { header: 'in $/M', align: 'right' as const },
  { header: 'out $/M', align: 'right' as const },
  { header: 'context', align: 'right' as const },
  { header: 'quality', align: 'right' as const },
  { header: 'session', align: 'right' as const },
  { header: 'available', flexible: true },
];

function listRow(row: ModelRow): string[] {
  const local = row.local ? `${row.loaded ? 'in VRAM' : row.fitsVram === true ? 'fits VRAM' : row.fitsVram === false ? 'too big for VRAM' : 'local'}` : '';
  return [
    row.id,
    row.price ? String(row.price.inputPerMTok) : '?',
    row.price ? String(row.price.outputPerMTok) : '?',
    row.contextWindow === undefined ? '?' : row.contextWindow >= 1000 ? `${Math.round(row.contextWindow / 1000)}k` : String(row.contextWindow),
    row.quality === null ? '?' : `${row.quality}%`,
    row.sessionCostUsd === null ? '?' : formatMoney(row.sessionCostUsd),
    [row.available ? 'yes' : `no: ${row.unavailable}`, local].filter(Boolean).join(', '),
  ];
}

interface Recommendation {
  task: Task;
  floor: number;
  ranked: Array<ModelRow & { rank: number; why: string }>;
  excluded: Array<{ id: string; why: string }>;
  /** The first available model of the ranking. */
  choice: string | undefined;
}

function recommend(rows: readonly ModelRow[], task: Task, loaded: LoadedConfig): Recommendation {
  const part = TYPICAL_SESSION.find((entry) => entry.task === task);
  const profiles: ModelProfile[] = rows.map((row) => ({
    id: row.id,
    provider: row.provider,
    model: row.id.slice(row.id.indexOf('/') + 1),
    local: row.local,
    contextWindow: row.contextWindow,
    price: row.price ?? undefined,
    quality: row.quality ?? undefined,
    qualitySource: row.qualitySource ?? undefined,
    loaded: row.loaded,
  }));
  const decision = rankCandidates(
    { virtual: 'lodestar/auto', task, promptTokens: part?.input ?? 10_000, outputTokens: part?.output ?? TYPICAL_OUTPUT_TOKENS[task] },
    profiles,
    { floors: loaded.config.routing.floors, preferred: loaded.config.routing.preferred, forbidden: loaded.config.routing.forbidden },
    () => 'closed',
  );
  const byId = new Map(rows.map((row) => [row.id, row]));
  const ranked = decision.candidates.map((candidate, index) => {
    const row = byId.get(candidate.id) as ModelRow;
    const quality = row.quality === null ? 'quality unknown (no floor for this task)' : `${row.quality}% (${row.qualitySource})`;
    const price = row.local ? 'free, runs on your GPU' : row.sessionCostUsd === null ? 'price unknown' : `${formatMoney(row.sessionCostUsd)} per typical session`;
    return { ...row, rank: index + 1, why: `${quality}; ${price}` };
  });
  return {
    task,
    floor: decision.floor,
    ranked,
    excluded: decision.considered.filter((entry) => !entry.eligible).map((entry) => ({ id: entry.id, why: entry.why })),
    choice: ranked.find((row) => row.available)?.id,
  };
}

function describeRecommendation(recommendation: Recommendation): string[] {
  const floor = recommendation.floor ? `at least ${recommendation.floor}% on Aider's polyglot benchmark` : 'no quality floor';
  const lines = [`For ${recommendation.task} (${floor}), cheapest first:`, ''];
  if (!recommendation.ranked.length) {
    lines.push('No known model qualifies. Give models a score or a rule under "models" in config.json, or lower routing.floors.');
  } else {
    lines.push(
      renderTable(
        [{ header: '#', align: 'right' }, { header: 'model' }, { header: 'available' }, { header: 'why', flexible: true }],
        recommendation.ranked.slice(0, 12).map((row) => [String(row.rank), row.id, row.available ? 'yes' : `no: ${row.unavailable}`, row.why]),
        200,
      ),
    );
  }
  lines.push('');
  lines.push(recommendation.choice ? `Lodestar would use ${recommendation.choice} (lodestar/auto).` : 'None of them is available now: set a provider key, or pull a local model.');
  const unknown = recommendation.excluded.filter((entry) => entry.why.startsWith('quality unknown')).map((entry) => entry.id);
  if (unknown.length) lines.push(`Left out for unknown quality: ${unknown.slice(0, 8).join(', ')}${unknown.length > 8 ? ', ...' : ''} (see "models" in .lodestarrc.example).`);
  return lines;
}
