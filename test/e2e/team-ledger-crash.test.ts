import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/server/db/database.js';
import { migrate } from '../../src/server/db/migrate.js';
import { PostgresLedgerWriter } from '../../src/server/ledger/postgres-ledger-writer.js';
import { requirePostgresOrSkip, startPostgres, type Postgres } from '../helpers/postgres.js';

const HAVE = requirePostgresOrSkip();
const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'ledger-crash-child.ts');

/** Packages (pg) stay outside the bundle, imported from this repository's node_modules wherever the bundle lies. */
function packagesFromHere(): Plugin {
  const require = createRequire(import.meta.url);
  return {
    name: 'packages-from-here',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('node:') ? { path: args.path, external: true } : { path: pathToFileURL(require.resolve(args.path)).href, external: true }));
    },
  };
}

describe.skipIf(!HAVE)(`the team ledger, its server killed with SIGKILL${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  let url: string;
  let pool: pg.Pool;
  let work: string;
  let child: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'lodestar-ledger-crash-'));
    child = join(work, 'child.mjs');
    // The child runs the writer's TypeScript as the tests do, without a build of the repository.
    await build({ entryPoints: [FIXTURE], outfile: child, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent', plugins: [packagesFromHere()] });
    postgres = await startPostgres();
    url = await postgres.createDatabase();
    await migrate(url);
    pool = createPool(url, { max: 2, onIdleError: () => undefined });
  });
  afterAll(async () => {
    await pool?.end();
    await postgres?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it.each([
    { name: 'with the database up', prefix: 'crash', outage: false },
    { name: 'with the database down since mid-stream', prefix: 'crashdown', outage: true },
  ])('loses no event it accepted, $name: a new writer on the same spool writes each exactly once', async ({ prefix, outage }) => {
    const spool = join(work, `spool-${prefix}`);
    const accepted = new Set<string>();
    const process_ = spawn(process.execPath, [child, url, spool, prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    process_.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => process_.once('exit', (_code, signal) => resolve(signal)));
    let pending = '';
    const reached = new Map<number, () => void>();
    const acceptedAtLeast = (count: number) => new Promise<void>((resolve) => reached.set(count, resolve));
    const dead = new Promise<never>((_, reject) => process_.once('exit', () => reject(new Error(`the child exited before it was killed:\n${stderr}`))));
    dead.catch(() => undefined);
    process_.stdout.on('data', (chunk: Buffer) => {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const id of lines) accepted.add(id);
      for (const [count, resolve] of reached) if (accepted.size >= count) resolve();
    });
    if (outage) {
      await Promise.race([acceptedAtLeast(3_000), dead]);
      await postgres.halt('fast');
    }
    // Mid-stream, and mid-segment (segments hold 1,000): some batches written, the latest only in the spool.
    await Promise.race([acceptedAtLeast(8_250), dead]);
    process_.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    if (outage) await postgres.start();

    const count = async () => (await pool.query<{ n: number }>(`SELECT count(*) AS n FROM ledger_events WHERE id LIKE $1`, [`${prefix}-%`])).rows[0]?.n ?? 0;
    const beforeReplay = await count();
    const segments = readdirSync(spool).filter((name) => /^\d{12}\.jsonl$/.test(name));
    expect(segments.length).toBeGreaterThan(0);
    expect(readdirSync(spool)).toContain('lock');

    // The server's next start: the dead process's lock is taken over, its spool replayed.
    const ledger = new PostgresLedgerWriter({ pool, spoolDirectory: spool });
    expect(await ledger.flush()).toEqual({ pending: 0 });
    const metrics = ledger.metrics();
    await ledger.close();

    const { rows } = await pool.query<{ id: string }>(`SELECT id FROM ledger_events WHERE id LIKE $1`, [`${prefix}-%`]);
    const stored = rows.map((row) => row.id);
    expect(new Set(stored).size).toBe(stored.length);
    const missing = [...accepted].filter((id) => !stored.includes(id));
    expect(missing).toEqual([]);
    // Anything else stored was appended too (after the last line the parent read): ids run without a gap.
    const highest = Math.max(...stored.map((id) => Number(id.slice(prefix.length + 1))));
    expect(stored).toHaveLength(highest + 1);
    expect(metrics.written).toBe(stored.length - beforeReplay);
    expect(metrics.written).toBeGreaterThan(0);
    expect(readdirSync(spool)).toEqual([]);
    console.info(`[ledger] SIGKILL ${outage ? '(database down)' : '(database up)'}: ${accepted.size} accepted, ${beforeReplay} in PostgreSQL at the kill, ${segments.length} spool segments replayed: ${metrics.written} new rows, ${metrics.duplicates} already there; ${stored.length} stored, each once`);
  });
});
