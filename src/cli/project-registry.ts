import { registerProject } from '../config/projects.js';
import type { LodestarPaths } from '../config/paths.js';
import { inspectDaemon } from '../shared/daemon-state.js';
import { readToken } from '../shared/token.js';
import { callDaemon } from './daemon-client.js';

/**
 * Makes a project that names itself known to the daemon (its routing, baseline, budget). When
 * the name was registered at another folder before (a clone, a move), a running daemon is told
 * at once, so that the old folder's .lodestarrc stops applying from the next request.
 * Best effort: a state folder that can't be written, or a daemon that doesn't answer, leaves
 * the command to run as it would.
 */
export async function registerAndTell(paths: LodestarPaths, project: string, configPath: string): Promise<void> {
  let result: ReturnType<typeof registerProject>;
  try {
    result = registerProject(paths, project, configPath);
  } catch {
    return; // the state folder is not writable: doctor says so
  }
  if (result !== 'moved') return;
  const daemon = inspectDaemon(paths.daemonState);
  if (daemon.kind !== 'alive') return;
  try {
    await callDaemon(daemon.state, '/api/projects/reload', { method: 'POST', token: readToken(paths.token), timeoutMs: 2000 });
  } catch {
    // it reads the registry again on its own within seconds
  }
}
