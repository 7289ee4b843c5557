import type { RequestEvent } from '../ledger/request-event.js';

export type DaemonEvent = { type: 'request'; data: RequestEvent } | { type: string; data: unknown };

export type Listener = (event: DaemonEvent) => void;

/**
 * Fan-out of what happens in the daemon to whoever listens: the ledger, metrics, and the
 * /api/events stream of dashboards. A listener that throws is dropped, never the request.
 */
export class EventBus {
  private readonly listeners = new Set<Listener>();

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(event: DaemonEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  get size(): number {
    return this.listeners.size;
  }
}
