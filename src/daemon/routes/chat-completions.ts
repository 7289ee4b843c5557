import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { classifyTask, estimatePromptTokens } from '../../router/classify-task.js';
import { promptTokensFor, routeRequest } from '../chat/route-request.js';
import { cacheKey, isCacheable } from '../../cache/cache-key.js';
import { StreamAssembler } from '../../cache/stream-assembler.js';
import { serveCached } from '../chat/serve-cached.js';
import { applyBudgets } from '../chat/budget-gate.js';
import { dispatchChat } from '../chat/dispatch.js';
import { OutputCeilings } from '../chat/output-ceiling.js';
import { publish } from '../chat/publish.js';
import { agentSession, identifierHeader, taskHeader, toolOf } from '../chat/identifiers.js';
import { admit, publishRefusal } from '../chat/admission.js';
import { announceRequestId } from '../request-id.js';
import { AnswerCapture } from '../chat/answer-capture.js';
import { asksForWholeFiles, ChatAnswerReader } from '../chat/chat-answer-reader.js';
import { isFailedEditReply } from '../../router/ab-split.js';
import { contentText, type ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { validateChatRequest } from '../chat/validate-chat-request.js';
import type { DaemonContext } from '../context.js';
import { HttpError } from '../../shared/http-error.js';
import { readJsonBody } from '../../shared/request-body.js';
import type { Route } from '../server.js';

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
      const session = params.session ?? identifierHeader(request, 'session') ?? agentSession(request);
      const promptTokens = estimatePromptTokens(chatRequest);
      const task = classifyTask(chatRequest, taskHeader(request), promptTokens);

      const stream = chatRequest.stream === true;
      const includeUsage = chatRequest.stream_options?.include_usage === true;
      // A running A/B experiment for this task picks the model of the session's arm (lodestar/auto and lodestar/cheap only).
      const ab = chatRequest.model === 'lodestar/auto' || chatRequest.model === 'lodestar/cheap' ? context.experiments.armFor(task.task, project, () => session ?? `${project ?? '-'}|${request.headers['user-agent'] ?? ''}`) : undefined;
      const meta = {
        id: randomUUID(),
        time,
        arrivedAt,
        project,
        session,
        task: task.task,
        tool: toolOf(request),
        stream,
        request,
        response,
        requestedModel: chatRequest.model,
        budgetLimited: false,
        cacheHit: false,
        ab: ab && { experiment: ab.experiment, arm: ab.arm },
        // What the experiment's report reads: this request says the session's last edit did not apply.
        editFailed: ab !== undefined && isFailedEditReply(lastUserText(chatRequest)),
      };
      // From here every end of the request is recorded: every answer names its event.
      announceRequestId(response, meta.id);

      if (chatRequest.model === 'lodestar/consensus') {
        if (context.tenancy) {
          const refusal = new HttpError(400, 'lodestar/consensus is not offered by the team server: ask for lodestar/auto or a model', { param: 'model', code: 'model_not_available' });
          publishRefusal(context, refusal, meta);
          throw refusal;
        }
        const abort = new AbortController();
        response.once('close', () => {
          if (!response.writableFinished) abort.abort();
        });
        try {
          // Loaded by the first consensus request (most users never make one).
          const { serveConsensus } = await import('../chat/consensus.js');
          await serveConsensus(context, { request: chatRequest, task: task.task, promptTokens, project, meta, response, signal: abort.signal, includeUsage });
        } catch (error) {
          // Refused before any model was asked (too few providers, a budget): still a request the user made.
          publishRefusal(context, error, meta);
          throw error;
        }
        return;
      }

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
      // The answer read on the side for the files it edits (the ledger keeps their paths).
      const answer = new AnswerCapture({ wholeFileBlocks: asksForWholeFiles(chatRequest) });
      const reader = new ChatAnswerReader(answer);

      let budget;
      const ceilings = new OutputCeilings(context, { project, asked: chatRequest.max_completion_tokens ?? chatRequest.max_tokens, promptTokens });
      try {
        const routing = routeRequest(context, chatRequest, task.task, await promptTokensFor(context, chatRequest, promptTokens, project), { project, chosen: ab?.model, own: context.tenancy?.settings(request) });
        const learning = ceilings.asked === undefined ? undefined : context.modelLimits.learnFor(routing.candidates);
        if (learning) await learning;
        const clamped = ceilings.asked === undefined ? [] : ceilings.notes(routing.candidates);
        if (routing.decision) {
          const decision = routing.decision;
          context.events.publish({ type: 'route', data: { project, requestedModel: chatRequest.model, task: task.task, taskReason: task.reason, reason: decision.reason, basis: decision.basis, decisionMs: decision.decisionMs, candidates: decision.candidates.map((candidate) => candidate.id), considered: decision.considered, ...(clamped.length ? { clamped } : {}) } });
          if (context.logger.enabled('debug')) context.logger.debug('route', { task: task.task, taskReason: task.reason, reason: decision.reason, decisionMs: decision.decisionMs, candidates: decision.candidates.map((candidate) => candidate.id) });
        } else if (clamped.length) {
          context.events.publish({ type: 'route', data: { project, requestedModel: chatRequest.model, task: task.task, taskReason: task.reason, reason: `${chatRequest.model}, as named`, candidates: routing.candidates.map((candidate) => candidate.id), clamped } });
        }
        budget = applyBudgets(routing.candidates, {
          budgets: context.budgets,
          pricing: context.pricing,
          project,
          request: chatRequest,
          promptTokens,
          requestedModel: chatRequest.model,
          ceiling: (candidate) => ceilings.for(candidate)?.maxTokens,
        });
      } catch (error) {
        publishRefusal(context, error, meta);
        throw error;
      }
      // Once the answer is whole and recorded, a deterministic one goes in the cache.
      const admission = await admit(context, response, budget, { ...meta, answer }, (result) => {
        if (store !== undefined && context.cache && result.status === 'ok' && result.candidate && result.outcome) {
          const completion = assembler ? assembler.completion() : result.body;
          if (completion) {
            const answer = { completion, model: result.candidate.id, provider: result.candidate.provider, usage: result.outcome.usage, finishReason: result.outcome.finishReason, storedAt: new Date().toISOString() };
            context.cache.set(store, answer).catch((error: unknown) => context.logger.warn('could not store an answer in the cache', { error }));
          }
        }
      });

      await dispatchChat(
        {
          request: chatRequest,
          candidates: admission.candidates,
          stream,
          includeUsage,
          providers: context.providers,
          response,
          clientSignal: admission.signal,
          arrivedAt,
          headers: { 'x-lodestar-cache': lookup ? 'miss' : 'bypass', ...admission.headers },
          breakers: context.breakers,
          policy: context.config.routing,
          onChunk: assembler
            ? (data) => {
                assembler.add(data);
                reader.chunk(data);
              }
            : (data) => reader.chunk(data),
          ceilings,
        },
        (result) => {
          if (result.body !== undefined) reader.whole(result.body);
          admission.finished(result);
        },
      );
    },
  };
}

/** The last user message's text (where Aider puts its reply to an edit that did not apply). */
function lastUserText(request: ChatCompletionRequest): string {
  for (let index = request.messages.length - 1; index >= 0; index--) {
    const message = request.messages[index];
    if (message?.role === 'user') return contentText(message.content);
  }
  return '';
}
