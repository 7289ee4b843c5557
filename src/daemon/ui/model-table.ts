import { CATALOG } from '../../router/catalog.js';
import { TASKS, type Task } from '../../router/classify-task.js';
import { buildProfiles, profilesForTask } from '../../router/profiles.js';
import { agenticQuality } from '../../router/agentic-quality.js';
import { shippedQuality } from '../../router/quality-evidence.js';
import { estimateCost, rankCandidates, type ModelProfile, type RoutingPolicy } from '../../router/rank.js';
import { TYPICAL_SESSION, typicalRequest } from '../../router/typical-session.js';
import { unavailableReason } from '../../providers/registry.js';
import { PROVIDER_IDS, type ProviderId } from '../../shared/provider-ids.js';
import { priceAt } from '../chat/route-request.js';
import type { DaemonContext } from '../context.js';
import { qualityScale, rowForTask, type ChoicePreview, type ModelRow, type TaskChoice } from '../../shared/model-facts.js';
import { modelRow } from '../../router/model-row.js';


export interface ModelTable {
  rows: ModelRow[];
  /** The same models as the router sees them, by id. */
  profiles: Map<string, ModelProfile>;
}

/**
 * The prices of every catalog model, resolved in a process apart the first time the selector
 * asks (the daemon resolved only its configured providers' models at start): never the price
 * table's 14 MB in the daemon.
 */
export async function priceEveryModel(context: DaemonContext): Promise<void> {
  await context.pricing.prefetchApart(CATALOG.filter((entry) => !entry.local));
}

/**
 * Every model the daemon knows (the catalog's, Ollama's pulled ones, config's local ones),
 * available or not, priced and scored as the router prices and scores them now, for a project
 * when one is named (its own model scores apply).
 */
export function modelTable(context: DaemonContext, project?: string): ModelTable {
  const { config } = context;
  const availability = context.availability();
  const own = context.projects.get(project);
  const pulled = new Set(availability.localModels);
  const ollama = config.providers.ollama;
  const localNames = [...new Set([...availability.localModels, ...CATALOG.filter((entry) => entry.local).map((entry) => entry.model), ...Object.keys(ollama.models)])];
  const all = buildProfiles({
    catalog: CATALOG,
    providers: new Set(PROVIDER_IDS),
    localModels: localNames,
    loaded: availability.loadedModels ?? new Set(),
    localContext: (model) => ollama.models[model]?.numCtx ?? ollama.numCtx,
    overrides: own?.models ? { ...config.models, ...own.models } : config.models,
    price: priceAt(context, new Date()),
    benchmark: (modelId) => shippedQuality(modelId, config.quality),
    agentic: (modelId) => agenticQuality(modelId, config.quality),
    insert: availability.insert,
  });
  const reachable = context.local.monitor.isReachable;
  const rows = all.map((profile): ModelRow => {
    const unavailable = profile.local
      ? !ollama.enabled || !availability.providers.has('ollama')
        ? 'Ollama disabled in config'
        : reachable === false
          ? 'Ollama does not answer'
          : pulled.has(profile.model)
            ? undefined
            : `not pulled (ollama pull ${profile.model})`
      : availability.providers.has(profile.provider)
        ? undefined
        : (unavailableReason(config, profile.provider) ?? 'not configured');
    const row = modelRow(profile, unavailable);
    if (profile.local) row.fitsVram = context.local.monitor.fits([profile.model]) ?? null;
    return row;
  });
  return { rows, profiles: new Map(all.map((profile) => [profile.id, profile])) };
}

/** The routing policy for a project (its own floors, lists and task models over the global ones). */
export function policyFor(context: DaemonContext, project?: string): RoutingPolicy {
  const routing = context.config.routing;
  const own = context.projects.get(project);
  return {
    floors: own?.floors ? { ...routing.floors, ...own.floors } : routing.floors,
    preferred: own?.preferred ?? routing.preferred,
    forbidden: own?.forbidden ?? routing.forbidden,
    taskModels: own?.taskModels ? { ...routing.taskModels, ...own.taskModels } : routing.taskModels,
  };
}



export function taskChoices(context: DaemonContext, table: ModelTable, project?: string): TaskChoice[] {
  const policy = policyFor(context, project);
  const own = context.projects.get(project)?.taskModels ?? {};
  const available = [...table.profiles.values()].filter((profile) => table.rows.find((row) => row.id === profile.id)?.available);
  return TASKS.map((task) => {
    const chosen = own[task] ?? context.config.routing.taskModels[task] ?? null;
    const decision = rankCandidates({ virtual: 'lodestar/auto', task, ...typicalRequest(task) }, profilesForTask(available, task), { ...policy, taskModels: {} }, (provider) => context.breakers.state(provider));
    return { task, floor: policy.floors[task], chosen, chosenFrom: own[task] ? 'project' : context.config.routing.taskModels[task] ? 'global' : null, routerChoice: decision.candidates[0]?.id ?? null };
  });
}


/**
 * What choosing `model` for `task` would do, before it is saved: the router's ranking for a
 * typical request of the task with that choice, and a typical Aider session's cost when every
 * task goes where the router (with the choice) would send it.
 */
export function previewChoice(context: DaemonContext, table: ModelTable, task: Task, model: string | null, project?: string): ChoicePreview {
  const policy: RoutingPolicy = { ...policyFor(context, project) };
  const taskModels = { ...policy.taskModels };
  if (model) taskModels[task] = model;
  else delete taskModels[task];
  policy.taskModels = taskModels;
  const availableIds = new Set(table.rows.filter((row) => row.available).map((row) => row.id));
  const available = [...table.profiles.values()].filter((profile) => availableIds.has(profile.id));
  const circuit = (provider: ProviderId) => context.breakers.state(provider);
  const decision = rankCandidates({ virtual: 'lodestar/auto', task, ...typicalRequest(task) }, profilesForTask(available, task), policy, circuit);
  const whyOf = new Map(decision.considered.map((entry) => [entry.id, entry]));
  const ranking = decision.candidates.slice(0, 8).map((candidate, index) => {
    const entry = whyOf.get(candidate.id);
    return { rank: index + 1, id: candidate.id, why: entry?.why ?? '', estimatedCostUsd: entry?.estimatedCostUsd ?? null, quality: entry?.quality ?? null };
  });

  let costUsd: number | null = 0;
  let baselineCostUsd: number | null = 0;
  let requests = 0;
  const baseline = context.projects.get(project)?.baseline ?? context.config.baseline;
  for (const part of TYPICAL_SESSION) {
    requests += part.count;
    const first = rankCandidates({ virtual: 'lodestar/auto', task: part.task, promptTokens: part.input, outputTokens: part.output }, profilesForTask(available, part.task), policy, circuit).candidates[0];
    const profile = first ? table.profiles.get(first.id) : undefined;
    const cost = profile ? estimateCost(profile, part.input, part.output) : undefined;
    costUsd = costUsd === null || cost === undefined ? null : costUsd + cost * part.count;
    const base = context.pricing.costOf(baseline, { inputTokens: part.input, outputTokens: part.output }, new Date()).costUsd;
    baselineCostUsd = baselineCostUsd === null || base === undefined ? null : baselineCostUsd + base * part.count;
  }

  const warnings: string[] = [];
  if (model) {
    const found = table.rows.find((entry) => entry.id === model);
    const row = found && rowForTask(found, task);
    const floor = policy.floors[task];
    if (row && !row.available) warnings.push(`${model} is not available now (${row.unavailable}): until it is, ${task} requests go to the router's choice`);
    if (row && floor > 0 && row.quality === null) warnings.push(`${model} has no known quality; ${task} has a floor of ${floor}% that it can't be checked against`);
    if (row && floor > 0 && row.quality !== null && row.quality < floor) warnings.push(`${model} scores ${row.quality}% on ${qualityScale(task)}, below the ${task} floor of ${floor}%`);
    const typical = typicalRequest(task);
    if (row?.contextWindow !== undefined && typical.promptTokens + typical.outputTokens > row.contextWindow) {
      warnings.push(`${model}'s context window (${row.contextWindow} tokens) can't hold a typical ${task} request (~${typical.promptTokens + typical.outputTokens}): those go to the next model`);
    }
  }
  return { task, floor: policy.floors[task], model, typicalSession: { costUsd, baselineCostUsd, requests }, ranking, warnings };
}
