// Starting, watching and always stopping the processes a benchmark needs.
//
// Every process started here is registered; `cleanupAll()` stops them (SIGTERM, then SIGKILL)
// and runs on normal exit, on SIGINT/SIGTERM/SIGHUP and on an uncaught error. Each child also
// gets bench/lib/child-guard.js preloaded, so it exits by itself if the bench is SIGKILLed.
import { spawn, spawnSync } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const GUARD_PATH = fileURLToPath(new URL('./child-guard.js', import.meta.url));
export const GUARD_IMPORT = `--import=${pathToFileURL(GUARD_PATH).href}`;

/** name -> synchronous stop function; run in reverse order of registration. */
const cleanups = new Map();
let handlersInstalled = false;

export function registerCleanup(name, stop) {
  installHandlers();
  cleanups.set(name, stop);
  return () => cleanups.delete(name);
}

/** Synchronous on purpose: it also runs from process.on('exit'). */
export function cleanupAll() {
  const entries = [...cleanups.entries()].reverse();
  cleanups.clear();
  for (const [name, stop] of entries) {
    try {
      stop();
    } catch (error) {
      process.stderr.write(`bench: cleaning up ${name} failed: ${error?.message ?? error}\n`);
    }
  }
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping everything it started\n`);
      cleanupAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (error) => {
    process.stderr.write(`bench: ${error?.stack ?? error}\n`);
    cleanupAll();
    process.exit(1);
  });
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return error.code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The live (not zombie) processes whose parent is `pid`, from /proc. */
export function childrenOf(pid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields[0] !== 'Z' && Number(fields[1]) === pid) found.push(Number(entry));
  }
  return found;
}

/** SIGTERM, wait up to `graceMs` (synchronously, polling), then SIGKILL. */
export function killSync(pid, graceMs = 3000) {
  if (!pid || !isAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && isAlive(pid)) sleepSync(20);
  if (isAlive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

function sleepSync(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export async function waitForExit(pid, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await delay(25);
  }
  return !isAlive(pid);
}

/** A port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

export function childEnv(extra = {}) {
  return { ...process.env, LODESTAR_BENCH_PARENT: String(process.pid), ...extra };
}

/**
 * Starts `node <args>` (this Node) as a registered child with stdout/stderr going to `logPath`.
 * With `ready`, waits until the log shows that pattern; returns { child, pid, match }.
 */
export async function startNode(name, args, { env, logPath, ready, readyTimeoutMs = 20_000, cwd, ipc = false, execArgv = [] } = {}) {
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [GUARD_IMPORT, ...execArgv, ...args], {
    cwd,
    env,
    stdio: ['ignore', fd, fd, ...(ipc ? ['ipc'] : [])],
  });
  closeSync(fd);
  registerCleanup(name, () => killSync(child.pid));
  let exited;
  child.once('exit', (code, signal) => {
    exited = { code, signal };
  });
  if (!ready) return { child, pid: child.pid };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${name} exited while starting (${exited.code ?? exited.signal}): ${tail(logPath)}`);
    const match = readFileSync(logPath, 'utf8').match(ready);
    if (match) return { child, pid: child.pid, match };
    await delay(25);
  }
  throw new Error(`${name} did not become ready within ${readyTimeoutMs / 1000} s: ${tail(logPath)}`);
}

export function stopChild(name, pid, graceMs = 3000) {
  killSync(pid, graceMs);
  cleanups.delete(name);
}

/** Runs `node <args>` to completion (the lodestar CLI); returns { status, stdout, stderr }. */
export function runNodeSync(args, { env, cwd, timeoutMs = 60_000 } = {}) {
  const result = spawnSync(process.execPath, args, { env, cwd, encoding: 'utf8', timeout: timeoutMs });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', error: result.error };
}

export function tail(path, chars = 1500) {
  try {
    const text = readFileSync(path, 'utf8');
    return text.slice(-chars).trim();
  } catch {
    return '';
  }
}

/** VmRSS of a process in MiB (undefined if it is gone). */
export function rssMiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** User + system CPU time a process has used so far, in milliseconds (10 ms resolution). */
export function cpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the command name.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of a process and of everything under it, in milliseconds: its own, that of its live
 * descendants, and that of the children it has already reaped (a PostgreSQL backend that ended).
 */
export function treeCpuMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime (fields 16 and 17): the children it waited for.
    let total = ((Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) * 1000) / CLOCK_TICKS;
    for (const child of childrenOf(pid)) total += treeCpuMs(child) ?? 0;
    return total;
  } catch {
    return undefined;
  }
}

/**
 * Samples the RSS of some processes every `intervalMs` while load runs; `start(label)` opens a
 * new window (closing the last), `stop()` closes it; `windows` holds each window's max per process.
 */
export class RssSampler {
  constructor(pids, intervalMs = 200) {
    this.pids = pids;
    this.intervalMs = intervalMs;
    this.windows = [];
    this.current = undefined;
    this.timer = undefined;
  }

  start(label) {
    this.stop();
    this.current = { label, max: Object.fromEntries(Object.keys(this.pids).map((name) => [name, 0])) };
    this.windows.push(this.current);
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  sample() {
    if (!this.current) return;
    for (const [name, pid] of Object.entries(this.pids)) {
      const value = rssMiB(pid);
      if (value !== undefined && value > this.current.max[name]) this.current.max[name] = value;
    }
  }

  stop() {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    this.timer = undefined;
    this.current = undefined;
  }
}

/**
 * The whole machine's CPU time so far from /proc/stat, in milliseconds: busy (user, nice and
 * system: what processes are charged, comparable with cpuMs), steal (taken by the hypervisor
 * for other guests) and idle (+ iowait). Interrupt time is left out: it is not charged to a
 * process, and this benchmark's own loopback traffic makes much of it.
 */
export function machineCpuMs() {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    const toMs = (ticks) => (ticks * 1000) / CLOCK_TICKS;
    return { busy: toMs(user + nice + system), interrupts: toMs(irq + softirq), steal: toMs(steal ?? 0), idle: toMs(idle + iowait) };
  } catch {
    return undefined;
  }
}
