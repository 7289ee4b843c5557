import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { responsesToChat, type ResponsesTranslation } from '../../providers/responses/responses-to-chat.js';
import type { ResponsesRequest } from '../../providers/responses/responses-types.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { Needs } from '../../router/catalog.js';
import { classifyTask } from '../../router/classify-task.js';
import { applyBudgets } from '../chat/budget-gate.js';
import { runCandidates } from '../chat/candidate-loop.js';
import { agentSession, IDENTIFIER, identifierHeader, taskHeader, toolOf } from '../chat/identifiers.js';
import { OutputCeilings } from '../chat/output-ceiling.js';
import { admit, publishRefusal } from '../chat/admission.js';
import { announceRequestId } from '../request-id.js';
import { AnswerCapture } from '../chat/answer-capture.js';
import { ResponsesAnswerReader } from './responses-answer-reader.js';
import { lossNotes } from '../chat/loss-notes.js';
import { routeRequest } from '../chat/route-request.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendError } from '../../shared/http-error.js';
import { readJsonBody } from '../../shared/request-body.js';
import type { Route } from '../server.js';
import { responsesPassThroughAttempt } from './pass-through.js';
import { translatedResponsesAttempt } from './translated.js';
import { validateResponsesRequest } from './validate-responses-request.js';

/** Characters a token, as the router estimates a prompt (the whole body: instructions, tools and input). */
const CHARACTERS_PER_TOKEN = 3.5;

/**
 * POST /v1/responses (and /p/{project}/..., /s/{session}/...): OpenAI's Responses API, what Codex
 * CLI and the Agents SDK speak, over the same routing, budgets, ledger and events as the other
 * inbound formats. To OpenAI the request passes through unchanged; to any other provider it is
 * translated both ways. Errors are in OpenAI's envelope, and OpenAI's own come back as sent.
 */
export function responsesRoute(context: DaemonContext): Route {
  const dropped = lossNotes(context.logger, "a Responses request translated for a model that is not OpenAI's loses");
  return {
    method: 'POST',
    path: '/v1/responses',
    auth: true,
    projectScoped: true,
    async handle(request, response, params) {
      const arrivedAt = performance.now();
      const time = new Date().toISOString();
      if (context.closing()) throw new HttpError(503, 'Lodestar is shutting down; try again in a moment', { code: 'shutting_down', headers: { 'retry-after': '2' } });
      const { value, text } = await readJsonBody(request, { maxBytes: context.config.limits.maxBodyBytes, idleMs: context.config.limits.bodyIdleMs }, true);
      const body = validateResponsesRequest(value);
      const project = params.project ?? identifierHeader(request, 'project');
      const session = params.session ?? identifierHeader(request, 'session') ?? codexSession(request, body);
      const stream = body.stream === true;
      const promptTokens = Math.ceil(text.length / CHARACTERS_PER_TOKEN);
      const task = classifyTask(chatShape(body), taskHeader(request), promptTokens);
      const meta = { id: randomUUID(), time, arrivedAt, project, session, task: task.task, tool: toolOf(request), stream, request, response, requestedModel: body.model, budgetLimited: false, cacheHit: false };
      // From here every end of the request is recorded: every answer names its event.
      announceRequestId(response, meta.id);

      // The Chat shape, for a candidate that is not OpenAI's: made when one is tried (a
      // pass-through never pays for it), once. What only OpenAI serves (stored items, files)
      // fails it, and that candidate is passed over.
      let translation: ResponsesTranslation | undefined;
      const translated = (): ResponsesTranslation => {
        if (!translation) {
          translation = responsesToChat(body, body.model);
          for (const note of translation.notes) dropped(note);
        }
        return translation;
      };
      // Routing reads the model, the size and the ceiling: not the input.
      const routing: ChatCompletionRequest = { model: body.model, messages: [], ...(typeof body.max_output_tokens === 'number' ? { max_tokens: body.max_output_tokens } : {}) };
      const ceilings = new OutputCeilings(context, { project, asked: body.max_output_tokens, promptTokens });
      let budget;
      try {
        const routed = routeRequest(context, routing, task.task, promptTokens, { project, needs: needsOf(body), own: context.tenancy?.settings(request) });
        const learning = ceilings.asked === undefined ? undefined : context.modelLimits.learnFor(routed.candidates);
        if (learning) await learning;
        const clamped = ceilings.asked === undefined ? [] : ceilings.notes(routed.candidates);
        const decision = routed.decision;
        context.events.publish({
          type: 'route',
          data: {
            project,
            requestedModel: body.model,
            task: task.task,
            taskReason: task.reason,
            reason: decision?.reason ?? `${body.model}, as named`,
            ...(decision ? { basis: decision.basis, decisionMs: decision.decisionMs, considered: decision.considered } : {}),
            candidates: routed.candidates.map((candidate) => candidate.id),
            ...(clamped.length ? { clamped } : {}),
          },
        });
        budget = applyBudgets(routed.candidates, { budgets: context.budgets, pricing: context.pricing, project, request: routing, promptTokens, requestedModel: body.model, ceiling: (candidate) => ceilings.for(candidate)?.maxTokens });
      } catch (error) {
        publishRefusal(context, error, meta);
        throw error;
      }
      // The answer read on the side, as it goes out, for the files it edits.
      const answer = new AnswerCapture();
      const observer = new ResponsesAnswerReader(answer);
      const { signal, finished, headers: extraHeaders, candidates } = await admit(context, response, budget, { ...meta, answer });
      await runCandidates(
        { candidates, providers: context.providers, clientSignal: signal, arrivedAt, breakers: context.breakers, policy: context.config.routing },
        (attempt) =>
          attempt.candidate.provider === 'openai'
            ? responsesPassThroughAttempt(attempt, { raw: text, requestedModel: body.model, stream, headers: openAIHeaders(request), response, extraHeaders, ceiling: ceilings.for(attempt.candidate), observer }, finished)
            : translatedResponsesAttempt(attempt, { body, translation: translated(), stream, response, extraHeaders, dropped, ceiling: ceilings.for(attempt.candidate), observer }, finished),
        finished,
        (failure, last) => answerFailure(response, failure, last),
      );
    },
  };
}

/**
 * What the task classifier reads of a Responses request, in the Chat shape it knows: the
 * instructions (or the first system or developer message: Codex sends its base prompt that
 * way), whether tool results come back, and whether tools are offered.
 */
function chatShape(body: ResponsesRequest & { model: string }): ChatCompletionRequest {
  const items = Array.isArray(body.input) ? (body.input as Array<{ type?: string; role?: string; content?: unknown }>) : [];
  let system = typeof body.instructions === 'string' ? body.instructions : '';
  if (!system) {
    const first = items.find((item) => item.role === 'system' || item.role === 'developer');
    system = textOf(first?.content);
  }
  const messages: ChatCompletionRequest['messages'] = [{ role: 'system', content: system }];
  if (items.some((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')) messages.push({ role: 'tool', content: '' });
  const offered = (body.tools?.length ?? 0) > 0 || items.some((item) => item.type === 'additional_tools');
  return { model: body.model, messages, ...(offered ? { tools: [{ type: 'function', function: { name: 'offered' } }] } : {}) };
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
}

/** What a Responses request needs of a model: to read its images, to call its tools. */
function needsOf(body: ResponsesRequest): Needs {
  const items = Array.isArray(body.input) ? (body.input as Array<{ content?: unknown; output?: unknown }>) : [];
  const hasImage = (parts: unknown): boolean => Array.isArray(parts) && parts.some((part: { type?: unknown }) => part?.type === 'input_image');
  return { images: items.some((item) => hasImage(item.content) || hasImage(item.output)), tools: (body.tools?.length ?? 0) > 0 };
}

/**
 * Codex's session: its session-id header (the thread's id, on every request of a run), else the
 * prompt_cache_key it sets to the same id; anything that is not a plain identifier is ignored.
 */
function codexSession(request: IncomingMessage, body: ResponsesRequest): string | undefined {
  const named = agentSession(request);
  if (named) return named;
  const key = body.prompt_cache_key;
  return typeof key === 'string' && IDENTIFIER.test(key) ? key : undefined;
}

/** The client's own OpenAI headers that change what OpenAI does (its betas); nothing else of the client's goes upstream. */
function openAIHeaders(request: IncomingMessage): Record<string, string> {
  const beta = request.headers['openai-beta'];
  return typeof beta === 'string' ? { 'openai-beta': beta } : {};
}

/**
 * OpenAI's own error, as it sent it (status, body, x-request-id, retry-after: the client's
 * recovery reads them), when OpenAI was the one candidate tried; otherwise ours, in OpenAI's
 * envelope.
 */
function answerFailure(response: ServerResponse, failure: HttpError, last: unknown): void {
  if (last instanceof UpstreamError && last.provider === 'openai' && last.answer && last.status !== undefined && !response.headersSent) {
    response.writeHead(last.status, { 'content-type': 'application/json', ...last.answer.headers, 'content-length': String(Buffer.byteLength(last.answer.body)) });
    response.end(last.answer.body);
    return;
  }
  sendError(response, failure);
}
