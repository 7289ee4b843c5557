import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import { messagesToChat } from '../../providers/messages/messages-to-chat.js';
import { applyBudgets } from '../chat/budget-gate.js';
import { runCandidates } from '../chat/candidate-loop.js';
import { IDENTIFIER, identifierHeader, toolOf } from '../chat/identifiers.js';
import { admit, publishRefusal } from '../chat/admission.js';
import { announceRequestId } from '../request-id.js';
import { AnswerCapture } from '../chat/answer-capture.js';
import { MessagesAnswerReader } from './messages-answer-reader.js';
import { lossNotes } from '../chat/loss-notes.js';
import { OutputCeilings } from '../chat/output-ceiling.js';
import { type RouteScope, routeRequest } from '../chat/route-request.js';
import type { Task } from '../../router/classify-task.js';
import type { Needs } from '../../router/catalog.js';
import { isVirtual, type Candidate } from '../../router/resolve-model.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendAnthropicError } from '../../shared/http-error.js';
import { CLASS_DEFAULT, CLASS_TASK, claudeClass, classTarget } from './claude-class.js';
import { passThroughAttempt } from './pass-through.js';
import { translatedAttempt } from './translated.js';
import { validateMessagesRequest, type MessagesBody } from './validate-messages-request.js';
import { readJsonBody } from '../../shared/request-body.js';
import { anthropicHeaders } from './anthropic-headers.js';
import type { Route } from '../server.js';

/** Characters a token, as the router estimates a prompt (the whole body: system, tools and messages). */
const CHARACTERS_PER_TOKEN = 3.5;

/**
 * POST /v1/messages (and /p/{project}/v1/messages; `?beta=true` as Claude Code sends it):
 * Anthropic's Messages API over the same routing, budgets, ledger and events as the OpenAI
 * endpoint. To Anthropic the request passes through unchanged; to any other provider it is
 * translated both ways. Errors are in Anthropic's envelope, and Anthropic's own come back as it
 * sent them.
 */
export function messagesRoute(context: DaemonContext): Route {
  const dropped = lossNotes(context.logger, "a Messages request translated for a model that is not Anthropic's loses");
  return {
    method: 'POST',
    path: '/v1/messages',
    auth: true,
    projectScoped: true,
    errors: 'anthropic',
    async handle(request, response, params) {
      const arrivedAt = performance.now();
      const time = new Date().toISOString();
      if (context.closing()) throw new HttpError(503, 'Lodestar is shutting down; try again in a moment', { headers: { 'retry-after': '2' } });
      const { value, text } = await readJsonBody(request, { maxBytes: context.config.limits.maxBodyBytes, idleMs: context.config.limits.bodyIdleMs }, true);
      const body = validateMessagesRequest(value);
      const project = params.project ?? identifierHeader(request, 'project');
      const session = params.session ?? identifierHeader(request, 'session') ?? claudeSession(request, body.metadata?.user_id);
      const stream = body.stream === true;

      // The OpenAI shape, for a candidate that is not Anthropic's: made when one is tried (a
      // pass-through never pays for it), once. What only Anthropic reads (a document, a server
      // tool) fails it, and that candidate is passed over.
      let chat: ChatCompletionRequest | undefined;
      const translated = (): ChatCompletionRequest => {
        if (!chat) {
          const translation = messagesToChat(body as never, body.model);
          for (const note of translation.notes) dropped(note);
          chat = translation.request;
        }
        return chat;
      };
      const promptTokens = Math.ceil(text.length / CHARACTERS_PER_TOKEN);
      const kind = claudeClass(body, promptTokens, { requestClass: headerOf(request, 'x-claude-code-request-class'), agentId: headerOf(request, 'x-claude-code-agent-id') });
      const task = CLASS_TASK[kind.class];
      const own = context.tenancy ? context.tenancy.settings(request) : undefined;
      const target = classTarget(kind.class, body.model, context.config, (own ?? context.projects.get(project))?.claude, context.providers.has('anthropic'));
      // Routing reads the model, the size and max_tokens: not the messages.
      const routing: ChatCompletionRequest = { model: target.model, messages: [], max_tokens: body.max_tokens };
      const meta = { id: randomUUID(), time, arrivedAt, project, session, task, tool: toolOf(request), stream, request, response, requestedModel: body.model, budgetLimited: false, cacheHit: false };
      // From here every end of the request is recorded: every answer names its event.
      announceRequestId(response, meta.id);

      let budget;
      const needs = messagesNeeds(body);
      const ceilings = new OutputCeilings(context, { project, asked: body.max_tokens, promptTokens });
      const gate = (candidates: readonly Candidate[]) =>
        applyBudgets(candidates, { budgets: context.budgets, pricing: context.pricing, project, request: routing, promptTokens, requestedModel: body.model, ceiling: (candidate) => ceilings.for(candidate)?.maxTokens });
      // A model named outright (the Claude model asked for, or one config names) has the router's
      // choices for its class behind it, for when its provider fails: worked out only then.
      let fallbacks = isVirtual(target.model) ? undefined : () => routeFallbacks(context, { ...routing, model: CLASS_DEFAULT[kind.class] }, task, promptTokens, { project, needs, own });
      try {
        const candidates = routeRequest(context, routing, task, promptTokens, { project, needs, own }).candidates;
        const learning = context.modelLimits.learnFor(candidates);
        if (learning) await learning;
        const clamped = ceilings.notes(candidates);
        context.events.publish({ type: 'route', data: { project, requestedModel: body.model, task, taskReason: `claude ${kind.class}: ${kind.reason}`, reason: `${target.model} (${target.why})`, candidates: candidates.map((candidate) => candidate.id), ...(clamped.length ? { clamped } : {}) } });
        try {
          budget = gate(candidates);
        } catch (error) {
          // A hard budget that stops the named model may leave a free local one among the router's.
          if (!(error instanceof HttpError && error.status === 402 && fallbacks)) throw error;
          budget = gate([...candidates, ...fallbacks()]);
          fallbacks = undefined;
        }
      } catch (error) {
        publishRefusal(context, error, meta);
        throw error;
      }
      // The answer read on the side, as it goes out, for the files it edits.
      const answer = new AnswerCapture();
      const observer = new MessagesAnswerReader(answer);
      const { signal, finished, headers, candidates: admitted, allow } = await admit(context, response, budget, { ...meta, answer });
      const extraHeaders: Record<string, string> = { 'x-lodestar-claude-class': kind.class, ...headers };
      const path = `/v1/messages${params.query ? `?${params.query}` : ''}`;
      const later = fallbacks;
      const more = later
        ? (): readonly Candidate[] => {
            try {
              return allow(gate(later()).candidates);
            } catch (error) {
              if (error instanceof HttpError) return []; // every one of them over a hard budget
              throw error;
            }
          }
        : undefined;
      await runCandidates(
        { candidates: admitted, more, providers: context.providers, clientSignal: signal, arrivedAt, breakers: context.breakers, policy: context.config.routing },
        (attempt) =>
          attempt.candidate.provider === 'anthropic'
            ? passThroughAttempt(attempt, { raw: text, requestedModel: body.model, stream, path, headers: anthropicHeaders(request), response, extraHeaders, ceiling: ceilings.for(attempt.candidate), observer }, finished)
            : translatedAttempt(attempt, { body, chat: translated(), stream, response, extraHeaders, dropped, ceiling: ceilings.for(attempt.candidate), observer }, finished),
        finished,
        (failure, last) => answerFailure(response, failure, last),
      );
    },
  };
}

/** The router's candidates for a class, or none when it has none. */
function routeFallbacks(context: DaemonContext, routing: ChatCompletionRequest, task: Task, promptTokens: number, scope: RouteScope): Candidate[] {
  try {
    return routeRequest(context, routing, task, promptTokens, scope).candidates;
  } catch (error) {
    if (error instanceof HttpError) return [];
    throw error;
  }
}

/** What a Messages request needs of a model: to read its images (in a turn or a tool result), to call its tools. */
function messagesNeeds(body: MessagesBody): Needs {
  const hasImage = (content: unknown): boolean =>
    Array.isArray(content) && content.some((block: { type?: unknown; content?: unknown }) => block?.type === 'image' || (block?.type === 'tool_result' && hasImage(block.content)));
  return { images: body.messages.some((message) => hasImage(message.content)), tools: (body.tools?.length ?? 0) > 0 };
}


/**
 * Anthropic's own error, as it sent it (status, body, request-id, retry-after: Claude Code's
 * recovery reads its wording), when Anthropic was the one candidate tried; otherwise ours, in
 * Anthropic's envelope.
 */
function answerFailure(response: ServerResponse, failure: HttpError, last: unknown): void {
  if (last instanceof UpstreamError && last.provider === 'anthropic' && last.answer && last.status !== undefined && !response.headersSent) {
    response.writeHead(last.status, { 'content-type': 'application/json', ...last.answer.headers, 'content-length': String(Buffer.byteLength(last.answer.body)) });
    response.end(last.answer.body);
    return;
  }
  sendAnthropicError(response, failure);
}

/**
 * Claude Code's session: its X-Claude-Code-Session-Id header, else the session in
 * metadata.user_id: a JSON string holding session_id since 2.1 ({"device_id", "account_uuid",
 * "session_id"}), "..._session_<uuid>" before.
 */
export function claudeSession(request: IncomingMessage, userId: string | undefined): string | undefined {
  const value = headerOf(request, 'x-claude-code-session-id');
  if (value && IDENTIFIER.test(value)) return value;
  if (typeof userId !== 'string') return undefined;
  if (userId.startsWith('{')) {
    try {
      const session = (JSON.parse(userId) as { session_id?: unknown }).session_id;
      return typeof session === 'string' && IDENTIFIER.test(session) ? session : undefined;
    } catch {
      return undefined;
    }
  }
  return /_session_([A-Za-z0-9][A-Za-z0-9._-]{0,63})$/.exec(userId)?.[1];
}

function headerOf(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

