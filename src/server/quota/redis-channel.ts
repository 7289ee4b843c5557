import { withTimeout, type RedisClient } from './redis-connection.js';

export interface RedisChannelOptions {
  /** The server's client: messages are published on it and heard on a duplicate of it (a subscribed connection runs nothing else). */
  redis: RedisClient;
  channel: string;
  /** What is heard and what is sent, in words for the log: "listening for revocations", "publishing a revocation". */
  listening: string;
  publishing: string;
  onMessage: (message: string) => void;
  /**
   * The subscription was (re)made: whatever was published while it was down went unheard here,
   * so what was learnt from the channel must be learnt again (a cache emptied, or read anew).
   */
  onResync: () => void;
  /** Told once per outage: "<listening|publishing> through Redis fails (<cause>)". */
  onError: (problem: string) => void;
}

/** How long a publish may take before it is given up on (and told to onError). */
const PUBLISH_TIMEOUT_MS = 1000;

/**
 * One Redis pub/sub channel between the server's instances, for news that makes what an
 * instance holds in memory stale (a key revoked, a team's routing changed). Pub/sub is at most
 * once: a message sent while an instance's subscription is down is lost to it, so every holder
 * also bounds its staleness by a TTL, and each (re)subscription calls onResync.
 */
export class RedisChannel {
  private subscriber: RedisClient | undefined;
  private subscribed = false;
  private subscribing: Promise<void> | undefined;
  /** What is failing now, each told once until the subscription is back. */
  private readonly failing = new Set<string>();

  constructor(private readonly options: RedisChannelOptions) {}

  /** Starts listening; resolves once subscribed, or at once while Redis is down (the subscription follows when it is back). */
  async start(): Promise<void> {
    if (this.subscriber) return;
    const subscriber = this.options.redis.duplicate();
    this.subscriber = subscriber;
    subscriber.on('error', (error: unknown) => this.failed(this.options.listening, error));
    subscriber.on('ready', () => {
      // A (re)connection: whatever was published while the subscription was down went unheard here.
      this.options.onResync();
      this.failing.clear();
      // node-redis subscribes again by itself after a reconnection; the first subscription is ours.
      if (!this.subscribed) this.subscribing ??= this.subscribe(subscriber).finally(() => (this.subscribing = undefined));
    });
    const connected = subscriber.connect().then(
      () => this.subscribing,
      () => undefined,
    );
    const refused = new Promise<void>((resolve) => subscriber.once('error', () => resolve()));
    await Promise.race([connected, refused]);
  }

  /** Subscribed and connected: messages are heard as they are sent. */
  get listening(): boolean {
    return this.subscribed && this.subscriber?.isReady === true;
  }

  /** Sends a message to every instance; a failure is told to onError, never thrown (the holders' TTL covers it). */
  async publish(message: string): Promise<void> {
    try {
      await withTimeout(this.options.redis.sendCommand(['PUBLISH', this.options.channel, message]), PUBLISH_TIMEOUT_MS);
    } catch (error) {
      this.failed(this.options.publishing, error);
    }
  }

  close(): void {
    const subscriber = this.subscriber;
    this.subscriber = undefined;
    this.subscribed = false;
    if (subscriber?.isOpen) subscriber.destroy();
  }

  private async subscribe(subscriber: RedisClient): Promise<void> {
    try {
      await subscriber.subscribe(this.options.channel, (message: string) => this.options.onMessage(message));
      this.subscribed = true;
      // Messages published before the subscription took hold were not heard.
      this.options.onResync();
    } catch (error) {
      this.failed(this.options.listening, error);
    }
  }

  private failed(what: string, error: unknown): void {
    if (this.failing.has(what)) return;
    this.failing.add(what);
    const message = error instanceof Error ? error.message : String(error);
    this.options.onError(`${what} through Redis fails (${message})`);
  }
}
