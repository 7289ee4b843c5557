import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { RequestEvent } from '../../ledger/request-event.js';
import { attributeFiles } from '../../ledger/file-attribution/attribute-files.js';
import type { ToolName } from '../../shared/tools.js';
import { deliverBudgetAlert } from '../budget-alerts.js';
import type { DaemonContext } from '../context.js';
import type { AnswerCapture } from './answer-capture.js';
import type { DispatchResult } from './candidate-loop.js';
import { withdrawRequestId } from '../request-id.js';

/** What the request event needs to know of a request besides its dispatch result. */
export interface RequestMeta {
  /** Minted when the request arrived: its event's id, named to the client in x-lodestar-request-id. */
  id: string;
  time: string;
  arrivedAt: number;
  project: string | undefined;
  session: string | undefined;
  task: string;
  tool: ToolName;
  stream: boolean;
  request: IncomingMessage;
  response: ServerResponse;
  requestedModel: string;
  budgetLimited: boolean;
  cacheHit: boolean;
  ab?: { experiment: string; arm: 'a' | 'b' } | undefined;
  editFailed?: boolean;
  consensus?: { id: string; role: 'member' | 'judge'; chosen: boolean } | undefined;
  /** The answer as it was relayed, read on the side for the files it edits. */
  answer?: AnswerCapture | undefined;
}

/**
 * The end of every request, whatever its inbound format: its event, costed against its price
 * and the baseline, written to the ledger before the answer's last byte, then to /api/events,
 * metrics, budgets and the log.
 */
export function publish(context: DaemonContext, result: DispatchResult, meta: RequestMeta): void {
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
  // Only an answer given whole is one a tool acts on: a broken or abandoned one edited nothing.
  const files = meta.answer && result.status === 'ok' ? editedFiles(context, meta.answer, meta.project) : undefined;
  const event: RequestEvent = {
    id: meta.id,
    time: meta.time,
    project: meta.project,
    ...(meta.session === undefined ? {} : { session: meta.session }),
    client: userAgent ? userAgent.slice(0, 80) : undefined,
    tool: meta.tool,
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
    ...(meta.ab ? { ab: meta.ab } : {}),
    ...(meta.editFailed ? { editFailed: true } : {}),
    ...(meta.consensus ? { consensus: meta.consensus } : {}),
    ...(files ? { files } : {}),
  };
  // The ledger first, synchronously: the event is in the file before the answer's last byte.
  try {
    if (context.tenancy) context.tenancy.record(meta.request, event);
    else context.ledger.record(event);
  } catch (error) {
    // Not stored: an answer not yet begun names no id (a stream's headers have named it already).
    withdrawRequestId(meta.response, event.id);
    context.logger.error('could not write the ledger', { error, id: event.id });
  }
  context.events.publish({ type: 'request', data: event });
  // A team's budgets are settled by its tenancy (record, above); the daemon's own are here.
  const alerts = context.tenancy ? [] : context.budgets.record(event);
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

/** The files an answer edited; a model's answer that defeats the parsers costs the event its files, never the event. */
function editedFiles(context: DaemonContext, answer: AnswerCapture, project: string | undefined): RequestEvent['files'] {
  try {
    return attributeFiles(answer.answer, { root: context.projects.root(project), wholeFileBlocks: answer.wholeFileBlocks });
  } catch (error) {
    context.logger.warn('could not read the files an answer edited', { error });
    return undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
