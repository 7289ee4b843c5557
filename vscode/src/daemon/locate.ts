import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspectDaemon } from '../../../src/shared/daemon-state.js';
import { readToken } from '../../../src/shared/token.js';

/** Where the extension reaches the daemon, and with what token. */
export type DaemonLocation =
  | { kind: 'found'; url: string; token: string; home: string }
  | { kind: 'down'; home: string; reason: string };

export interface LocateSettings {
  /** lodestar.home; empty: $LODESTAR_HOME, else ~/.lodestar. */
  home: string;
  /** lodestar.daemonUrl; empty: what daemon.json says. */
  daemonUrl: string;
}

export function stateFolder(settings: Pick<LocateSettings, 'home'>, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = settings.home.trim() || env.LODESTAR_HOME?.trim();
  return chosen ? resolve(chosen) : join(homedir(), '.lodestar');
}

/**
 * Finds the daemon as the CLI does: $LODESTAR_HOME/daemon.json names its address (checked to be
 * a live process that is still the daemon), $LODESTAR_HOME/token holds the token. A daemonUrl
 * setting wins over daemon.json (a daemon on another port of this machine); the token still
 * comes from the state folder, never from a setting (settings sync and are shown).
 */
export function locateDaemon(settings: LocateSettings, env: NodeJS.ProcessEnv = process.env): DaemonLocation {
  const home = stateFolder(settings, env);
  const token = readToken(join(home, 'token'));
  if (!token) return { kind: 'down', home, reason: `no token in ${home}: the daemon has never run there` };
  const url = settings.daemonUrl.trim().replace(/\/+$/, '');
  if (url) {
    if (!/^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(url)) return { kind: 'down', home, reason: `lodestar.daemonUrl ${JSON.stringify(url)} is not a loopback address such as http://127.0.0.1:4141` };
    return { kind: 'found', url, token, home };
  }
  const status = inspectDaemon(join(home, 'daemon.json'));
  if (status.kind === 'alive') return { kind: 'found', url: status.state.url, token, home };
  return { kind: 'down', home, reason: status.kind === 'none' ? 'the daemon is not running' : `the daemon is not running (${status.reason})` };
}
