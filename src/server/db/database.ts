import pg from 'pg';

/**
 * The team server's connection pool. Values come back as the rest of Lodestar uses them: int8
 * (bigint columns, count(*), sum() of integers) as a JS number (exact up to 2^53, past any token
 * or request count a month sees) rather than pg's default string; timestamptz as a Date; jsonb
 * parsed; double precision as a number.
 */
export interface DatabaseOptions {
  /** Connections at most (pg's default is 10). */
  max?: number;
  /**
   * An idle connection failed (the server restarted, the network dropped): pg.Pool emits that as
   * an 'error' event, which would crash the process unheard. Logged here; the pool replaces the
   * connection at its next use.
   */
  onIdleError?: (error: Error) => void;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
}

const INT8_OID = 20;

const types: pg.CustomTypesConfig = {
  getTypeParser: (oid, format) => (oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)),
};

function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`a bigint from the database (${text}) is past what a JS number holds exactly`);
  return value;
}

export function createPool(url: string, options: DatabaseOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'lodestar-server',
    types,
  });
  pool.on('error', (error) => options.onIdleError?.(error));
  return pool;
}

/**
 * Runs `work` in a transaction on one connection of the pool: committed if it returns, rolled back
 * if it throws (and the error rethrown). A connection whose rollback failed is discarded, never
 * handed back to the pool mid-transaction.
 */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch((rollbackError: Error) => {
      broken = rollbackError;
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** PostgreSQL's SQLSTATE of a failed query (23505 unique_violation, ...), if it is one. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

/** The constraint a failed query broke, if it names one. */
export function brokenConstraint(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.constraint : undefined;
}
