// A private PostgreSQL server for the tests (test/helpers/postgres.ts re-exports this) and the
// benchmarks: Debian's `postgresql` package (.ci/run installs it), a cluster of its own in a
// temporary folder, on a free port of 127.0.0.1 with a random password, and its unix socket in
// that folder (nothing in /var/run/postgresql). By default durability is off (fsync,
// synchronous_commit, full_page_writes): a test cluster is thrown away, and this is what makes it
// fast. `durable: true` keeps PostgreSQL's own defaults, for measurements that must pay the disk.
//
// initdb and postgres refuse to run as root: as root both run as the `postgres` user (Debian's
// package makes it; `nobody` otherwise), through Node's own uid/gid spawn options, which also drop
// root's supplementary groups; the temporary folder is handed to that user. As anyone else they
// run as that user.
//
// initdb takes 1.5-2 s, so it runs once per machine: its cluster is kept as a template in the temp
// folder (named after the server's version) and each cluster starts from a copy of it.
//
// Plain JavaScript so that the benchmarks (bench/, no build step) and the tests share it.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { childrenOf, freePort, isAlive as alive } from './processes.js';

const MIN_MAJOR = 13; // gen_random_uuid() in core
const SUPERUSER = 'lodestar';
/** Changes whenever the template's initdb arguments do, so that an old template is not reused. */
const TEMPLATE_FORMAT = 1;

const execFileAsync = promisify(execFile);

/** The folder holding initdb and postgres: LODESTAR_POSTGRES_BIN, else the newest /usr/lib/postgresql/N/bin, else PATH. */
export function postgresBinDir() {
  const given = process.env.LODESTAR_POSTGRES_BIN;
  if (given) return hasServer(given) ? given : undefined;
  const debian = '/usr/lib/postgresql';
  const versions = existsSync(debian)
    ? readdirSync(debian)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) if (Number(version) >= MIN_MAJOR && hasServer(join(debian, version, 'bin'))) return join(debian, version, 'bin');
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && hasServer(dir)) return dir;
  return undefined;
}

function hasServer(dir) {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
}

const BIN = postgresBinDir();

/** `postgres --version` and its major, or undefined. */
function serverVersion(bin) {
  const result = spawnSync(join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  const text = result.stdout?.trim() ?? '';
  const major = Number(/\)\s*(\d+)/.exec(text)?.[1] ?? /(\d+)\./.exec(text)?.[1]);
  return Number.isFinite(major) && major > 0 ? { text, major } : undefined;
}

const VERSION = BIN ? serverVersion(BIN) : undefined;

/** `postgres --version` of the server that would run, e.g. "postgres (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)". */
export const POSTGRES_VERSION = VERSION?.text;

/** A PostgreSQL server of a version the tests can use is installed. */
export const HAVE_POSTGRES = VERSION !== undefined && VERSION.major >= MIN_MAJOR;

/** Why a real PostgreSQL can't run here, or undefined. */
export function postgresUnavailable() {
  if (!BIN && process.env.LODESTAR_POSTGRES_BIN) return `LODESTAR_POSTGRES_BIN=${process.env.LODESTAR_POSTGRES_BIN} holds no initdb and postgres`;
  if (!BIN) return 'PostgreSQL is not installed (Debian: apt-get install postgresql; found neither /usr/lib/postgresql/*/bin nor initdb on PATH)';
  if (!VERSION) return `${join(BIN, 'postgres')} --version did not say its version`;
  if (VERSION.major < MIN_MAJOR) return `PostgreSQL ${VERSION.major} in ${BIN} is too old (${MIN_MAJOR} or newer)`;
  return undefined;
}

/** As root: the unprivileged user initdb and postgres run as ({ uid, gid }); undefined otherwise. */
function runAs() {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readText('/etc/passwd').split('\n');
  for (const name of ['postgres', 'nobody']) {
    const fields = passwd.find((line) => line.startsWith(`${name}:`))?.split(':');
    if (fields && fields[2] && fields[3]) return { uid: Number(fields[2]), gid: Number(fields[3]) };
  }
  throw new Error('running as root, and found neither a postgres nor a nobody user to run PostgreSQL as');
}

/** The environment initdb and postgres get: none of the calling process's PG* variables, a plain locale. */
function serverEnv() {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C', LC_ALL: 'C' };
}

function handOver(path, user) {
  if (user) chownSync(path, user.uid, user.gid);
}

/**
 * The template cluster, made once per machine and server version. Built in a folder of its own and
 * renamed into place, so that processes starting together never see half of one.
 */
async function templateDir(bin, user) {
  const key = `${VERSION?.major ?? 'x'}-${TEMPLATE_FORMAT}-${user ? `uid${user.uid}` : `self${process.getuid?.() ?? ''}`}`;
  const template = join(tmpdir(), `lodestar-postgres-template-${key}`);
  if (readText(join(template, 'lodestar-template')).trim() === (VERSION?.text ?? '')) return template;
  const building = mkdtempSync(join(tmpdir(), 'lodestar-postgres-template-building-'));
  try {
    handOver(building, user);
    const passwordFile = join(building, 'password');
    // The real password is set at each start; initdb only needs one for scram.
    writeFileSync(passwordFile, `${randomBytes(16).toString('hex')}\n`, { mode: 0o600 });
    handOver(passwordFile, user);
    const data = join(building, 'data');
    const args = ['-D', data, '-U', SUPERUSER, `--pwfile=${passwordFile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions'];
    try {
      await execFileAsync(join(bin, 'initdb'), args, { cwd: building, env: serverEnv(), ...(user ?? {}) });
    } catch (error) {
      throw new Error(`initdb failed: ${error.message}\n${error.stdout ?? ''}${error.stderr ?? ''}`);
    }
    rmSync(passwordFile);
    writeFileSync(join(data, 'lodestar-template'), `${VERSION?.text ?? ''}\n`);
    // Another process may have put one in place meanwhile: that one is as good, and may be in use.
    if (readText(join(template, 'lodestar-template')).trim() === (VERSION?.text ?? '')) return template;
    rmSync(template, { recursive: true, force: true });
    try {
      renameSync(data, template);
    } catch (error) {
      // Another process renamed its own first.
      if (readText(join(template, 'lodestar-template')).trim() !== (VERSION?.text ?? '')) throw error;
    }
    return template;
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
}

/** Every cluster not stopped yet: its folder -> its postmaster's pid while one runs. */
const clusters = new Map();
let exitHookInstalled = false;

/**
 * Starts a private cluster; see the top of this file. `stop()` it when done. Options:
 * `durable` (default false): keep fsync, synchronous_commit and full_page_writes on.
 *
 * Returns { url, port, dir, pid, createDatabase(name?), halt(mode?), start(), restart(mode?), log(), stop() }:
 * - url: postgresql://lodestar:<password>@127.0.0.1:<port>/postgres (the superuser, on `postgres`);
 * - pid: the postmaster's while it runs;
 * - createDatabase: a new, empty database; resolves to its URL;
 * - halt: stops the server, keeping its data: `fast` (SIGINT: clients are disconnected, a clean
 *   shutdown, the default) or `immediate` (SIGQUIT: no checkpoint, recovery at the next start);
 *   clients see their connections end (give every pg.Pool an 'error' listener);
 * - start: again on the same port with the same data, once it accepts connections; restart: both;
 * - log: what the server logged; stop: the server and every process of it stopped, the folder
 *   removed (idempotent).
 */
export async function startPostgres({ durable = false } = {}) {
  const why = postgresUnavailable();
  if (why || !BIN) throw new Error(why ?? 'no PostgreSQL');
  const bin = BIN;
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'lodestar-postgres-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const password = randomBytes(18).toString('base64url');
  let port = 0;
  let child;
  let databases = 0;

  const remove = () => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  const log = () => readText(logFile);

  async function launch() {
    const logFd = openSync(logFile, 'a');
    try {
      const args = [
        '-D', data,
        '-p', String(port),
        '-c', 'listen_addresses=127.0.0.1',
        '-c', `unix_socket_directories=${dir}`,
        ...(durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
        '-c', 'max_connections=200',
      ];
      // Not detached: a Ctrl-C at the terminal reaches it too, and SIGINT is its clean fast shutdown.
      child = spawn(join(bin, 'postgres'), args, { cwd: dir, env: serverEnv(), stdio: ['ignore', logFd, logFd], ...(user ?? {}) });
    } finally {
      closeSync(logFd);
    }
    const started = child;
    if (started.pid === undefined) throw new Error('postgres did not start');
    const exited = new Promise((_, reject) => started.once('exit', (code, signal) => reject(new Error(`postgres exited (${code ?? signal}) before it was ready:\n${log()}`))));
    exited.catch(() => undefined);
    const deadline = Date.now() + 30_000;
    // Line 8 of postmaster.pid is the postmaster's status; "ready" once it accepts connections (what pg_ctl waits for).
    while (readText(join(data, 'postmaster.pid')).split('\n')[7]?.trim() !== 'ready') {
      if (Date.now() > deadline) throw new Error(`postgres was not ready within 30 s:\n${log()}`);
      await Promise.race([sleep(20), exited]);
    }
  }

  async function halt(mode = 'fast') {
    const server = child;
    child = undefined;
    if (!server?.pid) return;
    await endServer(server, mode === 'fast' ? 'SIGINT' : 'SIGQUIT');
  }

  clusters.set(dir, () => child?.pid);
  installExitHook();
  try {
    handOver(dir, user);
    const template = await templateDir(bin, user);
    await execFileAsync('cp', ['-a', template, data]);
    rmSync(join(data, 'lodestar-template'), { force: true });
    // The port is free when asked, and may be taken before postgres binds it: a few tries.
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      try {
        await launch();
        break;
      } catch (error) {
        await halt('immediate');
        if (attempt >= 3 || !/could not bind|Address already in use/i.test(String(error))) throw error;
      }
    }
    // Over the unix socket (trust, and only this user can reach the folder): this cluster's own password.
    const admin = new pg.Client({ host: dir, port, user: SUPERUSER, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`ALTER ROLE ${SUPERUSER} PASSWORD '${password}'`);
    } finally {
      await admin.end();
    }
  } catch (error) {
    await halt('immediate');
    remove();
    clusters.delete(dir);
    throw error;
  }

  const url = (database) => `postgresql://${SUPERUSER}:${password}@127.0.0.1:${port}/${database}`;
  let stopped;
  return {
    url: url('postgres'),
    port,
    dir,
    get pid() {
      return child?.pid;
    },
    async createDatabase(name) {
      const database = name ?? `test_${++databases}_${randomBytes(3).toString('hex')}`;
      if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`createDatabase: ${JSON.stringify(database)} is not a plain lower-case name`);
      const admin = new pg.Client({ connectionString: url('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${database}`);
      } finally {
        await admin.end();
      }
      return url(database);
    },
    halt,
    start: async () => {
      if (child) return;
      await launch();
    },
    async restart(mode) {
      await halt(mode);
      await launch();
    },
    log,
    stop() {
      stopped ??= (async () => {
        // Its data is thrown away: no shutdown checkpoint to wait for.
        await halt('immediate');
        remove();
        clusters.delete(dir);
      })();
      return stopped;
    },
  };
}

/**
 * Signals the postmaster and waits for it: it exits only once all its children have (they call
 * setsid, so they are not in its process group). If it is not gone within 10 s, it and its
 * children get SIGKILL. Returns once none of them is alive.
 */
async function endServer(server, signal) {
  const pid = server.pid;
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once('exit', () => resolve()));
  const children = childrenOf(pid);
  server.kill(signal);
  if (await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)])) return;
  for (const other of [...children, ...childrenOf(pid)]) kill(other, 'SIGKILL');
  server.kill('SIGKILL');
  await exited;
  const deadline = Date.now() + 5_000;
  while (children.some(alive) && Date.now() < deadline) await sleep(50);
}

/** The live (not zombie) processes whose parent is `pid`, and whether a process is alive and not a zombie. */
export { childrenOf, alive };

function kill(pid, signal) {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A process that ends without stop() still takes its clusters with it: at exit, and on the
  // SIGTERM with which vitest ends a worker (no 'exit' event then), after which it dies of it as before.
  process.once('exit', killAllNow);
  const onSignal = (signal) => {
    killAllNow();
    process.off(signal, onSignal);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('SIGTERM', onSignal);
}

/** Synchronous, for exit: SIGKILL to every postmaster still running and its children, folders removed. */
function killAllNow() {
  for (const [dir, pid] of clusters) {
    const postmaster = pid();
    if (postmaster !== undefined) {
      for (const other of childrenOf(postmaster)) kill(other, 'SIGKILL');
      kill(postmaster, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  }
  clusters.clear();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function readText(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
