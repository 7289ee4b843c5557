// A private redis-server on loopback: no persistence, a password, stopped and started at will.
// How it is started lives in bench/lib/redis-server.js, which the benchmarks use too; this file
// gives it its types.
import * as shared from '../../bench/lib/redis-server.js';

export interface Redis {
  port: number;
  url: string;
  /** The server's pid while it runs. */
  readonly pid: number | undefined;
  /** Runs it again on the same port, empty; resolves once it accepts connections. */
  start(): Promise<void>;
  /** SIGKILL, as a crash. */
  stop(): Promise<void>;
}

/** Why a real redis-server can't run here (Debian's redis-server package), or undefined. */
export const redisUnavailable: () => string | undefined = shared.redisUnavailable;

/** Starts one with this password (a random one if none: it is in `url`). */
export const startRedis: (password?: string) => Promise<Redis> = shared.startRedis;
