import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { errorMessage, LodestarError } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { findOnPath } from '../shared/which.js';

export type TunnelState = 'connecting' | 'up' | 'down' | 'stopped';

export interface TunnelHealth {
  /** "user@host" as configured. */
  target: string;
  state: TunnelState;
  /** http://127.0.0.1:<localPort>; the port is known once start() has resolved when it was 0. */
  localUrl: string;
  /** The remote end of -L, e.g. "127.0.0.1:11434". */
  remote: string;
  /** ISO time the current state began. */
  since: string;
  /** How many times the tunnel came up. */
  connects: number;
  /** How many times ssh was started again after the first attempt ended. */
  restarts: number;
  /** The last line ssh printed on stderr before exiting, or why it was killed. */
  lastError?: string;
  pid?: number;
}

export interface SshTunnelOptions {
  /** user@host (or a Host alias from ~/.ssh/config). */
  target: string;
  /** Default '127.0.0.1'. */
  remoteHost?: string;
  /** Default 11434, Ollama's port. */
  remotePort?: number;
  /** Default 0: pick a free loopback port once, and keep it across reconnects. */
  localPort?: number;
  /** Default: 'ssh' found on PATH. */
  sshBinary?: string;
  /** Extra ssh arguments from config, e.g. ['-p', '2222', '-i', '~/.ssh/gpu_box'] (ssh expands ~ itself). */
  extraArgs?: readonly string[];
  env?: NodeJS.ProcessEnv;
  logger: Logger;
  onChange?: (health: TunnelHealth) => void;
  /** Waits between attempts: initialMs doubling up to maxMs, back to initialMs once up for resetAfterMs (60 s). */
  backoff?: { initialMs: number; maxMs: number; resetAfterMs?: number };
  /** How long one attempt may take to open the forward before ssh is killed; default 15 s. */
  upTimeoutMs?: number;
}

const LOOPBACK = '127.0.0.1';
const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 30_000, resetAfterMs: 60_000 };
const UP_TIMEOUT_MS = 15_000;
const POLL_MS = 100;
const KILL_GRACE_MS = 2000;
/** ssh prints little, but a broken ProxyCommand could print without end: keep only this much. */
const MAX_LINE_CHARS = 500;

/**
 * ssh's arguments for the tunnel. The options that make it a tunnel (no command, no prompt, exit
 * when the forward can't be bound, its own connection) come before the user's extra arguments,
 * because for `-o` ssh keeps the first value it sees; the tunable ones come after, so that the
 * user's can win.
 */
export function sshTunnelArguments(options: {
  target: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
  extraArgs?: readonly string[];
}): string[] {
  const remoteHost = options.remoteHost.includes(':') ? `[${options.remoteHost}]` : options.remoteHost;
  return [
    '-N',
    '-o', 'ExitOnForwardFailure=yes',
    '-o', 'BatchMode=yes',
    // A shared master connection would carry the forward while our process exits or idles,
    // and "ssh is alive" would then say nothing about the tunnel.
    '-o', 'ControlMaster=no',
    '-o', 'ControlPath=none',
    '-L', `${LOOPBACK}:${options.localPort}:${remoteHost}:${options.remotePort}`,
    ...(options.extraArgs ?? []),
    '-o', 'ServerAliveInterval=15',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'ConnectTimeout=10',
    // The target can never be read as an option, whatever the config says.
    '--',
    options.target,
  ];
}

/**
 * Keeps `ssh -N -L 127.0.0.1:<localPort>:<remote>` open to a GPU box: spawns it, calls it up once
 * ssh is alive and the local port accepts connections, and starts it again with backoff whenever
 * it exits. Never throws for ssh failures; they show in health().
 */
export class SshTunnel {
  private readonly options: SshTunnelOptions;
  private readonly backoff: { initialMs: number; maxMs: number; resetAfterMs: number };
  private readonly remoteHost: string;
  private readonly remotePort: number;
  private port: number;
  private state: TunnelState = 'stopped';
  private since = new Date().toISOString();
  private connects = 0;
  private restarts = 0;
  private attempts = 0;
  private lastError: string | undefined;
  private child: ChildProcess | undefined;
  private upAt: number | undefined;
  private nextDelayMs: number;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** Bumped by stop(), so that an attempt still awaiting something when stopped gives up. */
  private generation = 0;
  private settleStart: (() => void) | undefined;
  private starting: Promise<TunnelHealth> | undefined;
  private readonly killOnExit = (): void => {
    this.child?.kill('SIGTERM');
  };

  constructor(options: SshTunnelOptions) {
    const target = options.target.trim();
    if (!target || /\s/.test(target) || target.startsWith('-')) {
      throw new LodestarError(`invalid ssh target "${options.target}"`, { exitCode: 2, hint: 'Set providers.ollama.ssh to "user@host".' });
    }
    this.options = { ...options, target };
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.nextDelayMs = this.backoff.initialMs;
    this.remoteHost = options.remoteHost ?? LOOPBACK;
    this.remotePort = options.remotePort ?? 11434;
    this.port = options.localPort ?? 0;
  }

  get localUrl(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  health(): TunnelHealth {
    const remoteHost = this.remoteHost.includes(':') ? `[${this.remoteHost}]` : this.remoteHost;
    const health: TunnelHealth = {
      target: this.options.target,
      state: this.state,
      localUrl: this.localUrl,
      remote: `${remoteHost}:${this.remotePort}`,
      since: this.since,
      connects: this.connects,
      restarts: this.restarts,
    };
    if (this.lastError !== undefined) health.lastError = this.lastError;
    if (this.child?.pid !== undefined && this.child.exitCode === null && this.child.signalCode === null) health.pid = this.child.pid;
    return health;
  }

  /** Resolves once the tunnel is first up, or once the first attempt has failed; retries go on in the background. */
  start(): Promise<TunnelHealth> {
    if (this.starting && !this.stopping) return this.starting;
    this.stopping = false;
    this.starting = new Promise<TunnelHealth>((resolve) => {
      this.settleStart = () => {
        this.settleStart = undefined;
        resolve(this.health());
      };
    });
    process.once('exit', this.killOnExit);
    void this.firstAttempt();
    return this.starting;
  }

  /** Kills ssh (SIGTERM, SIGKILL 2 s later) and stops reconnecting. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.generation++;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    process.removeListener('exit', this.killOnExit);
    const child = this.child;
    if (child) await terminate(child);
    this.child = undefined;
    this.setState('stopped');
    this.settleStart?.();
  }

  private live(generation: number): boolean {
    return !this.stopping && generation === this.generation;
  }

  private async firstAttempt(): Promise<void> {
    const generation = this.generation;
    if (this.port === 0) {
      try {
        this.port = await freeLoopbackPort();
      } catch (error) {
        if (this.live(generation)) this.failed(`could not pick a free local port: ${errorMessage(error)}`);
        return;
      }
    }
    await this.attempt();
  }

  private async attempt(): Promise<void> {
    const generation = this.generation;
    if (!this.live(generation)) return;
    if (this.attempts++ > 0) this.restarts++;
    this.setState('connecting');

    const binary = findOnPath(this.options.sshBinary ?? 'ssh', this.options.env ?? process.env);
    if (!binary) return this.failed(`${this.options.sshBinary ?? 'ssh'} was not found on PATH`);
    // Our own ssh is gone by now, so a listener here is another program: ssh would fail to bind,
    // and until it did, our probe would mistake that program for the tunnel.
    const taken = await acceptsConnections(this.port);
    if (!this.live(generation)) return;
    if (taken) return this.failed(`${LOOPBACK}:${this.port} is already in use by another program`);

    const args = sshTunnelArguments({
      target: this.options.target,
      localPort: this.port,
      remoteHost: this.remoteHost,
      remotePort: this.remotePort,
      extraArgs: this.options.extraArgs,
    });
    this.options.logger.debug('ssh tunnel: starting ssh', { binary, args });
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], env: this.options.env ?? process.env });
    this.child = child;
    const stderr = new LastLine((line) => this.options.logger.debug('ssh tunnel: ssh says', { line }));
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => stderr.push(chunk));
    let killReason: string | undefined;
    let ended = false;
    const onEnd = (reason: string): void => {
      if (ended) return;
      ended = true;
      if (this.child === child) this.child = undefined;
      if (!this.live(generation)) return;
      this.failed(killReason ?? stderr.finish() ?? reason);
    };
    child.on('error', (error) => {
      // Without a pid it never started; otherwise this is a failed kill() of a process on its way out.
      if (child.pid === undefined) onEnd(`could not run ssh: ${error.message}`);
      else this.options.logger.debug('ssh tunnel: signalling ssh failed', { error });
    });
    child.once('exit', (code, signal) => {
      // Let the last stderr bytes arrive, without waiting on a grandchild that holds the pipe open.
      const done = (): void => onEnd(signal ? `ssh was killed by ${signal}` : `ssh exited with code ${code}`);
      if (!child.stderr || child.stderr.readableEnded) return done();
      const timer = setTimeout(done, 200);
      child.stderr.once('end', () => {
        clearTimeout(timer);
        done();
      });
    });

    const deadline = Date.now() + (this.options.upTimeoutMs ?? UP_TIMEOUT_MS);
    while (!ended && this.live(generation)) {
      if (await acceptsConnections(this.port)) {
        if (!ended && this.live(generation)) this.up();
        return;
      }
      if (Date.now() >= deadline) {
        killReason = `the forward on ${LOOPBACK}:${this.port} did not open within ${Math.round((this.options.upTimeoutMs ?? UP_TIMEOUT_MS) / 1000)} s; ssh was killed`;
        const said = stderr.last;
        if (said) killReason += ` (last said: ${said})`;
        void terminate(child);
        return;
      }
      await sleep(POLL_MS);
    }
  }

  private up(): void {
    this.connects++;
    this.upAt = Date.now();
    this.setState('up');
    this.options.logger.info('ssh tunnel up', { target: this.options.target, localUrl: this.localUrl, connects: this.connects });
    this.settleStart?.();
  }

  private failed(reason: string): void {
    const wasUp = this.state === 'up';
    const repeated = !wasUp && truncate(reason) === this.lastError;
    this.lastError = truncate(reason);
    if (this.upAt !== undefined && Date.now() - this.upAt >= this.backoff.resetAfterMs) this.nextDelayMs = this.backoff.initialMs;
    this.upAt = undefined;
    const delayMs = this.nextDelayMs;
    this.nextDelayMs = Math.min(delayMs * 2, this.backoff.maxMs);
    this.setState('down');
    const fields = { target: this.options.target, error: this.lastError, retryInMs: delayMs };
    // A box that stays unreachable would otherwise log the same warning every 30 s for ever.
    if (repeated) this.options.logger.debug('ssh tunnel failed again', fields);
    else this.options.logger.warn(wasUp ? 'ssh tunnel dropped' : 'ssh tunnel failed', fields);
    this.settleStart?.();
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.attempt();
    }, delayMs);
  }

  private setState(state: TunnelState): void {
    if (state === this.state) return;
    this.state = state;
    this.since = new Date().toISOString();
    try {
      this.options.onChange?.(this.health());
    } catch (error) {
      this.options.logger.warn('ssh tunnel: onChange listener failed', { error });
    }
  }
}

/** The last non-empty line of a stream, read chunk by chunk in bounded memory. */
class LastLine {
  last: string | undefined;
  private partial = '';
  private readonly onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  push(chunk: string): void {
    const lines = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = truncate(lines.pop() ?? '');
    for (const line of lines) this.take(line);
  }

  /** The last line, counting an unterminated one. */
  finish(): string | undefined {
    this.take(this.partial);
    this.partial = '';
    return this.last;
  }

  private take(line: string): void {
    const text = line.trim();
    if (!text) return;
    this.last = truncate(text);
    this.onLine(this.last);
  }
}

function truncate(text: string): string {
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text;
}

/** SIGTERM, then SIGKILL if the child is still there after the grace period; resolves once it has exited. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function acceptsConnections(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port });
    const done = (result: boolean): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A port the kernel has just handed out on loopback, so very likely free for ssh to bind. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
