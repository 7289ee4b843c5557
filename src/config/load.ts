import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { definedOnly } from '../shared/defined-only.js';
import { ConfigError, errorCode } from '../shared/errors.js';
import { PROVIDER_IDS, PROVIDERS } from '../shared/provider-ids.js';
import { defaultConfig, type LodestarConfig, type TaskName, type Timeouts } from './defaults.js';
import { JsoncSyntaxError, parseJsonc } from './jsonc.js';
import { lodestarHome, lodestarPaths, type LodestarPaths } from './paths.js';
import { describeIssue, validate, valueAt } from './validate.js';
import { configFileSchema, GLOBAL_ONLY_KEYS, PROJECT_ONLY_KEYS, type ConfigFile } from './schema.js';

export { findProjectConfig, PROJECT_CONFIG_NAME } from '../shared/project-name.js';
import { findProjectConfig, PROJECT_CONFIG_NAME } from '../shared/project-name.js';

export interface LoadedConfig {
  config: LodestarConfig;
  paths: LodestarPaths;
  /** The files that contributed, for `lodestar doctor` and error messages. */
  globalFile: string | undefined;
  projectFile: string | undefined;
}

export interface LoadOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The daemon serves every project, so it reads only the global config and the environment;
   * commands run in a project also read the nearest .lodestarrc.
   */
  includeProject?: boolean;
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const paths = lodestarPaths(lodestarHome(env));
  const layers: ConfigFile[] = [];

  const globalConfig = readConfigFile(paths.config, 'global');
  if (globalConfig) layers.push(globalConfig);

  let projectFile: string | undefined;
  if (options.includeProject !== false) {
    projectFile = findProjectConfig(options.cwd ?? process.cwd());
    const projectConfig = projectFile ? readConfigFile(projectFile, 'project') : undefined;
    if (projectConfig) layers.push(projectConfig);
  }

  layers.push(configFromEnvironment(env));

  const config = resolveConfig(layers);
  if (config.cache.enabled && config.cache.store === 'redis' && !config.cache.redisUrl) {
    throw new ConfigError(globalConfig ? paths.config : 'the configuration', 'cache.redisUrl', 'is needed when cache.store is "redis": the URL of the Redis to share, like redis://127.0.0.1:6379');
  }
  return {
    config,
    paths,
    globalFile: globalConfig ? paths.config : undefined,
    projectFile,
  };
}


export function readConfigFile(path: string, kind: 'global' | 'project'): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw new ConfigError(path, undefined, `can't be read (${errorCode(error) ?? String(error)})`);
  }
  let raw: unknown;
  try {
    raw = parseJsonc(text);
  } catch (error) {
    if (error instanceof JsoncSyntaxError) throw new ConfigError(path, undefined, error.message);
    throw error;
  }
  checkConfigKeys(path, kind, raw);
  return validate(path, raw);
}

/** Which keys belong in which file: the daemon's own in the global config, a project's in its .lodestarrc, no key in a file that gets committed. */
export function checkConfigKeys(path: string, kind: 'global' | 'project', raw: unknown): void {
  if (kind === 'project') checkProjectKeys(path, raw);
  else checkGlobalKeys(path, raw);
}

export function validateConfigFile(source: string, raw: unknown): ConfigFile {
  return validate(source, raw);
}

function checkGlobalKeys(path: string, raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  for (const key of PROJECT_ONLY_KEYS) {
    if (key in raw) {
      throw new ConfigError(path, key, `belongs in a project's ${PROJECT_CONFIG_NAME}; in the global config, a project's budget goes under budgets.projects.<name>`);
    }
  }
}

function checkProjectKeys(path: string, raw: unknown): void {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return;
  const routing = (raw as { routing?: unknown }).routing;
  if (typeof routing === 'object' && routing !== null) {
    for (const key of Object.keys(routing)) {
      if (!['floors', 'preferred', 'forbidden', 'taskModels'].includes(key)) {
        throw new ConfigError(path, `routing.${key}`, `can't be set in a project's ${PROJECT_CONFIG_NAME}: retries and circuits are the daemon's, set them in $LODESTAR_HOME/config.json`);
      }
    }
  }
  for (const key of GLOBAL_ONLY_KEYS) {
    if (key in raw) {
      throw new ConfigError(
        path,
        key,
        `can't be set in a project's ${PROJECT_CONFIG_NAME}: the daemon serves every project, so set it in the global config ($LODESTAR_HOME/config.json) or the environment`,
      );
    }
  }
  const secret = findKey(raw, 'apiKey');
  if (secret) {
    throw new ConfigError(
      path,
      secret,
      `doesn't belong in ${PROJECT_CONFIG_NAME}, which gets committed: set the provider's *_API_KEY variable or put the key in $LODESTAR_HOME/config.json`,
    );
  }
}

function findKey(value: unknown, wanted: string, prefix = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (key === wanted) return path;
    const found = findKey(child, wanted, path);
    if (found) return found;
  }
  return undefined;
}

/**
 * LODESTAR_PORT, LODESTAR_UI_PORT, LODESTAR_LOG_LEVEL, OLLAMA_HOST, <PROVIDER>_API_KEY and <PROVIDER>_BASE_URL,
 * as one more config layer. A bad value names the variable. A key's value is never repeated.
 */
export function configFromEnvironment(env: NodeJS.ProcessEnv): ConfigFile {
  const layer: Record<string, unknown> = {};
  const providers: Record<string, Record<string, unknown>> = {};

  const port = env.LODESTAR_PORT?.trim();
  if (port) {
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      throw new ConfigError('environment variable LODESTAR_PORT', 'port', `must be a port number (0-65535), got ${JSON.stringify(port)}`);
    }
    layer.port = Number(port);
  }
  const uiPort = env.LODESTAR_UI_PORT?.trim();
  if (uiPort) {
    if (!/^\d+$/.test(uiPort) || Number(uiPort) > 65535) {
      throw new ConfigError('environment variable LODESTAR_UI_PORT', 'ui.port', `must be a port number (0-65535), got ${JSON.stringify(uiPort)}`);
    }
    layer.ui = { port: Number(uiPort) };
  }
  const logLevel = env.LODESTAR_LOG_LEVEL?.trim();
  if (logLevel) layer.logLevel = logLevel;

  for (const id of PROVIDER_IDS) {
    const info = PROVIDERS[id];
    const entry: Record<string, unknown> = {};
    const baseUrl = env[info.baseUrlEnv]?.trim();
    if (baseUrl) entry.baseUrl = id === 'ollama' ? normalizeOllamaHost(baseUrl) : baseUrl.replace(/\/+$/, '');
    const apiKey = info.apiKeyEnv ? env[info.apiKeyEnv]?.trim() : undefined;
    if (apiKey) entry.apiKey = apiKey;
    if (Object.keys(entry).length) providers[id] = entry;
  }
  if (Object.keys(providers).length) layer.providers = providers;

  const result = v.safeParse(configFileSchema, layer);
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)) ?? [];
  const variable = environmentVariableFor(path);
  // The value of an API key variable is never shown; other values are.
  const shown = variable.endsWith('_API_KEY') ? undefined : valueAt(layer, path);
  throw new ConfigError(`environment variable ${variable}`, path.join('.'), describeIssue(issue, shown));
}

function environmentVariableFor(path: readonly string[]): string {
  if (path[0] === 'port') return 'LODESTAR_PORT';
  if (path[0] === 'logLevel') return 'LODESTAR_LOG_LEVEL';
  const provider = path[1];
  if (path[0] === 'providers' && provider && provider in PROVIDERS) {
    const info = PROVIDERS[provider as keyof typeof PROVIDERS];
    return path[2] === 'apiKey' && info.apiKeyEnv ? info.apiKeyEnv : info.baseUrlEnv;
  }
  return path.join('.');
}

/**
 * OLLAMA_HOST follows Ollama's own rules: no scheme means http, and a bare host keeps port
 * 11434 ("0.0.0.0" means this machine).
 */
export function normalizeOllamaHost(value: string): string {
  let text = value.trim().replace(/\/+$/, '');
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    text = `http://${text.startsWith(':') ? `127.0.0.1${text}` : text}`;
    if (!/:\d+$/.test(text.replace(/^http:\/\//, ''))) text = `${text}:11434`;
  }
  return text.replace('//0.0.0.0', '//127.0.0.1');
}

export function resolveConfig(layers: readonly ConfigFile[]): LodestarConfig {
  const config = defaultConfig();
  const topTimeouts: Partial<Timeouts> = {};
  const providerTimeouts: Record<string, Partial<Timeouts>> = {};

  for (const layer of layers) {
    if (layer.port !== undefined) config.port = layer.port;
    if (layer.logLevel !== undefined) config.logLevel = layer.logLevel;
    if (layer.project !== undefined) config.project = layer.project;
    if (layer.limits?.maxBodyBytes !== undefined) config.limits.maxBodyBytes = layer.limits.maxBodyBytes;
    if (layer.limits?.bodyIdleMs !== undefined) config.limits.bodyIdleMs = layer.limits.bodyIdleMs;
    if (layer.timeouts) {
      const { shutdownMs, ...rest } = layer.timeouts;
      if (shutdownMs !== undefined) config.timeouts.shutdownMs = shutdownMs;
      Object.assign(topTimeouts, definedOnly(rest));
    }
    if (layer.logs) Object.assign(config.logs, definedOnly(layer.logs));
    if (layer.baseline !== undefined) config.baseline = layer.baseline;
    if (layer.timezone !== undefined) config.timezone = layer.timezone;
    if (layer.cache) Object.assign(config.cache, definedOnly(layer.cache));
    if (layer.gpu) Object.assign(config.gpu, definedOnly(layer.gpu));
    if (layer.ui) Object.assign(config.ui, definedOnly(layer.ui));
    if (layer.claude) Object.assign(config.claude, definedOnly(layer.claude));
    if (layer.consensus) {
      const { tasks, ...rest } = layer.consensus;
      Object.assign(config.consensus, definedOnly(rest));
      for (const [task, settings] of Object.entries(tasks ?? {})) config.consensus.tasks[task as TaskName] = { ...config.consensus.tasks[task as TaskName], ...definedOnly(settings) };
    }
    if (layer.aider) Object.assign(config.aider, definedOnly(layer.aider));
    if (layer.routing) {
      const { circuit, floors, preferred, forbidden, taskModels, ...rest } = layer.routing;
      Object.assign(config.routing, definedOnly(rest));
      if (circuit) Object.assign(config.routing.circuit, definedOnly(circuit));
      if (floors) Object.assign(config.routing.floors, definedOnly(floors));
      if (preferred) config.routing.preferred = preferred;
      if (forbidden) config.routing.forbidden = forbidden;
      if (taskModels) config.routing.taskModels = { ...config.routing.taskModels, ...definedOnly(taskModels) };
    }
    for (const [id, model] of Object.entries(layer.models ?? {})) config.models[id] = { ...config.models[id], ...definedOnly(model) };
    if (layer.quality) Object.assign(config.quality, definedOnly(layer.quality));
    if (layer.budgets) {
      const limit = (entry: { limitUsd: number; mode?: 'hard' | 'soft' } | undefined) => (entry ? { limitUsd: entry.limitUsd, mode: entry.mode ?? 'soft' } : undefined);
      if (layer.budgets.monthly) config.budgets.monthly = limit(layer.budgets.monthly);
      if (layer.budgets.daily) config.budgets.daily = limit(layer.budgets.daily);
      for (const [project, pair] of Object.entries(layer.budgets.projects ?? {})) {
        const monthly = limit(pair.monthly);
        const daily = limit(pair.daily);
        config.budgets.projects[project] = { ...(monthly ? { monthly } : {}), ...(daily ? { daily } : {}) };
      }
      if (layer.budgets.alerts?.webhook !== undefined) config.budgets.alerts.webhook = layer.budgets.alerts.webhook;
      if (layer.budgets.alerts?.desktop !== undefined) config.budgets.alerts.desktop = layer.budgets.alerts.desktop;
    }
    for (const [model, price] of Object.entries(layer.prices ?? {})) {
      config.prices[model] = {
        inputPerMTok: price.input,
        outputPerMTok: price.output,
        ...(price.cacheRead !== undefined ? { cacheReadPerMTok: price.cacheRead } : {}),
        ...(price.cacheWrite !== undefined ? { cacheWritePerMTok: price.cacheWrite } : {}),
      };
    }
    for (const id of PROVIDER_IDS) {
      const entry = layer.providers?.[id];
      if (!entry) continue;
      const target = config.providers[id];
      if (entry.enabled !== undefined) target.enabled = entry.enabled;
      if (entry.baseUrl !== undefined) target.baseUrl = entry.baseUrl.replace(/\/+$/, '');
      if ('apiKey' in entry && entry.apiKey !== undefined) target.apiKey = entry.apiKey;
      if (entry.timeouts) providerTimeouts[id] = { ...providerTimeouts[id], ...definedOnly(entry.timeouts) };
      if (id === 'ollama') {
        const ollama = layer.providers?.ollama;
        if (ollama?.numCtx !== undefined) config.providers.ollama.numCtx = ollama.numCtx;
        if (ollama?.keepAlive !== undefined) config.providers.ollama.keepAlive = ollama.keepAlive;
        if (ollama?.ssh !== undefined) config.providers.ollama.ssh = ollama.ssh;
        if (ollama?.sshArgs !== undefined) config.providers.ollama.sshArgs = [...ollama.sshArgs];
        if (ollama?.warmup !== undefined) config.providers.ollama.warmup = ollama.warmup;
        if (ollama?.parallel !== undefined) config.providers.ollama.parallel = ollama.parallel;
        if (ollama?.switchWaitMs !== undefined) config.providers.ollama.switchWaitMs = ollama.switchWaitMs;
        if (ollama?.vramMiB !== undefined) config.providers.ollama.vramMiB = ollama.vramMiB;
        for (const [name, model] of Object.entries(ollama?.models ?? {})) {
          config.providers.ollama.models[name] = { ...config.providers.ollama.models[name], ...definedOnly(model) };
        }
      }
    }
  }

  Object.assign(config.timeouts, topTimeouts);
  for (const id of PROVIDER_IDS) {
    config.providers[id].timeouts = { ...config.providers[id].timeouts, ...topTimeouts, ...providerTimeouts[id] };
  }
  return config;
}
