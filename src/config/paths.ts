import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every file Lodestar keeps, under one state folder ($LODESTAR_HOME, default ~/.lodestar). */
export interface LodestarPaths {
  home: string;
  config: string;
  token: string;
  daemonState: string;
  logs: string;
  daemonLog: string;
  daemonOutput: string;
  ledger: string;
  cache: string;
}

export function lodestarHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.LODESTAR_HOME?.trim();
  return fromEnv ? resolve(fromEnv) : join(homedir(), '.lodestar');
}

export function lodestarPaths(home: string = lodestarHome()): LodestarPaths {
  const logs = join(home, 'logs');
  return {
    home,
    config: join(home, 'config.json'),
    token: join(home, 'token'),
    daemonState: join(home, 'daemon.json'),
    logs,
    daemonLog: join(logs, 'daemon.log'),
    daemonOutput: join(logs, 'daemon.out'),
    ledger: join(home, 'ledger'),
    cache: join(home, 'cache'),
  };
}
