import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { createServer } from 'node:net';
import type { LodestarPaths } from '../config/paths.js';
import { inspectDaemon, isProcessAlive, type DaemonState, type DaemonStatus } from '../shared/daemon-state.js';
import { LodestarError, errorCode } from '../shared/errors.js';
import { ensurePrivateDir, safeUnlink } from '../shared/files.js';
import { DAEMON_ENTRY, DAEMON_NODE_FLAGS } from '../shared/package-info.js';
import { healthOf } from './daemon-client.js';

export interface RunningInfo {
  state: DaemonState;
  health: Record<string, unknown> | undefined;
}

/** The daemon as daemon.json and the process table see it; a stale file is reported, not kept. */
export function findDaemon(paths: LodestarPaths): DaemonStatus {
  return inspectDaemon(paths.daemonState);
}

export function removeStaleState(paths: LodestarPaths): void {
  safeUnlink(paths.daemonState);
}

/** Whether something already listens on 127.0.0.1:port. */
export function portInUse(port: number): Promise<boolean> {
  if (port === 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => resolve(errorCode(error) === 'EADDRINUSE' || errorCode(error) === 'EACCES'));
    probe.listen({ port, host: '127.0.0.1', exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

type StartupMessage =
  | { type: 'ready'; pid: number; port: number; url: string }
  | { type: 'error'; message: string; hint?: string; exitCode: number };

const STARTUP_TIMEOUT_MS = 20_000;
const OUTPUT_LIMIT_BYTES = 1024 * 1024;

/**
 * Runs the daemon as a detached process and resolves once it answers /health. Its stdout and
 * stderr (crash traces only: logs go to daemon.log) land in logs/daemon.out.
 */
export async function spawnDaemon(paths: LodestarPaths, port: number, env: NodeJS.ProcessEnv): Promise<RunningInfo> {
  if (!existsSync(DAEMON_ENTRY)) {
    throw new LodestarError(`the daemon is not built (${DAEMON_ENTRY} is missing)`, { hint: 'Run `npm run build` in the Lodestar folder.' });
  }
  ensurePrivateDir(paths.logs);
  boundOutputFile(paths.daemonOutput);
  const outputDescriptor = openSync(paths.daemonOutput, 'a', 0o600);
  const outputStart = statSync(paths.daemonOutput).size;
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_ENTRY, '--port', String(port)], {
    detached: true,
    stdio: ['ignore', outputDescriptor, outputDescriptor, 'ipc'],
    env,
    cwd: paths.home,
  });
  closeSync(outputDescriptor);

  const message = await new Promise<StartupMessage>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new LodestarError(`the daemon did not come up within ${STARTUP_TIMEOUT_MS / 1000} s`, { hint: `See ${paths.daemonLog}.` }));
    }, STARTUP_TIMEOUT_MS);
    child.once('message', (received: StartupMessage) => {
      clearTimeout(timer);
      resolve(received);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const reason = tail(paths.daemonOutput, outputStart) || `exit ${code ?? signal ?? 'unknown'}`;
      reject(new LodestarError(`the daemon stopped while starting: ${reason}`, { hint: `See ${paths.daemonOutput}.` }));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new LodestarError(`could not run the daemon: ${error.message}`));
    });
  }).finally(() => {
    if (child.connected) child.disconnect();
    child.unref();
  });

  if (message.type === 'error') {
    throw new LodestarError(message.message, { hint: message.hint, exitCode: message.exitCode });
  }
  const status = findDaemon(paths);
  if (status.kind !== 'alive') throw new LodestarError('the daemon started but daemon.json is missing', { hint: `See ${paths.daemonLog}.` });
  const health = await waitForHealth(status.state);
  if (!health) throw new LodestarError(`the daemon started (pid ${status.state.pid}) but /health does not answer`, { hint: `See ${paths.daemonLog}.` });
  return { state: status.state, health };
}

/**
 * How long start waits for the first nvidia-smi reading and the first Ollama check once /health
 * answers: both take ~0.1 s when they work; a slower one is reported as pending, not waited for.
 */
export const READY_WAIT_MS = 3000;

/** Waits for /health to answer, then (within READY_WAIT_MS) for its first readings to be in. */
async function waitForHealth(state: DaemonState): Promise<Record<string, unknown> | undefined> {
  let health: Record<string, unknown> | undefined;
  for (let attempt = 0; attempt < 20 && !health; attempt++) {
    health = await healthOf(state, 1000);
    if (!health) await delay(100);
  }
  const deadline = Date.now() + READY_WAIT_MS;
  while (health && health.ready === false && Date.now() < deadline) {
    await delay(50);
    health = (await healthOf(state, 1000)) ?? health;
  }
  return health;
}

/** What a first reading still out at start means for the user, a sentence each ("" when all are in). */
export function pendingReadings(health: Record<string, unknown> | undefined): string[] {
  const pending = Array.isArray(health?.pending) ? (health.pending as string[]) : [];
  const seconds = READY_WAIT_MS / 1000;
  return pending.map((what) =>
    what === 'gpu'
      ? `nvidia-smi has not answered within ${seconds} s; /health shows the GPU as pending until it does.`
      : `Ollama has not answered its first check within ${seconds} s; /health shows it as pending until it does.`,
  );
}

/**
 * Sends SIGTERM (the daemon lets in-flight requests finish) and waits for the process to go.
 * Returns false if it is still there after `timeoutMs`.
 */
export async function stopDaemon(state: DaemonState, timeoutMs: number, force: boolean): Promise<boolean> {
  try {
    process.kill(state.pid, 'SIGTERM');
  } catch (error) {
    if (errorCode(error) === 'ESRCH') return true;
    throw new LodestarError(`could not signal the daemon (pid ${state.pid}): ${errorCode(error) ?? String(error)}`);
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(state.pid)) return true;
    await delay(50);
  }
  if (!force) return false;
  try {
    process.kill(state.pid, 'SIGKILL');
  } catch {
    // gone in the meantime
  }
  for (let attempt = 0; attempt < 40 && isProcessAlive(state.pid); attempt++) await delay(50);
  return !isProcessAlive(state.pid);
}

function boundOutputFile(path: string): void {
  try {
    if (statSync(path).size > OUTPUT_LIMIT_BYTES) truncateSync(path, 0);
  } catch {
    // not there yet
  }
}

function tail(path: string, from: number): string {
  try {
    const text = readFileSync(path, 'utf8').slice(from).trim();
    const lines = text.split('\n').filter((line) => line.trim());
    const meaningful = lines.find((line) => /^lodestar: /.test(line)) ?? lines.find((line) => /Error/.test(line)) ?? lines.at(-1);
    return meaningful?.replace(/^lodestar: /, '') ?? '';
  } catch {
    return '';
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * The running daemon, started first if it is not running (for commands that need it, like
 * `lodestar aider` and `lodestar models warm`). `started` says whether this call started it.
 */
export async function ensureDaemon(paths: LodestarPaths, port: number, env: NodeJS.ProcessEnv): Promise<{ state: DaemonState; started: boolean }> {
  const existing = findDaemon(paths);
  if (existing.kind === 'alive') return { state: existing.state, started: false };
  if (existing.kind === 'stale') removeStaleState(paths);
  if (await portInUse(port)) {
    throw new LodestarError(`Lodestar is not running, and port ${port} on 127.0.0.1 is in use by another program`, {
      hint: `Stop that program, or start Lodestar on another port: lodestar start --port ${port + 1} (or set LODESTAR_PORT).`,
    });
  }
  const running = await spawnDaemon(paths, port, env);
  return { state: running.state, started: true };
}
