import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { execa, type Options } from 'execa';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'lodestar');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A fresh state folder for one test; never the real ~/.lodestar. */
export function tempHome(prefix = 'lodestar-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * An environment for the CLI with nothing of the developer's own: no provider keys, no
 * OLLAMA_HOST, the given LODESTAR_HOME.
 */
export function cleanEnv(home: string, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'TERM', 'TMPDIR', 'SYSTEMROOT']) env[name] = process.env[name];
  env.LODESTAR_HOME = home;
  env.NO_COLOR = '1';
  // The web UI on any free port: tests run side by side, and 8080 may be taken on this machine.
  env.LODESTAR_UI_PORT = '0';
  return { ...env, ...extra };
}

export async function runCli(args: readonly string[], options: { home: string; env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number } ): Promise<CliResult> {
  const execaOptions: Options = {
    env: cleanEnv(options.home, options.env),
    extendEnv: false,
    cwd: options.cwd ?? options.home,
    reject: false,
    timeout: options.timeoutMs ?? 30_000,
    input: options.input,
  };
  const result = await execa(process.execPath, [BIN, ...args], execaOptions);
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

export function daemonState(home: string): { pid: number; port: number; url: string } | undefined {
  try {
    return JSON.parse(readFileSync(join(home, 'daemon.json'), 'utf8')) as { pid: number; port: number; url: string };
  } catch {
    return undefined;
  }
}

/** Ends whatever daemon a test left running, then removes its state folder. */
export function cleanupHome(home: string): void {
  const state = daemonState(home);
  if (state) {
    try {
      process.kill(state.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(home, { recursive: true, force: true });
}

/** Alive and not a zombie (a detached daemon that exited may wait a while to be reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}
