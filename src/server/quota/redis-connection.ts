import { createHash } from 'node:crypto';
// @keyv/redis (already the response cache's Redis store) re-exports node-redis's createClient:
// the same client, with no second Redis dependency.
import { createClient } from '@keyv/redis';
import { LodestarError } from '../../shared/errors.js';
import { Redactor } from '../../shared/redact.js';

export type RedisClient = ReturnType<typeof newClient>;

/** What the counters need of a client: one command at a time (a test can hand in a stub). */
export interface RedisCommander {
  sendCommand<T = unknown>(args: string[]): Promise<T>;
}

/** How long a counter command may take before the answer is "unavailable" (a slow Redis must not hold every request). */
export const REDIS_COMMAND_TIMEOUT_MS = 250;

export interface RedisConnectionOptions {
  url: string;
  /** Called once when Redis starts failing (the message has no password) and with undefined once it is back. */
  onStateChange?: (problem: string | undefined) => void;
}

/**
 * A node-redis client for the team server's counters: while Redis is away a command fails at
 * once (no offline queue, so a request never waits for a reconnection), and the client keeps
 * reconnecting in the background, every second at most. Not awaited: a server starts, and
 * refuses what needs Redis, while Redis is still down.
 */
export function connectRedis(options: RedisConnectionOptions): RedisClient {
  const client = newClient(options.url);
  let failing = false;
  // node-redis throws an 'error' nobody listens to: there is always a listener.
  client.on('error', (error: unknown) => {
    if (failing) return;
    failing = true;
    options.onStateChange?.(`Redis fails (${redactUrl(error instanceof Error ? error.message : String(error))})`);
  });
  client.on('ready', () => {
    if (!failing) return;
    failing = false;
    options.onStateChange?.(undefined);
  });
  client.connect().catch(() => undefined);
  return client;
}

function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: 1000, reconnectStrategy: (attempt: number) => Math.min(50 * 2 ** attempt, 1000) },
  });
}

/** Lets go of a client at once (at shutdown, or to play a crashed instance in a test). */
export function disconnectRedis(client: RedisClient): void {
  if (client.isOpen) client.destroy();
}

/** Redis could not answer (down, slow, or refused the command): the caller decides to fail open or closed. */
export class QuotaStoreUnavailable extends LodestarError {
  /** Timed out: the command may still have run. */
  readonly ambiguous: boolean;

  constructor(message: string, options: { ambiguous: boolean; cause?: unknown }) {
    super(redactUrl(message), { cause: options.cause });
    this.name = 'QuotaStoreUnavailable';
    this.ambiguous = options.ambiguous;
  }
}

/** A Lua script run by its SHA1 (EVALSHA), sent in full (EVAL) only when Redis has not cached it (NOSCRIPT). */
export class RedisScript {
  readonly sha: string;

  constructor(readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisCommander, keys: string[], args: string[], timeoutMs = REDIS_COMMAND_TIMEOUT_MS): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args];
    const call = client.sendCommand(['EVALSHA', this.sha, ...tail]).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return client.sendCommand(['EVAL', this.source, ...tail]);
      throw error;
    });
    return withTimeout(call, timeoutMs);
  }
}

/** A command with a deadline. node-redis's own `timeout` stops only a command not yet written, never a reply that is late. */
export async function withTimeout<T>(call: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new QuotaStoreUnavailable(`Redis did not answer within ${timeoutMs} ms`, { ambiguous: true })), timeoutMs);
  });
  try {
    return await Promise.race([call, late]);
  } catch (error) {
    if (error instanceof QuotaStoreUnavailable) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new QuotaStoreUnavailable(`Redis refused or could not take the command: ${message}`, { ambiguous: !NEVER_SENT.has(message), cause: error });
  } finally {
    clearTimeout(timer);
    call.catch(() => undefined);
  }
}

/** node-redis's messages for a command it did not send (offline, closed): nothing of it ran. */
const NEVER_SENT = new Set(['The client is offline', 'The client is closed']);

const urlRedactor = new Redactor();

function redactUrl(text: string): string {
  return urlRedactor.redact(text);
}
