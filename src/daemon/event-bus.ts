import type { RequestEvent } from '../ledger/request-event.js';

export type DaemonEvent = { type: 'request'; data: RequestEvent } | { type: string; data: unknown };

export type Listener = (event: DaemonEvent) => void;

/**
 * Fan-out of what happens in the daemon to whoever listens: the ledger, metrics, and the
 * /api/events stream of dashboards. A listener that throws is dropped, never the request.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();
  /** The last requests, for a dashboard that connects later (/api/events?recent=N). */
  private readonly recentRequests: DaemonEvent[] = [];
  static readonly RECENT = 200;

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: DaemonEvent): void {
    if (event.type === 'request') {
      this.recentRequests.push(event);
      if (this.recentRequests.length > EventBus.RECENT) this.recentRequests.shift();
    }
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  /** The last `count` request events, oldest first. */
  recent(count: number): DaemonEvent[] {
    return count > 0 ? this.recentRequests.slice(-count) : [];
  }

  get size(): number {
    return this.listeners.size;
  }
}
