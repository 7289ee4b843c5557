import { loadConfig, type LoadedConfig } from '../config/load.js';
import { assertEvidenceSettings } from '../router/quality-evidence.js';
import type { Output } from './output/print.js';

/** What every command gets: where to print, the environment, and the loaded configuration. */
export interface CliContext {
  output: Output;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Loaded once, before any command runs, so a bad config stops every command the same way. */
  config(): LoadedConfig;
  /** A command that fails without throwing sets this; the entry point exits with it. */
  exitCode: number;
}

export function createCliContext(output: Output, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): CliContext {
  let loaded: LoadedConfig | undefined;
  return {
    output,
    env,
    cwd,
    config() {
      if (!loaded) {
        const fresh = loadConfig({ env, cwd });
        assertEvidenceSettings(fresh.config.quality, fresh.paths.config);
        loaded = fresh;
      }
      return loaded;
    },
    exitCode: 0,
  };
}
