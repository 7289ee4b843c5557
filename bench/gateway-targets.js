// The processes of the gateway benchmark, one per target: the fake upstream, the Lodestar
// daemon (as a user starts it), the bare Node proxy (the floor) and Portkey's gateway; how the
// bench's clients address each of them; and what the bench reads about them (flags, logs,
// versions, the machine).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { get, Target } from './lib/http-client.js';
import { freePort, GUARD_IMPORT, killSync, registerCleanup, runNodeSync, startNode, stopChild, tail, waitForExit } from './lib/processes.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
const LODESTAR_BIN = join(ROOT, 'bin', 'lodestar');
const FAKE_UPSTREAM = join(ROOT, 'bench', 'fake-upstream.js');
const BARE_PROXY = join(ROOT, 'bench', 'bare-proxy.js');
const PORTKEY_ENTRY = join(ROOT, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
const API_KEY = 'sk-bench-0000000000000000';
const require = createRequire(import.meta.url);

/** How each target is named in the tables. */
export function labels(result) {
  return {
    direct: 'direct (fake upstream)',
    floor: 'bare Node proxy (floor: what any Node proxy pays here)',
    lodestar: 'Lodestar',
    portkey: `Portkey ${result.portkey.version}`,
    upstream: 'fake upstream (bare node:http, for reference)',
  };
}

/** Short names for the wide tables. */
export const SHORT = { direct: 'direct', floor: 'floor (bare proxy)', lodestar: 'Lodestar', portkey: 'Portkey' };

/**
 * The caller's environment without proxies, other provider keys or hosts, or Lodestar settings:
 * every request stays on 127.0.0.1 and Lodestar runs with its defaults.
 */
export function sanitizedEnv() {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(http_proxy|https_proxy|all_proxy|no_proxy)$/i.test(key)) continue;
    if (/_API_KEY$|_BASE_URL$|^OLLAMA_HOST$|^LODESTAR_|^NODE_OPTIONS$/.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/** The fake upstream, in its own process. */
export async function startUpstream({ env, work }) {
  const child = await startNode('fake upstream', [FAKE_UPSTREAM, '--port', '0'], {
    env,
    logPath: join(work, 'fake-upstream.log'),
    ready: /fake-upstream listening (\d+)/,
    ipc: true,
  });
  return { pid: child.pid, port: Number(child.match[1]), stop: async () => stopChild('fake upstream', child.pid) };
}

/**
 * Lodestar as a user starts it: `lodestar start --port 0` on a fresh LODESTAR_HOME. Returns its
 * pid and port (from daemon.json), the client token, the Node flags `lodestar start` gave the
 * daemon (read from its command line), and `stop` (`lodestar stop`, then a kill if need be).
 */
export async function startLodestar({ env, work, cpuProf, upstreamPort, result, name = 'home', config = { cache: { enabled: false } }, extraEnv = {} }) {
  const home = join(work, name);
  // By default the response cache is off: the benchmark sends the same body again and again, and
  // it measures the path of a request that goes upstream (bench/cache.js measures hits).
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileSync(join(home, 'config.json'), JSON.stringify(config), { mode: 0o600 });
  const profileDir = join(work, 'cpu-prof');
  if (cpuProf) mkdirSync(profileDir, { recursive: true });
  const lodestarEnv = {
    ...env,
    LODESTAR_HOME: home,
    LODESTAR_UI_PORT: '0',
    OPENAI_BASE_URL: `http://127.0.0.1:${upstreamPort}/v1`,
    OPENAI_API_KEY: API_KEY,
    ...extraEnv,
    NODE_OPTIONS: [GUARD_IMPORT, ...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])].join(' '),
    ...(cpuProf ? { LODESTAR_BENCH_MEMFILE: join(work, 'memory') } : {}),
  };
  const started = runNodeSync([LODESTAR_BIN, 'start', '--port', '0'], { env: lodestarEnv, cwd: work, timeoutMs: 30_000 });
  const state = readJson(join(home, 'daemon.json'));
  const forget = state?.pid ? registerCleanup('lodestar daemon', () => killSync(state.pid, 5000)) : () => {};
  if (started.status !== 0 || !state?.port) {
    throw new Error(`lodestar start failed (exit ${started.status}): ${(started.stderr || started.stdout).trim()} ${tail(join(home, 'logs', 'daemon.out'))}`);
  }
  const stop = async () => {
    const stopped = runNodeSync([LODESTAR_BIN, 'stop'], { env: lodestarEnv, cwd: work, timeoutMs: 40_000 });
    result.lodestarStop = { exitCode: stopped.status, output: (stopped.stdout + stopped.stderr).trim() };
    if (stopped.status !== 0) process.stderr.write(`lodestar stop exited ${stopped.status}: ${result.lodestarStop.output}\n`);
    if (!(await waitForExit(state.pid, 5000))) {
      process.stderr.write(`the daemon (pid ${state.pid}) was still there after lodestar stop: killing it\n`);
      killSync(state.pid, 1000);
    }
    forget();
  };
  return {
    pid: state.pid,
    port: state.port,
    token: readFileSync(join(home, 'token'), 'utf8').trim(),
    nodeFlags: nodeFlagsOf(state.pid),
    home,
    logPath: join(home, 'logs', 'daemon.log'),
    profileDir,
    stop,
  };
}

/** The floor: bench/bare-proxy.js in its own process, with the given Node flags. */
export async function startBareProxy({ env, work, upstreamPort, nodeFlags = [] }) {
  const child = await startNode('bare proxy', [BARE_PROXY, '--port', '0', '--upstream', `http://127.0.0.1:${upstreamPort}/v1`], {
    env: { ...env, OPENAI_API_KEY: API_KEY },
    logPath: join(work, 'bare-proxy.log'),
    ready: /bare-proxy listening (\d+)/,
    ipc: true,
    execArgv: nodeFlags,
  });
  return { pid: child.pid, port: Number(child.match[1]), nodeFlags, stop: async () => stopChild('bare proxy', child.pid) };
}

/** Portkey's gateway (its Node server), headless, on a free loopback port. Throws if it cannot. */
export async function startPortkey({ env, work }) {
  const port = await freePort();
  if (!existsSync(PORTKEY_ENTRY)) throw new Error(`${PORTKEY_ENTRY} is missing (npm install?)`);
  const child = await startNode('portkey gateway', [PORTKEY_ENTRY, '--headless', `--port=${port}`], {
    env: { ...env, NODE_ENV: 'production', LODESTAR_BENCH_LOOPBACK: '1' },
    logPath: join(work, 'portkey.log'),
    ready: /Ready for connections/,
    readyTimeoutMs: 30_000,
  });
  const stop = async () => stopChild('portkey gateway', child.pid);
  try {
    const hello = await get(port, '/');
    if (hello.status !== 200) throw new Error(`GET / answered ${hello.status}`);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid, port, logPath: join(work, 'portkey.log'), stop };
}

/** The bench's clients for each target, in the order of the tables. */
export function makeTargets({ upstreamPort, floor, lodestar, portkey }) {
  const targets = [
    new Target({ name: 'direct', port: upstreamPort, model: 'gpt-4o-mini', headers: { authorization: `Bearer ${API_KEY}` } }),
    // The same model name and the same kind of token header as Lodestar's client sends: the
    // floor drops the "openai/" prefix and replaces the header with the provider key.
    new Target({ name: 'floor', port: floor.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${lodestar.token}` } }),
    new Target({ name: 'lodestar', port: lodestar.port, model: 'openai/gpt-4o-mini', headers: { authorization: `Bearer ${lodestar.token}` } }),
  ];
  if (portkey) {
    targets.push(
      new Target({
        name: 'portkey',
        port: portkey.port,
        model: 'gpt-4o-mini',
        headers: {
          authorization: `Bearer ${API_KEY}`,
          'x-portkey-provider': 'openai',
          'x-portkey-custom-host': `http://127.0.0.1:${upstreamPort}/v1`,
        },
      }),
    );
  }
  return targets;
}

/** The Node/V8 flags a process was started with (from /proc/<pid>/cmdline: before the script). */
export function nodeFlagsOf(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const flags = [];
    for (const argument of argv.slice(1)) {
      if (!argument.startsWith('-')) break;
      flags.push(argument);
    }
    return flags;
  } catch {
    return undefined;
  }
}

/** Lodestar's own memory report: GET /health (no token needed) -> its `memory` field. */
export async function healthMemory(port) {
  try {
    const answer = await get(port, '/health');
    return JSON.parse(answer.body).memory;
  } catch {
    return undefined;
  }
}

/** What the daemon wrote to daemon.log: bytes, lines, and how many of them are per-request lines. */
export function logStats(path) {
  try {
    const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
    return { bytes: statSync(path).size, lines: lines.length, requestLines: lines.filter((line) => /"message":"request"/.test(line)).length };
  } catch {
    return undefined;
  }
}

/** What the daemon's ledger holds (LODESTAR_HOME/ledger/*.jsonl): bytes and lines, if it has one. */
export function ledgerStats(home) {
  const directory = join(home, 'ledger');
  if (!existsSync(directory)) return undefined;
  let bytes = 0;
  let lines = 0;
  for (const name of readdirSync(directory).filter((file) => file.endsWith('.jsonl'))) {
    const data = readFileSync(join(directory, name));
    bytes += data.length;
    for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) lines++;
  }
  return { bytes, lines };
}

export function machineInfo() {
  const list = cpus();
  let nproc;
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || undefined;
  } catch {
    nproc = undefined;
  }
  let os = `${process.platform} ${process.arch}`;
  try {
    const release = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?/m);
    if (release) os = `${release[1]} (${process.arch})`;
  } catch {
    // not Linux
  }
  let lodestar = 'unknown commit';
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'bin', 'package.json'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    lodestar = `commit ${commit}${dirty ? ' with uncommitted changes in src/' : ''}`;
  } catch {
    // not a git checkout
  }
  return {
    lodestar,
    cpus: list.length,
    nproc: nproc ?? list.length,
    cpuModel: list[0]?.model?.trim() ?? 'unknown CPU',
    memoryGiB: totalmem() / 1024 ** 3,
    node: process.version,
    os,
  };
}

export function portkeyVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', '@portkey-ai', 'gateway', 'package.json'), 'utf8')).version;
  } catch {
    try {
      return require('@portkey-ai/gateway/package.json').version;
    } catch {
      return 'unknown';
    }
  }
}

export function autocannonVersion() {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', 'autocannon', 'package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

export function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

export function safeSize(path) {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
