import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestEvent } from '../../ledger/request-event.js';
import { classifyTask, estimatePromptTokens, isTask, TASKS } from '../../router/classify-task.js';
import { promptTokensFor, routeRequest } from '../chat/route-request.js';
import { cacheKey, isCacheable } from '../../cache/cache-key.js';
import { StreamAssembler } from '../../cache/stream-assembler.js';
import { deliverBudgetAlert } from '../budget-alerts.js';
import { serveCached } from '../chat/serve-cached.js';
import { applyBudgets } from '../chat/budget-gate.js';
import { dispatchChat, type DispatchResult } from '../chat/dispatch.js';
import { validateChatRequest } from '../chat/validate-chat-request.js';
import type { DaemonContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { readJsonBody } from '../request-body.js';
import type { Route } from '../server.js';

/** A project name or a session id, in a header or the path. */
const IDENTIFIER = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** POST /v1/chat/completions (and /p/{project}/v1/chat/completions): the gateway itself. */
export function chatCompletionsRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/v1/chat/completions',
    auth: true,
    projectScoped: true,
    async handle(request, response, params) {
      const arrivedAt = performance.now();
      const time = new Date().toISOString();
      if (context.closing()) {
        throw new HttpError(503, 'Lodestar is shutting down; try again in a moment', { code: 'shutting_down', headers: { 'retry-after': '2' } });
      }
      const body = await readJsonBody(request, { maxBytes: context.config.limits.maxBodyBytes, idleMs: context.config.limits.bodyIdleMs });
      const chatRequest = validateChatRequest(body);
      const project = params.project ?? identifierHeader(request, 'project');
      const session = params.session ?? identifierHeader(request, 'session');
      const promptTokens = estimatePromptTokens(chatRequest);
      const task = classifyTask(chatRequest, taskHeader(request), promptTokens);

      const stream = chatRequest.stream === true;
      const includeUsage = chatRequest.stream_options?.include_usage === true;
      const meta = { time, arrivedAt, project, session, task: task.task, stream, request, requestedModel: chatRequest.model, budgetLimited: false, cacheHit: false };

      // The cache: a deterministic request answered before is answered again, at no cost.
      const cacheControl = String(request.headers['cache-control'] ?? '').toLowerCase();
      const key = context.cache && isCacheable(chatRequest, context.config.cache.deterministicOnly) ? cacheKey(chatRequest, project) : undefined;
      const lookup = key !== undefined && !cacheControl.includes('no-cache');
      if (lookup && context.cache) {
        const hit = await context.cache.get(key);
        if (hit) {
          serveCached(response, hit, { stream, includeUsage, arrivedAt }, (result) => publish(context, result, { ...meta, cacheHit: true }));
          return;
        }
      }
      const store = key !== undefined && !cacheControl.includes('no-store') ? key : undefined;
      const assembler = store !== undefined && stream ? new StreamAssembler() : undefined;

      let budget;
      try {
        const routing = routeRequest(context, chatRequest, task.task, await promptTokensFor(context, chatRequest, promptTokens, project), project);
        if (routing.decision) {
          const decision = routing.decision;
          context.events.publish({ type: 'route', data: { project, requestedModel: chatRequest.model, task: task.task, taskReason: task.reason, reason: decision.reason, basis: decision.basis, decisionMs: decision.decisionMs, candidates: decision.candidates.map((candidate) => candidate.id), considered: decision.considered } });
          if (context.logger.enabled('debug')) context.logger.debug('route', { task: task.task, taskReason: task.reason, reason: decision.reason, decisionMs: decision.decisionMs, candidates: decision.candidates.map((candidate) => candidate.id) });
        }
        budget = applyBudgets(routing.candidates, {
          budgets: context.budgets,
          pricing: context.pricing,
          project,
          request: chatRequest,
          promptTokens,
          requestedModel: chatRequest.model,
        });
      } catch (error) {
        // A request refused before any upstream (unknown model, budget used up) is still a
        // request the user made: it goes in the ledger as failed.
        if (error instanceof HttpError) {
          publish(context, { status: 'error', httpStatus: error.status, candidate: undefined, outcome: undefined, error: error.message, fallbacks: [], firstByteAt: undefined, overheadMs: performance.now() - arrivedAt }, meta);
        }
        throw error;
      }
      const release = context.budgets.reserve(project, budget.reserveUsd);
      const headers: Record<string, string> = { 'x-lodestar-cache': lookup ? 'miss' : 'bypass' };
      if (budget.skipped.length) headers['x-lodestar-budget'] = budget.candidates.every((candidate) => candidate.provider === 'ollama') ? 'local-only' : 'limited';

      const abort = new AbortController();
      response.once('close', () => {
        if (!response.writableFinished) abort.abort();
      });

      await dispatchChat(
        {
          request: chatRequest,
          candidates: budget.candidates,
          stream,
          includeUsage,
          providers: context.providers,
          response,
          clientSignal: abort.signal,
          arrivedAt,
          headers,
          breakers: context.breakers,
          policy: context.config.routing,
          onChunk: assembler ? (data) => assembler.add(data) : undefined,
        },
        (result) => {
          release();
          publish(context, result, { ...meta, budgetLimited: budget.skipped.length > 0 });
          if (store !== undefined && context.cache && result.status === 'ok' && result.candidate && result.outcome) {
            const completion = assembler ? assembler.completion() : result.body;
            if (completion) {
              const answer = { completion, model: result.candidate.id, provider: result.candidate.provider, usage: result.outcome.usage, finishReason: result.outcome.finishReason, storedAt: new Date().toISOString() };
              context.cache.set(store, answer).catch((error: unknown) => context.logger.warn('could not store an answer in the cache', { error }));
            }
          }
        },
      );
    },
  };
}

/**
 * An x-lodestar-project or x-lodestar-session header: absent or empty is undefined; anything
 * but 1-64 letters, digits, ".", "_" or "-" (starting with a letter or digit) is a 400.
 */
function identifierHeader(request: IncomingMessage, kind: 'project' | 'session'): string | undefined {
  const name = `x-lodestar-${kind}`;
  const value = request.headers[name];
  const identifier = Array.isArray(value) ? value[0] : value;
  if (identifier === undefined || identifier === '') return undefined;
  if (!IDENTIFIER.test(identifier)) {
    throw new HttpError(400, `The ${name} header ${JSON.stringify(identifier.slice(0, 80))} is not a valid ${kind === 'project' ? 'project name' : 'session id'}: use 1-64 letters, digits, ".", "_" or "-"`, {
      param: name,
    });
  }
  return identifier;
}

function taskHeader(request: IncomingMessage): string | undefined {
  const value = request.headers['x-lodestar-task'];
  const task = Array.isArray(value) ? value[0] : value;
  if (task === undefined || task === '') return undefined;
  if (!isTask(task)) {
    throw new HttpError(400, `The x-lodestar-task header ${JSON.stringify(task.slice(0, 40))} is not a task: use one of ${TASKS.join(', ')}`, { param: 'x-lodestar-task' });
  }
  return task;
}

function publish(
  context: DaemonContext,
  result: DispatchResult,
  meta: { time: string; arrivedAt: number; project: string | undefined; session: string | undefined; task: string; stream: boolean; request: IncomingMessage; requestedModel: string; budgetLimited: boolean; cacheHit: boolean },
): void {
  const now = performance.now();
  const userAgent = meta.request.headers['user-agent'];
  const usage = result.outcome?.usage ?? {};
  const at = new Date(meta.time);
  const cost = meta.cacheHit
    ? { costUsd: 0, price: { source: 'cache' as const, matched: result.candidate?.id ?? '-', inputPerMTok: 0, outputPerMTok: 0 } }
    : result.candidate
      ? context.pricing.cost(result.candidate.provider, result.candidate.model, usage, at)
      : { costUsd: undefined, price: undefined };
  const baselineModel = context.projects.get(meta.project)?.baseline ?? context.config.baseline;
  const baseline = context.pricing.costOf(baselineModel, usage, at);
  const event: RequestEvent = {
    id: randomUUID(),
    time: meta.time,
    project: meta.project,
    ...(meta.session === undefined ? {} : { session: meta.session }),
    client: userAgent ? userAgent.slice(0, 80) : undefined,
    task: meta.task,
    requestedModel: meta.requestedModel,
    model: result.candidate?.id,
    provider: result.candidate?.provider,
    stream: meta.stream,
    status: result.status,
    httpStatus: result.httpStatus,
    error: result.error === undefined ? undefined : context.redactor.redact(result.error),
    usage,
    costUsd: cost.costUsd,
    price: cost.price,
    baselineModel,
    baselineCostUsd: baseline.costUsd,
    baselinePrice: baseline.price,
    finishReason: result.outcome?.finishReason,
    latencyMs: round(now - meta.arrivedAt),
    ttftMs: result.firstByteAt === undefined ? undefined : round(result.firstByteAt - meta.arrivedAt),
    overheadMs: round(result.overheadMs),
    fallbacks: result.fallbacks,
    loadDurationMs: result.outcome?.loadDurationMs === undefined ? undefined : round(result.outcome.loadDurationMs),
    ...(meta.budgetLimited ? { budgetLimited: true } : {}),
    ...(meta.cacheHit ? { cacheHit: true } : {}),
  };
  // The ledger first, synchronously: the event is in the file before the answer's last byte.
  try {
    context.ledger.record(event);
  } catch (error) {
    context.logger.error('could not write the ledger', { error, id: event.id });
  }
  context.events.publish({ type: 'request', data: event });
  const alerts = context.budgets.record(event);
  if (alerts.length) {
    const { webhook, desktop } = context.budgets.alertsConfig;
    setImmediate(() => {
      for (const alert of alerts) deliverBudgetAlert(alert, { logger: context.logger, events: context.events, webhook, desktop });
    });
  }
  // Every request is in the ledger; the log carries failures, and every request at debug level.
  const level = event.status === 'error' ? 'warn' : 'debug';
  if (context.logger.enabled(level)) {
    context.logger[level]('request', {
      id: event.id,
      project: event.project,
      requested: event.requestedModel,
      model: event.model,
      status: event.status,
      httpStatus: event.httpStatus,
      stream: event.stream,
      task: event.task,
      inputTokens: event.usage.inputTokens,
      outputTokens: event.usage.outputTokens,
      costUsd: event.costUsd,
      latencyMs: event.latencyMs,
      overheadMs: event.overheadMs,
      fallbacks: event.fallbacks.length ? event.fallbacks : undefined,
      error: event.error,
    });
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
