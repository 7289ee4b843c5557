import type { Command } from 'commander';
import type { LoadedConfig } from '../../config/load.js';
import { localModelSettings } from '../../config/ollama-models.js';
import { estimateLoadedMiB, usableVramMiB } from '../../gpu/fit.js';
import { readGpus } from '../../gpu/nvidia-smi.js';
import { readToken } from '../../shared/token.js';
import { callDaemon } from '../daemon-client.js';
import { ensureDaemon } from '../daemon-control.js';
import { Pricing } from '../../ledger/pricing/pricing.js';
import { CATALOG } from '../../router/catalog.js';
import { TASKS, type Task } from '../../router/classify-task.js';
import { buildProfiles } from '../../router/profiles.js';
import { shippedQuality } from '../../router/quality-evidence.js';
import { agenticQuality } from '../../router/agentic-quality.js';
import { typicalRequest } from '../../router/typical-session.js';
import { againstFloor, rankCandidates, type ChoiceBasis, type ModelProfile } from '../../router/rank.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../../shared/provider-ids.js';
import { LodestarError, UsageError } from '../../shared/errors.js';
import type { CliContext } from '../context.js';
import { qualityScale, rowForTask, type ModelRow, type WarmResult } from '../../shared/model-facts.js';
import { modelRow } from '../../router/model-row.js';
import { getJson } from '../http-json.js';
import { registerModelSelect } from './models-select.js';
import { formatMoney } from '../../shared/format.js';
import { renderTable } from '../output/table.js';

export type { ModelRow };

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
        'Quality: % on Aider\'s polyglot benchmark (Aider-AI/aider, Apache-2.0); agent: % on SWE-bench Verified, what the agent task (tool-calling agents: Claude Code, Codex, opencode) goes by. Evidence: measured (Aider ran that id), lineage (a shipped rule: GA of a measured preview, alias of a measured snapshot, same weights elsewhere, successor), calibrated (SWE-bench Verified put on Aider\'s scale; ± the fit\'s typical error), config or rule (yours); "?" = none, and the router goes by the tier. Session: a typical Aider session (20 edits, 3 plans, 5 questions, 10 commits, 2 summaries) on that model alone.',
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
      const body = reply.body as { results?: WarmResult[]; error?: { message?: string } };
      if (reply.status !== 200 || !body.results) throw new LodestarError(body.error?.message ?? `the daemon answered ${reply.status}`);
      if (options.json) context.output.json(body);
      else for (const line of describeWarm(body.results)) context.output.line(line);
      if (body.results.some((result) => result.outcome === 'failed')) context.exitCode = 1;
    });
  registerModelSelect(models, context);
}

function describeWarm(results: readonly WarmResult[]): string[] {
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
  // Pulled models first, in Ollama's order, as the daemon has them: the router breaks ties by that order.
  const localNames = [...new Set([...pulled.keys(), ...CATALOG.filter((entry) => entry.local).map((entry) => entry.model), ...Object.keys(ollama.models)])];
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
    benchmark: (id) => shippedQuality(id, config.quality),
    agentic: (id) => agenticQuality(id, config.quality),
  });
  const usableMiB = usableVramMiB(gpu.kind === 'ok' ? gpu.gpus[0] : undefined);
  return profiles.map((profile) => {
    const unavailable = unavailableBecause(profile, configured, pulled, tags.ok, config.providers.ollama.enabled);
    const row = modelRow(profile, unavailable);
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

const LIST_COLUMNS = [
  { header: 'model', flexible: true },
  { header: 'in $/M', align: 'right' as const },
  { header: 'out $/M', align: 'right' as const },
  { header: 'context', align: 'right' as const },
  { header: 'quality', align: 'right' as const },
  { header: 'evidence' },
  { header: 'agent', align: 'right' as const },
  { header: 'session', align: 'right' as const },
  { header: 'available', flexible: true },
];

/** "86.7%", "71.2%±6.1" for a calibrated score, "?" when unknown. */
function qualityCell(row: ModelRow): string {
  if (row.quality === null) return '?';
  return `${row.quality}%${row.qualityError === null ? '' : `±${row.qualityError}`}`;
}

/** The agentic score (SWE-bench Verified) and how it is known: "77.2% measured", "70.2%±6.6 calibrated", "?". */
function agentCell(row: ModelRow): string {
  const agentic = row.agentic;
  if (!agentic) return '?';
  return `${agentic.quality}%${agentic.qualityError === null ? '' : `±${agentic.qualityError}`} ${agentic.qualityKind}`;
}

/** How the score is known; for an unknown one, the tier the router goes by. */
function evidenceCell(row: ModelRow): string {
  if (row.quality === null) return row.tier ? `none; tier ${row.tier}` : 'none';
  return row.qualityKind ?? 'measured';
}

function listRow(row: ModelRow): string[] {
  const local = row.local ? `${row.loaded ? 'in VRAM' : row.fitsVram === true ? 'fits VRAM' : row.fitsVram === false ? 'too big for VRAM' : 'local'}` : '';
  return [
    row.id,
    row.price ? String(row.price.inputPerMTok) : '?',
    row.price ? String(row.price.outputPerMTok) : '?',
    row.contextWindow === undefined ? '?' : row.contextWindow >= 1000 ? `${Math.round(row.contextWindow / 1000)}k` : String(row.contextWindow),
    qualityCell(row),
    evidenceCell(row),
    agentCell(row),
    row.sessionCostUsd === null ? '?' : formatMoney(row.sessionCostUsd),
    [row.available ? 'yes' : `no: ${row.unavailable}`, local].filter(Boolean).join(', '),
  ];
}

interface Recommendation {
  task: Task;
  floor: number;
  /** The models lodestar/auto would try now, in its order (the available ones), with why. */
  ranked: Array<ModelRow & { rank: number; why: string }>;
  /** Models that would qualify too, but are not available (a key to set, a model to pull). */
  unavailable: Array<{ id: string; why: string; unavailable: string }>;
  excluded: Array<{ id: string; why: string }>;
  /** The first model of the ranking: what lodestar/auto would use now. */
  choice: string | undefined;
  /** What the choice rests on: known quality, the tier (quality unknown), or the best below the floor. */
  basis: ChoiceBasis | null;
  reason: string;
}

/**
 * The router's own ranking for a typical request of the task, over the models available now
 * (as the daemon ranks them, so that the choice is the daemon's), and, apart, the models that
 * would qualify once their provider is configured or their model pulled.
 */
function recommend(allRows: readonly ModelRow[], task: Task, loaded: LoadedConfig): Recommendation {
  // The agent task judges a model by its agentic score (SWE-bench Verified), the others by Aider's.
  const rows = allRows.map((row) => rowForTask(row, task));
  const toProfile = (row: ModelRow): ModelProfile => ({
    id: row.id,
    provider: row.provider,
    model: row.id.slice(row.id.indexOf('/') + 1),
    local: row.local,
    contextWindow: row.contextWindow,
    price: row.price ?? undefined,
    quality: row.quality ?? undefined,
    qualitySource: row.qualitySource ?? undefined,
    qualityKind: row.qualityKind ?? undefined,
    qualityError: row.qualityError ?? undefined,
    tier: row.tier ?? undefined,
    loaded: row.loaded,
  });
  const input = { virtual: 'lodestar/auto' as const, task, ...typicalRequest(task) };
  const policy = { floors: loaded.config.routing.floors, preferred: loaded.config.routing.preferred, forbidden: loaded.config.routing.forbidden, taskModels: loaded.config.routing.taskModels };
  const decision = rankCandidates(input, rows.filter((row) => row.available).map(toProfile), policy, () => 'closed');
  const everywhere = rankCandidates(input, rows.map(toProfile), policy, () => 'closed');
  const byId = new Map(rows.map((row) => [row.id, row]));
  const whyOf = new Map(decision.considered.map((entry) => [entry.id, entry.why]));
  const ranked = decision.candidates.map((candidate, index) => {
    const row = byId.get(candidate.id) as ModelRow;
    return { ...row, rank: index + 1, why: describeWhy(row, whyOf.get(row.id), decision.floor) };
  });
  const unavailable = everywhere.candidates
    .map((candidate) => byId.get(candidate.id) as ModelRow)
    .filter((row) => !row.available && everywhere.basis === 'quality' && row.quality !== null)
    .map((row) => ({ id: row.id, why: describeWhy(row, undefined, decision.floor), unavailable: row.unavailable ?? 'not available' }));
  return {
    task,
    floor: decision.floor,
    ranked,
    unavailable,
    excluded: decision.considered.filter((entry) => !entry.eligible).map((entry) => ({ id: entry.id, why: entry.why })),
    choice: ranked[0]?.id,
    basis: decision.basis ?? null,
    reason: decision.reason,
  };
}

/**
 * A ranked model's case, the short facts first (the table cuts long lines): its score and how it
 * is known, or why it is there without one; its price; then where the score comes from.
 */
function describeWhy(row: ModelRow, routerWhy: string | undefined, floor: number): string {
  const price = row.local ? 'free, runs on your GPU' : row.sessionCostUsd === null ? 'price unknown' : `${formatMoney(row.sessionCostUsd)} per typical session`;
  if (row.quality === null) return `${routerWhy && routerWhy !== 'eligible' ? routerWhy : 'quality unknown (no floor for this task)'}; ${price}`;
  let quality = `${row.quality}%${row.qualityError === null ? '' : ` ±${row.qualityError}`} ${row.qualityKind ?? 'measured'}`;
  if (routerWhy?.includes('below')) quality += ` (${routerWhy})`;
  else if (floor > 0 && row.qualityError !== null) quality += `, counts as ${Math.round(againstFloor(row.quality, row.qualityError) * 10) / 10}% against the floor (75% confidence)`;
  return `${quality}; ${price}; ${row.qualitySource}`;
}

function describeRecommendation(recommendation: Recommendation): string[] {
  const floor = recommendation.floor ? `at least ${recommendation.floor}% on ${qualityScale(recommendation.task)}` : 'no quality floor';
  const lines = [`For ${recommendation.task} (${floor}), in the order lodestar/auto tries them:`, ''];
  if (!recommendation.ranked.length) {
    lines.push('No model available now can serve it.');
  } else {
    lines.push(
      renderTable(
        [{ header: '#', align: 'right' }, { header: 'model' }, { header: 'why', flexible: true }],
        recommendation.ranked.slice(0, 12).map((row) => [String(row.rank), row.id, row.why]),
        200,
      ),
    );
  }
  lines.push('');
  if (recommendation.choice) {
    const basis =
      recommendation.basis === 'tier'
        ? ' (quality unknown; chosen by tier)'
        : recommendation.basis === 'below-floor'
          ? ' (below the floor: the best known available)'
          : recommendation.basis === 'chosen'
            ? ' (your choice for this task: routing.taskModels)'
            : '';
    lines.push(`Lodestar would use ${recommendation.choice} (lodestar/auto)${basis}.`);
  } else {
    lines.push('None is available now: set a provider key, or pull a local model.');
  }
  if (recommendation.unavailable.length) {
    const shown = recommendation.unavailable.slice(0, 6).map((entry) => `${entry.id} (${entry.unavailable})`);
    lines.push(`Would also qualify: ${shown.join(', ')}${recommendation.unavailable.length > 6 ? ', ...' : ''}.`);
  }
  return lines;
}
