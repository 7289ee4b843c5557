import type { ProviderId } from '../shared/provider-ids.js';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long an open circuit keeps the provider out before one probe request may try it. */
  cooldownMs: number;
}

export interface ProviderHealth {
  state: CircuitState;
  consecutiveFailures: number;
  lastError: string | undefined;
  lastErrorAt: string | undefined;
  /** When an open circuit lets a probe through. */
  retryAt: string | undefined;
  successes: number;
  failures: number;
  /** Mean time to the answer (or first byte) of the last successful requests, ms. */
  latencyMs: number | undefined;
}

interface Circuit {
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number;
  probing: boolean;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
  successes: number;
  failures: number;
  latencyMs: number | undefined;
}

/**
 * One circuit breaker per provider: closed while it works; open after `failureThreshold`
 * consecutive failures, so requests go straight to other candidates instead of waiting on a
 * provider that is down; after `cooldownMs`, half-open: one request probes it, and its outcome
 * closes the circuit again or reopens it. Pure state with an injected clock: no timers.
 */
export class CircuitBreakers {
  private readonly options: CircuitOptions;
  private readonly now: () => number;
  private readonly circuits = new Map<ProviderId, Circuit>();
  private readonly listeners = new Set<(provider: ProviderId, health: ProviderHealth) => void>();

  constructor(options: CircuitOptions, now: () => number = Date.now) {
    this.options = options;
    this.now = now;
  }

  private circuit(provider: ProviderId): Circuit {
    let circuit = this.circuits.get(provider);
    if (!circuit) {
      circuit = { state: 'closed', consecutiveFailures: 0, openedAt: 0, probing: false, lastError: undefined, lastErrorAt: undefined, successes: 0, failures: 0, latencyMs: undefined };
      this.circuits.set(provider, circuit);
    }
    return circuit;
  }

  /** Called when a provider's circuit opens, half-opens for a probe, or closes again. */
  onChange(listener: (provider: ProviderId, health: ProviderHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(provider: ProviderId, before: CircuitState): void {
    if (this.state(provider) === before || !this.listeners.size) return;
    const health = this.health(provider);
    for (const listener of this.listeners) listener(provider, health);
  }

  /** The state now (an open circuit whose cooldown is over reads as half-open). */
  state(provider: ProviderId): CircuitState {
    const circuit = this.circuits.get(provider);
    if (!circuit) return 'closed';
    if (circuit.state === 'open' && this.now() - circuit.openedAt >= this.options.cooldownMs) return 'half-open';
    return circuit.state;
  }

  /**
   * Whether a request may go to this provider now; in half-open state only one at a time (the
   * probe), which this call claims.
   */
  tryAcquire(provider: ProviderId): boolean {
    const state = this.state(provider);
    if (state === 'closed') return true;
    if (state === 'open') return false;
    const circuit = this.circuit(provider);
    if (circuit.probing) return false;
    const before = circuit.state;
    circuit.state = 'half-open';
    circuit.probing = true;
    this.changed(provider, before);
    return true;
  }

  success(provider: ProviderId, latencyMs?: number): void {
    const circuit = this.circuit(provider);
    const before = circuit.state;
    circuit.state = 'closed';
    circuit.consecutiveFailures = 0;
    circuit.probing = false;
    circuit.successes++;
    if (latencyMs !== undefined) circuit.latencyMs = circuit.latencyMs === undefined ? latencyMs : circuit.latencyMs * 0.8 + latencyMs * 0.2;
    if (before !== 'closed') this.changed(provider, before);
  }

  failure(provider: ProviderId, error: string): void {
    const circuit = this.circuit(provider);
    const before = circuit.state;
    circuit.consecutiveFailures++;
    circuit.failures++;
    circuit.lastError = error;
    circuit.lastErrorAt = this.now();
    const wasProbe = circuit.probing;
    circuit.probing = false;
    if (wasProbe || circuit.consecutiveFailures >= this.options.failureThreshold) {
      circuit.state = 'open';
      circuit.openedAt = this.now();
      this.changed(provider, before);
    }
  }

  /** A request that was claimed but never reached the provider (client gone): no verdict. */
  release(provider: ProviderId): void {
    const circuit = this.circuits.get(provider);
    if (circuit) circuit.probing = false;
  }

  health(provider: ProviderId): ProviderHealth {
    const circuit = this.circuits.get(provider);
    const state = this.state(provider);
    return {
      state,
      consecutiveFailures: circuit?.consecutiveFailures ?? 0,
      lastError: circuit?.lastError,
      lastErrorAt: circuit?.lastErrorAt === undefined ? undefined : new Date(circuit.lastErrorAt).toISOString(),
      retryAt: state === 'open' && circuit ? new Date(circuit.openedAt + this.options.cooldownMs).toISOString() : undefined,
      successes: circuit?.successes ?? 0,
      failures: circuit?.failures ?? 0,
      latencyMs: circuit?.latencyMs === undefined ? undefined : Math.round(circuit.latencyMs),
    };
  }
}
