import type pg from 'pg';
import type { Logger } from '../../shared/logger.js';

/** What the team ledger writer (postgres-ledger-writer.ts) is given, and what it says of itself. */

export interface PostgresLedgerWriterOptions {
  pool: pg.Pool;
  /** The spool's folder, this writer's alone; created 0700 if missing. */
  spoolDirectory: string;
  logger?: Logger;
  /** Events a batch at most (default 500). */
  batchSize?: number;
  /** A batch goes at most this long after its first event, when the database keeps up (default 150 ms). */
  batchAgeMs?: number;
  /** Events held in memory at most; past it, the spool file alone holds them (default 10,000). */
  maxHeldEvents?: number;
  /** The first retry's delay after a failed batch (default 200 ms), doubling up to retryMaxMs (default 5 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How often the segment being filled is forced to disk (default 200 ms). */
  fsyncIntervalMs?: number;
  /** A batch's INSERT that takes longer fails, as when the database is down (default 30 s). */
  queryTimeoutMs?: number;
}

export interface LedgerWriterMetrics {
  /** Events appended (or read back from an earlier process's spool) that PostgreSQL has not confirmed yet. */
  pending: number;
  /** Of those, held in memory (at most maxHeldEvents). */
  held: number;
  /** Spool segments on disk, and their size. */
  spoolSegments: number;
  spoolBytes: number;
  /** Rows this writer inserted. */
  written: number;
  /** Rows that were in the database already (a segment replayed after a crash between commit and delete). */
  duplicates: number;
  /** Batches committed, and batches that failed and wait for a retry. */
  batches: number;
  retries: number;
  /** Events the database refused, and spool lines that could not be read: both kept in rejected.jsonl. */
  rejected: number;
  tornLines: number;
  /** Segments whose events were not held in memory (the memory bound was reached). */
  spilledSegments: number;
  databaseDown: boolean;
  lastError: { at: string; fields: Record<string, unknown> } | undefined;
}

export interface FlushResult {
  /** Events not in PostgreSQL yet (0: everything appended before the flush is written); they are in the spool, on disk. */
  pending: number;
}
