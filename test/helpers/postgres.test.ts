import { existsSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, childrenOf, requirePostgresOrSkip, startPostgres, type Postgres } from './postgres.js';

const HAVE = requirePostgresOrSkip();

async function query(url: string, text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

describe.skipIf(!HAVE)(`the PostgreSQL test harness (a private cluster on loopback)${HAVE ? '' : ': SKIPPED, no PostgreSQL'}`, () => {
  let postgres: Postgres;
  beforeAll(async () => {
    const started = performance.now();
    postgres = await startPostgres();
    process.stderr.write(`postgres harness: cluster started in ${Math.round(performance.now() - started)} ms\n`);
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  it('answers on 127.0.0.1 with its password, and refuses a wrong one', async () => {
    expect(postgres.url).toMatch(/^postgresql:\/\/lodestar:[\w-]+@127\.0\.0\.1:\d+\/postgres$/);
    const { rows } = await query(postgres.url, "select current_setting('fsync') as fsync, current_setting('listen_addresses') as listen");
    expect(rows[0]).toEqual({ fsync: 'off', listen: '127.0.0.1' });
    const wrong = postgres.url.replace(/:[\w-]+@/, ':not-the-password@');
    await expect(query(wrong, 'select 1')).rejects.toThrow(/password authentication failed/);
  });

  it('gives a test a database of its own', async () => {
    const url = await postgres.createDatabase();
    await query(url, 'create table only_here (x int)');
    const { rows } = await query(postgres.url, "select count(*)::int as n from pg_class where relname = 'only_here'");
    expect(rows[0]).toEqual({ n: 0 });
  });

  it('halts and starts again on the same port, with its data', async () => {
    const url = await postgres.createDatabase('kept');
    await query(url, 'create table kept_rows (x int); insert into kept_rows values (42)');
    await postgres.halt();
    expect(postgres.pid).toBeUndefined();
    await expect(query(url, 'select 1')).rejects.toThrow(/ECONNREFUSED/);
    await postgres.start();
    expect((await query(url, 'select x from kept_rows')).rows).toEqual([{ x: 42 }]);
    await postgres.restart('immediate');
    expect((await query(url, 'select x from kept_rows')).rows).toEqual([{ x: 42 }]);
  });

  it('stops with no process left behind, its folder removed', async () => {
    const other = await startPostgres();
    const pid = other.pid as number;
    // A client connected: a backend process of the server's, which stop() must take down too.
    const client = new pg.Client({ connectionString: other.url });
    client.on('error', () => undefined);
    await client.connect();
    const processes = [pid, ...childrenOf(pid)];
    expect(processes.length).toBeGreaterThan(3);
    await other.stop();
    expect(processes.filter(alive)).toEqual([]);
    expect(existsSync(other.dir)).toBe(false);
    await client.end().catch(() => undefined);
  });
});
