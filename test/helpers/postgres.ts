// A private PostgreSQL for one test file. How it is started (Debian's `postgresql` package, a
// cluster of its own in a temporary folder, durability off, run as `postgres` under root, an
// initdb template kept per machine) lives in bench/lib/postgres-server.js, which the benchmarks
// use too; this file gives it its types and the tests' rule for a missing PostgreSQL.
import * as shared from '../../bench/lib/postgres-server.js';

export interface Postgres {
  /** postgresql://lodestar:<password>@127.0.0.1:<port>/postgres: the superuser, on the `postgres` database. */
  url: string;
  port: number;
  /** The cluster's temporary folder (data/, the unix socket, the server's log). */
  dir: string;
  /** The postmaster's pid while it runs. */
  readonly pid: number | undefined;
  /** A new, empty database; returns its URL. For tests that want a database of their own in this cluster. */
  createDatabase(name?: string): Promise<string>;
  /**
   * Stops the server, keeping its data: `fast` (SIGINT: clients are disconnected, a clean shutdown,
   * the default) or `immediate` (SIGQUIT: no checkpoint, recovery at the next start, as after a crash).
   * Clients see their connections end: give every pg.Pool an 'error' listener.
   */
  halt(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Starts the server again on the same port, with the same data; resolves once it accepts connections. */
  start(): Promise<void>;
  /** halt() then start(). */
  restart(mode?: 'fast' | 'immediate'): Promise<void>;
  /** What the server logged, for failure messages. */
  log(): string;
  /** Stops the server and every process of it, then removes the folder. Idempotent. */
  stop(): Promise<void>;
}

/** The folder holding initdb and postgres: LODESTAR_POSTGRES_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export const postgresBinDir: () => string | undefined = shared.postgresBinDir;

/** A PostgreSQL server of a version the tests can use is installed. */
export const HAVE_POSTGRES: boolean = shared.HAVE_POSTGRES;

/** Why the tests against a real PostgreSQL can't run here, or undefined. */
export const postgresUnavailable: () => string | undefined = shared.postgresUnavailable;

/** Starts a private cluster, durability off; `stop()` it in afterAll. */
export const startPostgres: (options?: { durable?: boolean }) => Promise<Postgres> = shared.startPostgres;

/** The live (not zombie) processes whose parent is `pid`, from /proc. */
export const childrenOf: (pid: number) => number[] = shared.childrenOf;

/** The process is alive, and not a zombie. */
export const alive: (pid: number) => boolean = shared.alive;

/**
 * Whether the tests that need PostgreSQL can run. Without it they are skipped, saying so once on
 * stderr; CI sets LODESTAR_REQUIRE_POSTGRES=1 and then a missing PostgreSQL is an error instead.
 */
export function requirePostgresOrSkip(): boolean {
  const why = postgresUnavailable();
  if (!why) return true;
  if (process.env.LODESTAR_REQUIRE_POSTGRES === '1') throw new Error(`${why} (LODESTAR_REQUIRE_POSTGRES=1)`);
  process.stderr.write(`${why}: the tests against a real PostgreSQL are SKIPPED\n`);
  return false;
}
