import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { acceptsConnections } from '../../src/gpu/ssh-tunnel.js';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freeLoopbackPort } from '../../src/gpu/ssh-tunnel.js';
import { findOnPath } from '../../src/shared/which.js';

/**
 * A private OpenSSH server on loopback for one test file: its own host key, a user key in its
 * authorized_keys and a second key that is not, its own config and port. Runs as whoever runs
 * the tests and accepts only that user, by key.
 */
export interface Sshd {
  port: number;
  dir: string;
  /** `<current user>@127.0.0.1`. */
  target: string;
  /** The ssh client arguments that reach this server with the authorized key, or with one it does not know. */
  clientArgs(key?: 'authorized' | 'unknown'): string[];
  /** The listener's pid while it runs. */
  readonly pid: number | undefined;
  /** (Re)starts the server on the same port; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Kills the whole server: the listener and every session it forked, as a crash of the box would. */
  kill(): Promise<void>;
  /** What sshd printed last, for failure messages. */
  log(): string;
  /** kill(), then removes the temp folder. */
  cleanup(): Promise<void>;
}

const SSHD_CANDIDATES = ['/usr/sbin/sshd', '/usr/local/sbin/sshd', '/sbin/sshd'];

/** Why an sshd can't be run here, or undefined when it can. */
export function sshdUnavailable(): string | undefined {
  const sshd = sshdBinary();
  if (!sshd) return 'sshd is not installed (Debian/Ubuntu: apt-get install openssh-server)';
  if (!findOnPath('ssh')) return 'the ssh client is not on PATH';
  if (!findOnPath('ssh-keygen')) return 'ssh-keygen is not on PATH';
  // As root sshd insists on its privilege-separation folder; a package that was installed but
  // never started (as in a container) has not created it yet.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) {
    try {
      mkdirSync('/run/sshd', { mode: 0o755 });
    } catch (error) {
      return `sshd needs /run/sshd and it could not be created: ${String(error)}`;
    }
  }
  return undefined;
}

export function sshdBinary(): string | undefined {
  return findOnPath('sshd') ?? SSHD_CANDIDATES.find((path) => findOnPath(path));
}

export async function startSshd(): Promise<Sshd> {
  const binary = sshdBinary();
  if (!binary) throw new Error('sshd is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'lodestar-sshd-'));
  let listener: ChildProcess | undefined;
  let logLines: string[] = [];
  try {
    for (const name of ['host_key', 'user_key', 'unknown_key']) keygen(join(dir, name));
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'user_key.pub')), { mode: 0o600 });
    const port = await freeLoopbackPort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, sshdConfig(dir, port, binary));
    const user = userInfo().username;

    const sshd: Sshd = {
      port,
      dir,
      target: `${user}@127.0.0.1`,
      get pid() {
        return listener?.pid;
      },
      clientArgs(key = 'authorized') {
        return [
          // Nothing from the developer's own ~/.ssh/config or agent: only the key given here.
          '-F', '/dev/null',
          '-o', 'IdentitiesOnly=yes',
          '-o', 'IdentityAgent=none',
          '-p', String(port),
          '-i', join(dir, key === 'authorized' ? 'user_key' : 'unknown_key'),
          '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
          '-o', 'StrictHostKeyChecking=accept-new',
        ];
      },
      async start() {
        if (listener && listener.exitCode === null && listener.signalCode === null) return;
        logLines = [];
        const child = spawn(binary, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
        listener = child;
        child.stderr?.setEncoding('utf8');
        child.stderr?.on('data', (chunk: string) => {
          logLines.push(...chunk.split('\n').filter(Boolean));
          logLines = logLines.slice(-50);
        });
        const deadline = Date.now() + 10_000;
        while (!(await acceptsConnections(port))) {
          if (child.exitCode !== null || child.signalCode !== null) throw new Error(`sshd exited at start:\n${logLines.join('\n')}`);
          if (Date.now() > deadline) throw new Error(`sshd did not listen on ${port} within 10 s:\n${logLines.join('\n')}`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      },
      async kill() {
        const child = listener;
        if (!child?.pid) return;
        // Each connection is served by a process that called setsid(), so neither killing the
        // listener nor its process group ends the sessions: find them through /proc.
        const sessions = descendants(child.pid);
        const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        for (const pid of sessions) signal(pid, 'SIGKILL');
        await exited;
        const deadline = Date.now() + 5000;
        while (sessions.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      },
      log: () => logLines.join('\n'),
      async cleanup() {
        await sshd.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
    await sshd.start();
    return sshd;
  } catch (error) {
    listener?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function sshdConfig(dir: string, port: number, binary: string): string {
  const lines = [
    'ListenAddress 127.0.0.1',
    `Port ${port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The temp folder and its files are not laid out like a home directory.
    'StrictModes no',
    // Tests often run as root (CI here does): let root in by key, as the default does, explicitly.
    'PermitRootLogin prohibit-password',
    'AllowTcpForwarding yes',
  ];
  // OpenSSH 9.8+ shuts out a source address for a while after failed logins: the wrong-key test
  // would then lock every later test out of this server.
  if (opensshAtLeast(binary, 9, 8)) lines.push('PerSourcePenalties no');
  return `${lines.join('\n')}\n`;
}

function opensshAtLeast(binary: string, major: number, minor: number): boolean {
  const result = spawnSync(binary, ['-V'], { encoding: 'utf8' });
  const match = /OpenSSH_(\d+)\.(\d+)/.exec(`${result.stdout}${result.stderr}`);
  if (!match) return false;
  const [found, foundMinor] = [Number(match[1]), Number(match[2])];
  return found > major || (found === major && foundMinor >= minor);
}

function keygen(path: string): void {
  const result = spawnSync('ssh-keygen', ['-q', '-N', '', '-t', 'ed25519', '-C', 'lodestar-test', '-f', path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ssh-keygen failed: ${result.stderr}`);
}

/** Every process below `root`, from /proc (Linux). */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent === undefined) continue;
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function procStat(pid: number): { state: string; parent: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces; the fields after it are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', parent: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

function parentOf(pid: number): number | undefined {
  return procStat(pid)?.parent;
}

/** Alive and not a zombie waiting for a parent (init, after a reparenting) to reap it. */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  if (stat) return stat.state !== 'Z' && stat.state !== 'X';
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

export { acceptsConnections };
