import type { ChatCompletionRequest } from '../../providers/spec/chat-request.js';
import { outputCeiling, type OutputCeiling } from '../../router/model-limits.js';
import type { Candidate } from '../../router/resolve-model.js';
import type { DaemonContext } from '../context.js';
import { limitsFor, type LimitsSources } from '../model-limits.js';

/** A candidate whose ask was lowered, for the route event and the log. */
export interface ClampNote {
  model: string;
  asked: number;
  sent: number;
  by: OutputCeiling['by'];
  /** Where the limit that lowered it comes from (catalog, config, provider, local, default). */
  limits: string;
}

/**
 * max_tokens is a ceiling, not a need: what each candidate of one request is asked for, at most
 * min(the client's ask, the model's output limit, its window less the prompt), so that no
 * upstream refuses a request for an output limit Lodestar knew (Claude Code asks every model
 * for 128,000 tokens; gpt-4o-mini writes 16,384 at most).
 */
export class OutputCeilings {
  private readonly memo = new Map<string, OutputCeiling | undefined>();
  private readonly context: DaemonContext;
  private readonly project: string | undefined;
  /** What the client asked for; undefined when it set no limit (nothing to lower). */
  readonly asked: number | undefined;
  private readonly promptTokens: number;
  /** Where limits come from for this request's project: made on first need, once. */
  private sources: LimitsSources | undefined;

  constructor(context: DaemonContext, options: { project: string | undefined; asked: number | null | undefined; promptTokens: number }) {
    this.context = context;
    this.project = options.project;
    this.asked = typeof options.asked === 'number' ? options.asked : undefined;
    this.promptTokens = options.promptTokens;
  }

  /** The ceiling for this candidate, or undefined when the client's ask stands. */
  for(candidate: Candidate): OutputCeiling | undefined {
    if (this.asked === undefined) return undefined;
    if (this.memo.has(candidate.id)) return this.memo.get(candidate.id);
    const ceiling = outputCeiling(this.limits(candidate), this.asked, this.promptTokens);
    this.memo.set(candidate.id, ceiling);
    return ceiling;
  }

  /** The candidates that would be asked for less than the client asked, and why: said in the route event. */
  notes(candidates: readonly Candidate[]): ClampNote[] {
    const notes: ClampNote[] = [];
    for (const candidate of candidates) {
      const ceiling = this.for(candidate);
      if (ceiling && this.asked !== undefined) notes.push({ model: candidate.id, asked: this.asked, sent: ceiling.maxTokens, by: ceiling.by, limits: this.limits(candidate).source });
    }
    return notes;
  }

  private limits(candidate: Candidate) {
    if (!this.sources) {
      const { config } = this.context;
      const own = this.context.projects.get(this.project)?.models;
      this.sources = {
        overrides: own ? { ...config.models, ...own } : config.models,
        localContext: (model) => config.providers.ollama.models[model]?.numCtx ?? config.providers.ollama.numCtx,
        provider: this.context.modelLimits,
      };
    }
    return limitsFor(candidate, this.sources);
  }
}

/** The request with its output limit lowered to the ceiling, in whichever field the client used. */
export function withCeiling(request: ChatCompletionRequest, ceiling: OutputCeiling | undefined): ChatCompletionRequest {
  if (!ceiling) return request;
  const copy = { ...request };
  if (typeof copy.max_completion_tokens === 'number') copy.max_completion_tokens = ceiling.maxTokens;
  if (typeof copy.max_tokens === 'number') copy.max_tokens = ceiling.maxTokens;
  return copy;
}
