import { COMPLETE_MODEL, FIM_MODEL_TO_PULL } from '../../router/fim-models.js';
import { profilesForTask } from '../../router/profiles.js';
import { rankCandidates, type RouteDecision } from '../../router/rank.js';
import { listModelIds, resolveModel, type Candidate } from '../../router/resolve-model.js';
import { unavailableReason } from '../../providers/registry.js';
import { currentProfiles } from '../chat/route-request.js';
import type { DaemonContext } from '../context.js';
import { HttpError } from '../../shared/http-error.js';

/** The virtual models that mean "the router's pick" here: lodestar/complete, and the general ones that make sense for it. */
const ROUTED = new Set([COMPLETE_MODEL, 'lodestar/auto', 'lodestar/local', 'lodestar/cheap']);

/** How long a request waits, at most, for Ollama to say what its models can do (right after the daemon starts). */
const CAPABILITIES_WAIT_MS = 2000;

export interface CompletionRouting {
  candidates: Candidate[];
  /** How lodestar/complete was decided; undefined for a model named outright. */
  decision: RouteDecision | undefined;
}

/**
 * The candidates for a completion: a local model named outright, or the router's pick for the
 * complete task among the local models that fill in the middle (rankFim). A paid model never:
 * Lodestar sends no completion to a paid model. No model able to serve: a 400 for a model that
 * is not local, 404 for an unknown one, 503 saying which model to pull.
 */
export async function routeCompletion(context: DaemonContext, model: string, promptTokens: number, outputTokens: number, project: string | undefined): Promise<CompletionRouting> {
  if (!ROUTED.has(model)) return { candidates: namedModel(context, model), decision: undefined };
  const ollama = context.config.providers.ollama;
  if (!ollama.enabled || !context.availability().providers.has('ollama')) {
    throw new HttpError(503, `No model can serve ${model}: completions are served by local models, and Ollama is disabled in config (providers.ollama.enabled)`, { code: 'no_local_fim_model' });
  }
  // Right after start: whether Ollama answers, and what each model can do, may still be on their way.
  if (context.local.monitor.isReachable === undefined) await context.local.monitor.refresh();
  const learning = context.local.monitor.capabilities.pending();
  if (learning) await Promise.race([learning, new Promise((resolve) => setTimeout(resolve, CAPABILITIES_WAIT_MS).unref())]);
  const routing = context.config.routing;
  const own = context.projects.get(project);
  const policy = {
    floors: routing.floors,
    preferred: own?.preferred ?? routing.preferred,
    forbidden: own?.forbidden ?? routing.forbidden,
    taskModels: own?.taskModels ? { ...routing.taskModels, ...own.taskModels } : routing.taskModels,
  };
  const profiles = profilesForTask(currentProfiles(context, project), 'complete');
  const decision = rankCandidates({ virtual: 'lodestar/local', task: 'complete', promptTokens, outputTokens }, profiles, policy, (provider) => context.breakers.state(provider));
  if (!decision.candidates.length) throw noModel(context, model, decision);
  return { candidates: decision.candidates, decision };
}

/** A model named outright: it must be a local one (Ollama's /api/generate is what takes a suffix). */
function namedModel(context: DaemonContext, model: string): Candidate[] {
  if (model.startsWith('lodestar/')) {
    throw new HttpError(400, `${model} does not serve completions: use ${COMPLETE_MODEL} (the router's pick of a local model that fills in the middle) or a local model, "ollama/<model>"`, { param: 'model', code: 'model_not_supported' });
  }
  const availability = context.availability();
  const resolution = resolveModel(model, availability, (provider) => unavailableReason(context.config, provider));
  if (resolution.kind === 'unknown') throw new HttpError(404, `${resolution.message}. Models available: ${listModelIds(availability).join(', ')}`, { param: 'model', code: 'model_not_found' });
  if (resolution.kind === 'ok' && resolution.candidates.every((candidate) => candidate.provider === 'ollama')) return resolution.candidates;
  if (resolution.kind === 'unavailable' && resolution.provider === 'ollama') throw new HttpError(503, resolution.message, { code: 'no_provider_available' });
  throw new HttpError(400, `${model} can't serve completions: Lodestar sends them to local models only (Ollama's /api/generate takes the suffix; no paid provider it relays does). Use ${COMPLETE_MODEL} or "ollama/<model>"`, {
    param: 'model',
    code: 'model_not_supported',
  });
}

/** Why no local model can take the completion, and what to do about it. */
function noModel(context: DaemonContext, model: string, decision: RouteDecision): HttpError {
  const { monitor } = context.local;
  const pull = `pull one: ollama pull ${FIM_MODEL_TO_PULL}`;
  let why: string;
  if (monitor.isReachable === false) why = `Ollama does not answer at ${context.config.providers.ollama.baseUrl} (start it: ollama serve)`;
  else if (decision.considered.length) why = `no local model that fills in the middle can take it: ${decision.considered.map((entry) => `${entry.id}: ${entry.why}`).join('; ')}`;
  else {
    const local = context.availability().localModels;
    const cannot = local.map((name) => `${name} (${monitor.capabilities.insert(name) === false ? 'its template takes no suffix' : 'Ollama has not said it takes a suffix'})`);
    why = local.length ? `none of Ollama's models fills in the middle (capability "insert"): ${cannot.join(', ')}; ${pull}` : `Ollama has no models; ${pull}`;
  }
  return new HttpError(503, `No local model can serve ${model}: ${why}`, { code: 'no_local_fim_model' });
}
