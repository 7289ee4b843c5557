import type { ToolName } from '../shared/tools.js';
import type { Usage } from '../providers/spec/usage.js';
import type { PriceRecord } from './pricing/price-record.js';
import type { ProviderId } from '../shared/provider-ids.js';

/**
 * A file an answer edited, relative to its project's root (absolute where the project's root is
 * unknown), and its share of the request's cost: by the bytes the answer wrote to it.
 */
export interface FileShare {
  path: string;
  /** 0 to 1; an event's shares add up to 1. */
  share: number;
}

/** A candidate the gateway tried before the one that answered (or before giving up). */
export interface FallbackAttempt {
  model: string;
  provider: ProviderId;
  error: string;
  status?: number;
}

/**
 * One finished request, whatever became of it. The daemon makes one for every request that
 * reached routing; the ledger, metrics and dashboards consume it.
 */
export interface RequestEvent {
  /** Minted when the request arrived; its answer named it in x-lodestar-request-id. */
  id: string;
  /** When the request arrived, ISO 8601 UTC. */
  time: string;
  project: string | undefined;
  /** The client's session (`lodestar aider` names each run: x-lodestar-session), if it said. */
  session?: string;
  /** The client's user agent, shortened. */
  client: string | undefined;
  /** The coding tool that sent it: aider (`lodestar aider`), claude (Claude Code), other. */
  tool?: ToolName;
  /** The task class the router saw (commit, summary, edit, architect, chat, long-context). */
  task: string | undefined;
  /** The model the client asked for, virtual or concrete. */
  requestedModel: string;
  /**
   * The concrete model that answered, "<provider>/<model>"; for a failed request, the last one
   * tried; undefined when none was tried.
   */
  model: string | undefined;
  provider: ProviderId | undefined;
  stream: boolean;
  /** ok: answered in full; error: failed; aborted: the client went away first. */
  status: 'ok' | 'error' | 'aborted';
  /** The HTTP status the client got (200 for a stream that failed after its first byte). */
  httpStatus: number;
  error: string | undefined;
  usage: Usage;
  /** What the request cost; undefined when its price is unknown (flagged in reports, never $0). */
  costUsd: number | undefined;
  /** The rates it was costed with. */
  price: PriceRecord | undefined;
  /** The model savings are measured against, and what these tokens would have cost there. */
  baselineModel: string;
  baselineCostUsd: number | undefined;
  baselinePrice: PriceRecord | undefined;
  finishReason: string | undefined;
  /** From arrival to the last byte. */
  latencyMs: number;
  /** From arrival to the first content byte of a stream. */
  ttftMs: number | undefined;
  /** Time spent in Lodestar itself, not waiting on the upstream. */
  overheadMs: number;
  fallbacks: FallbackAttempt[];
  /** Ollama: loading the model took this long (queue wait included). */
  loadDurationMs: number | undefined;
  /** Answered from Lodestar's response cache, at no cost. */
  cacheHit?: boolean;
  /** A hard budget took paid candidates out of this request's choice. */
  budgetLimited?: boolean;
  /** The A/B experiment arm that chose its model (`lodestar ab`). */
  ab?: { experiment: string; arm: 'a' | 'b' };
  /** The request is Aider's reply to an edit of the session's that did not apply. */
  editFailed?: boolean;
  /** One model's part of a lodestar/consensus request: the request's id, member or judge, and whether its answer was the one given. */
  consensus?: { id: string; role: 'member' | 'judge'; chosen: boolean };
  /**
   * The files the answer edited (Aider's edit blocks, Claude Code's Write and Edit, Codex's
   * apply_patch, ...), heaviest first: paths only, never their contents. Absent when it edited none.
   */
  files?: FileShare[];
}
