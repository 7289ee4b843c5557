import { pause } from '../../../src/shared/pause.js';

export interface FimRequest {
  /** The text before the cursor (a window of it). */
  prefix: string;
  /** The text after the cursor (a window of it). */
  suffix: string;
}

/** Sends one completion request; the signal aborts its HTTP request. */
export type SendCompletion = (request: FimRequest, signal: AbortSignal) => Promise<string | undefined>;

export interface SchedulerCounters {
  /** Asked for by the editor. */
  asked: number;
  /** Sent to the daemon (the others were superseded while waiting out the debounce). */
  sent: number;
  /** Sent, then aborted because a newer keystroke (or the editor) cancelled it. */
  aborted: number;
  /** Requests in flight now: never more than one. */
  inFlight: number;
}

/**
 * Completions for one editor: each keystroke's request waits out the debounce, and a newer one
 * supersedes it (while waiting: it is never sent; once sent: its HTTP request is aborted, which
 * makes the daemon abort the upstream's). So at most one request is in flight per editor, and
 * none is left running after the last keystroke's completion.
 */
export class CompletionScheduler {
  readonly counters: SchedulerCounters = { asked: 0, sent: 0, aborted: 0, inFlight: 0 };
  private current: AbortController | undefined;

  constructor(
    private readonly send: SendCompletion,
    private readonly debounceMs: () => number,
  ) {}

  /** The completion for `request`, or undefined when superseded, cancelled, empty or failed. */
  async complete(request: FimRequest, cancelled?: AbortSignal): Promise<string | undefined> {
    this.counters.asked++;
    this.current?.abort();
    const mine = new AbortController();
    this.current = mine;
    const onCancel = (): void => mine.abort();
    cancelled?.addEventListener('abort', onCancel, { once: true });
    if (cancelled?.aborted) mine.abort();
    try {
      if (!(await pause(this.debounceMs(), mine.signal))) return undefined;
      this.counters.sent++;
      this.counters.inFlight++;
      try {
        const text = await this.send(request, mine.signal);
        return mine.signal.aborted ? undefined : text;
      } catch (error) {
        if (mine.signal.aborted) return undefined;
        throw error;
      } finally {
        this.counters.inFlight--;
        if (mine.signal.aborted) this.counters.aborted++;
      }
    } finally {
      cancelled?.removeEventListener('abort', onCancel);
      if (this.current === mine) this.current = undefined;
    }
  }

  /** Aborts whatever is waiting or in flight (the editor closed, completions turned off). */
  cancel(): void {
    this.current?.abort();
  }
}
