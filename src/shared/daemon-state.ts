import { readFileSync } from 'node:fs';
import { createFileExclusive, safeUnlink, writeFileAtomic } from './files.js';

/** $LODESTAR_HOME/daemon.json: where the running daemon is, written once it listens. */
export interface DaemonState {
  pid: number;
  host: string;
  port: number;
  url: string;
  version: string;
  startedAt: string;
  /** The kernel's start time of the process, so a recycled pid is not mistaken for the daemon. */
  processStart: string | undefined;
}

export type DaemonStatus =
  | { kind: 'none' }
  | { kind: 'stale'; state: DaemonState | undefined; reason: string }
  | { kind: 'alive'; state: DaemonState };

export function readDaemonState(path: string): DaemonState | 'corrupt' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Partial<DaemonState>;
    if (typeof value.pid !== 'number' || typeof value.port !== 'number') return 'corrupt';
    return {
      pid: value.pid,
      host: value.host ?? '127.0.0.1',
      port: value.port,
      url: value.url ?? `http://127.0.0.1:${value.port}`,
      version: value.version ?? 'unknown',
      startedAt: value.startedAt ?? '',
      processStart: value.processStart,
    };
  } catch {
    return 'corrupt';
  }
}

/** Whether daemon.json describes a process that is still ours. Never signals anything. */
export function inspectDaemon(path: string): DaemonStatus {
  const state = readDaemonState(path);
  if (state === undefined) return { kind: 'none' };
  if (state === 'corrupt') return { kind: 'stale', state: undefined, reason: 'daemon.json is unreadable' };
  if (!isProcessAlive(state.pid)) return { kind: 'stale', state, reason: `process ${state.pid} is gone` };
  const start = processStartTime(state.pid);
  if (state.processStart && start && start !== state.processStart) {
    return { kind: 'stale', state, reason: `process ${state.pid} is another program now` };
  }
  return { kind: 'alive', state };
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A detached daemon that exited may linger as a zombie until its new parent reaps it.
  return processState(pid) !== 'Z';
}

function processState(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat (Linux); undefined elsewhere. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/**
 * Claims daemon.json for this process. Fails (returns the holder) when a live daemon holds it;
 * a stale file is replaced. Creation is atomic, so two daemons starting at once can't both win.
 */
export function claimDaemonState(path: string, state: DaemonState): { claimed: true } | { claimed: false; holder: DaemonState } {
  for (let attempt = 0; attempt < 3; attempt++) {
    if (createFileExclusive(path, `${JSON.stringify(state, null, 2)}\n`)) return { claimed: true };
    const existing = inspectDaemon(path);
    if (existing.kind === 'alive' && existing.state.pid !== process.pid) return { claimed: false, holder: existing.state };
    safeUnlink(path);
  }
  writeFileAtomic(path, `${JSON.stringify(state, null, 2)}\n`);
  return { claimed: true };
}

/** Removes daemon.json only if it still names this process. */
export function releaseDaemonState(path: string, pid: number = process.pid): void {
  const state = readDaemonState(path);
  if (state && state !== 'corrupt' && state.pid === pid) safeUnlink(path);
}
