import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { replayChunks } from '../../cache/stream-assembler.js';
import type { ConsensusSettings } from '../../config/defaults.js';
import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { contentText } from '../../providers/spec/chat-request.js';
import type { CallOutcome } from '../../providers/spec/provider.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import type { Task } from '../../router/classify-task.js';
import { DEFAULT_MEMBERS, judgeChoice, judgePrompt, pickMembers, voteOnEdits } from '../../router/consensus.js';
import type { Candidate } from '../../router/resolve-model.js';
import { definedOnly } from '../../shared/defined-only.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendError } from '../../shared/http-error.js';
import { applyBudgets } from './budget-gate.js';
import type { DispatchResult } from './candidate-loop.js';
import { publish, type RequestMeta } from './publish.js';
import { routeRequest } from './route-request.js';
import { StreamWriter } from './stream-writer.js';

/** While the models think, a streamed answer gets an SSE comment this often: the client sees the connection alive. */
const KEEP_ALIVE_MS = 5000;

interface Answer {
  member: Candidate;
  body: string | undefined;
  text: string;
  outcome: CallOutcome | undefined;
  error: string | undefined;
  status: number;
  latencyMs: number;
}

/**
 * lodestar/consensus: the request goes to several models at once (the router's adequate ones,
 * cheapest first, one per provider), and the answer is the one they agree on: for Aider's edits,
 * the edit blocks most of them wrote (compared with whitespace normalized); otherwise, or with
 * no majority, a judge model's pick (or the first answer, as config says). A model that fails is
 * left out of the vote. Every model's cost goes to the ledger, each event tagged with the one
 * consensus request; budgets reserve every member's estimate. A stream gets SSE comments while
 * the models think, then the chosen answer.
 */
export async function serveConsensus(
  context: DaemonContext,
  input: { request: ChatCompletionRequest; task: Task; promptTokens: number; project: string | undefined; meta: RequestMeta; response: ServerResponse; signal: AbortSignal; includeUsage: boolean },
): Promise<void> {
  const { request, task, project, meta, response } = input;
  // The global settings, the global ones for the task, the project's, the project's for the task.
  const { tasks: _globalTasks, ...global } = context.config.consensus;
  const { tasks: ownTasks, ...own } = context.projects.get(project)?.consensus ?? {};
  const settings: ConsensusSettings = { ...global, ...context.config.consensus.tasks[task], ...definedOnly(own), ...definedOnly((ownTasks as Partial<Record<Task, ConsensusSettings>> | undefined)?.[task] ?? {}) };
  const ranked = routeRequest(context, { ...request, model: 'lodestar/auto' }, task, input.promptTokens, { project }).candidates;
  const members = pickMembers(ranked, settings.members ?? DEFAULT_MEMBERS);
  if (members.length < 2) {
    throw new HttpError(503, `lodestar/consensus needs models of at least 2 providers able to serve this ${task} request; there is ${members.length === 1 ? `only ${members[0]?.id}` : 'none'}. Set another provider's key, or ask for lodestar/auto`, { code: 'no_model_qualifies' });
  }
  const budget = applyBudgets(members, { budgets: context.budgets, pricing: context.pricing, project, request, promptTokens: input.promptTokens, requestedModel: request.model });
  const release = context.budgets.reserve(project, budget.reserveUsd);
  // The request's own id (x-lodestar-request-id) ties its events together.
  const id = meta.id;

  let keepAlive: NodeJS.Timeout | undefined;
  let writer: StreamWriter | undefined;
  if (request.stream === true) {
    writer = new StreamWriter(response);
    writer.open({ 'x-lodestar-model': 'lodestar/consensus', 'x-lodestar-consensus-models': budget.candidates.map((member) => member.id).join(', ') });
    keepAlive = setInterval(() => response.write(': waiting for the models to agree\n\n'), KEEP_ALIVE_MS);
  }
  try {
    const answers = await Promise.all(budget.candidates.map((member) => ask(context, member, { ...request, stream: false, stream_options: undefined }, input.signal)));
    const answered = answers.filter((answer) => answer.body !== undefined);
    const vote = voteOnEdits(answered.map((answer) => answer.text));
    let chosen = vote.winner === undefined ? undefined : answered[vote.winner];
    let how = vote.winner === undefined ? '' : `${vote.agreeing.length} of ${answered.length} wrote the same edits`;
    let judged: Answer | undefined;
    if (!chosen && answered.length) {
      if (settings.pick === 'first' || answered.length === 1) {
        chosen = [...answered].sort((a, b) => a.latencyMs - b.latencyMs)[0];
        how = vote.edits ? 'no majority for an edit: the first answer' : 'the first answer';
      } else {
        judged = await judge(context, settings, request, answered, input.signal, project, input.promptTokens);
        const choice = judged.body === undefined ? undefined : judgeChoice(judged.text, answered.length);
        chosen = choice === undefined ? answered[0] : answered[choice];
        how = choice === undefined ? `the judge (${judged.member.id}) gave no usable pick: the first answer` : `the judge (${judged.member.id}) picked it${vote.edits ? ' (no majority for an edit)' : ''}`;
      }
    }
    // The ledger first: every model's part, the chosen one marked. The event of the answer the
    // client got (when every model failed, the first model's) is stored under the request's id and
    // the others under their own, so the id named to the client is one event's id and every
    // event's consensus.id.
    const named = chosen ?? answers[0];
    for (const answer of answers) record(context, meta, answer, answer === named ? id : randomUUID(), { id, role: 'member', chosen: answer === chosen });
    if (judged) record(context, meta, judged, randomUUID(), { id, role: 'judge', chosen: false });
    release();
    clearInterval(keepAlive);
    if (!chosen || chosen.body === undefined) {
      const why = answers.map((answer) => `${answer.member.id}: ${answer.error ?? 'no answer'}`).join('; ');
      const failure = new HttpError(502, `Every model of lodestar/consensus failed: ${why}`, { code: 'upstream_failed' });
      if (writer) writer.fail({ message: failure.message, type: 'api_error', code: 'upstream_failed' });
      else sendError(response, failure);
      return;
    }
    const headers = { 'x-lodestar-model': chosen.member.id, 'x-lodestar-provider': chosen.member.provider, 'x-lodestar-consensus': `${answered.length} of ${answers.length} answered; ${how}` };
    if (writer) {
      response.write(`: ${headers['x-lodestar-consensus']} (${chosen.member.id})\n\n`);
      for (const chunk of replayChunks(chosen.body, input.includeUsage)) void writer.write(chunk);
      writer.done();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(chosen.body)), ...headers });
    response.end(chosen.body);
  } finally {
    clearInterval(keepAlive);
  }
}

async function ask(context: DaemonContext, member: Candidate, request: ChatCompletionRequest, signal: AbortSignal): Promise<Answer> {
  const started = performance.now();
  const provider = context.providers.get(member.provider);
  if (!provider || !context.breakers.tryAcquire(member.provider)) {
    return { member, body: undefined, text: '', outcome: undefined, error: `${member.provider} is not available now`, status: 503, latencyMs: 0 };
  }
  try {
    const completion = await provider.complete({ request: { ...request, model: member.model }, signal });
    const latencyMs = performance.now() - started;
    context.breakers.success(member.provider, latencyMs);
    const message = (JSON.parse(completion.body) as { choices?: Array<{ message?: { content?: unknown } }> }).choices?.[0]?.message;
    return { member, body: completion.body, text: contentText(message?.content as never), outcome: completion.outcome, error: undefined, status: 200, latencyMs };
  } catch (error) {
    const retryable = error instanceof UpstreamError && error.retryable;
    if (retryable) context.breakers.failure(member.provider, (error as Error).message);
    else context.breakers.release(member.provider);
    return { member, body: undefined, text: '', outcome: undefined, error: error instanceof Error ? error.message : String(error), status: error instanceof UpstreamError && error.status ? error.status : 502, latencyMs: performance.now() - started };
  }
}

/** The judge: the configured model, else lodestar/strong's first choice; asked for the number of the best answer. */
async function judge(context: DaemonContext, settings: ConsensusSettings, request: ChatCompletionRequest, answered: readonly Answer[], signal: AbortSignal, project: string | undefined, promptTokens: number): Promise<Answer> {
  const model = settings.judge && settings.judge !== 'lodestar/strong' ? settings.judge : 'lodestar/strong';
  const question = [...request.messages].reverse().find((message) => message.role === 'user');
  const prompt: ChatCompletionRequest = { model, messages: [{ role: 'user', content: judgePrompt(contentText(question?.content), answered.map((answer) => answer.text)) }], max_tokens: 16 };
  const candidate = routeRequest(context, prompt, 'chat', promptTokens, { project }).candidates[0];
  if (!candidate) return { member: { id: model, provider: 'openai', model }, body: undefined, text: '', outcome: undefined, error: 'no judge model is available', status: 503, latencyMs: 0 };
  return ask(context, candidate, prompt, signal);
}

function record(context: DaemonContext, meta: RequestMeta, answer: Answer, eventId: string, consensus: { id: string; role: 'member' | 'judge'; chosen: boolean }): void {
  const result: DispatchResult = {
    status: answer.body === undefined ? 'error' : 'ok',
    httpStatus: answer.status,
    candidate: answer.member,
    outcome: answer.outcome,
    error: answer.error,
    fallbacks: [],
    firstByteAt: undefined,
    overheadMs: 0,
  };
  publish(context, result, { ...meta, id: eventId, task: consensus.role === 'judge' ? 'chat' : meta.task, consensus });
}
