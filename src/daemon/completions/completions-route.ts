import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { routingOutputTokens } from '../../router/model-limits.js';
import { admit, publishRefusal } from '../chat/admission.js';
import { announceRequestId } from '../request-id.js';
import { applyBudgets } from '../chat/budget-gate.js';
import { runCandidates } from '../chat/candidate-loop.js';
import { agentSession, identifierHeader, toolOf } from '../chat/identifiers.js';
import { OutputCeilings } from '../chat/output-ceiling.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendError } from '../../shared/http-error.js';
import { readJsonBody } from '../../shared/request-body.js';
import type { Route } from '../server.js';
import { completionAttempt } from './relay-completion.js';
import { routeCompletion } from './route-completion.js';
import { DEFAULT_COMPLETION_TOKENS, validateCompletionRequest } from './validate-completion-request.js';

/** Characters a token, as the router estimates a prompt (code and English). */
const CHARACTERS_PER_TOKEN = 3.5;

/**
 * POST /v1/completions (and /p/{project}/..., /s/{session}/...): OpenAI's legacy Completions
 * format with `prompt` and `suffix`, as Continue, Tabby, llama.vscode's OpenAI fallback and
 * Lodestar's VS Code extension send an inline completion. The task is always `complete`; it goes
 * to a free local model that fills in the middle (Ollama's /api/generate), through the same
 * admission, budgets, candidate loop, ledger and events as the other inbound formats. Not
 * cached: each request is the code around a cursor that has moved.
 */
export function completionsRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/v1/completions',
    auth: true,
    projectScoped: true,
    async handle(request, response, params) {
      const arrivedAt = performance.now();
      const time = new Date().toISOString();
      if (context.closing()) throw new HttpError(503, 'Lodestar is shutting down; try again in a moment', { code: 'shutting_down', headers: { 'retry-after': '2' } });
      const body = validateCompletionRequest(await readJsonBody(request, { maxBytes: context.config.limits.maxBodyBytes, idleMs: context.config.limits.bodyIdleMs }));
      const project = params.project ?? identifierHeader(request, 'project');
      const session = params.session ?? identifierHeader(request, 'session') ?? agentSession(request);
      const meta = { id: randomUUID(), time, arrivedAt, project, session, task: 'complete', tool: toolOf(request), stream: body.stream, request, response, requestedModel: body.model, budgetLimited: false, cacheHit: false };
      // From here every end of the request is recorded: every answer names its event.
      announceRequestId(response, meta.id);
      const promptTokens = Math.ceil((body.prompt.length + (body.suffix?.length ?? 0)) / CHARACTERS_PER_TOKEN);
      const asked = body.maxTokens ?? DEFAULT_COMPLETION_TOKENS;
      const ceilings = new OutputCeilings(context, { project, asked, promptTokens });
      let budget;
      try {
        const routing = await routeCompletion(context, body.model, promptTokens, routingOutputTokens(asked, 'complete'), project);
        const decision = routing.decision;
        context.events.publish({
          type: 'route',
          data: {
            project,
            requestedModel: body.model,
            task: 'complete',
            taskReason: '/v1/completions',
            reason: decision?.reason ?? `${body.model}, as named`,
            ...(decision ? { basis: decision.basis, decisionMs: decision.decisionMs, considered: decision.considered } : {}),
            candidates: routing.candidates.map((candidate) => candidate.id),
          },
        });
        // Local candidates only: nothing is reserved, but a hard budget's note and the ledger's flags stay those of every route.
        budget = applyBudgets(routing.candidates, { budgets: context.budgets, pricing: context.pricing, project, request: { model: body.model, messages: [], max_tokens: asked }, promptTokens, requestedModel: body.model });
      } catch (error) {
        publishRefusal(context, error, meta);
        throw error;
      }
      const { signal, finished, headers, candidates } = await admit(context, response, budget, meta);
      const { model: _model, maxTokens: _asked, stream, includeUsage, ...sampling } = body;
      await runCandidates(
        { candidates, providers: context.providers, clientSignal: signal, arrivedAt, breakers: context.breakers, policy: context.config.routing },
        (attempt) => completionAttempt(attempt, { request: sampling, maxTokens: ceilings.for(attempt.candidate)?.maxTokens ?? asked, stream, includeUsage, response, headers }, finished),
        finished,
        (failure) => sendError(response, failure),
      );
    },
  };
}
