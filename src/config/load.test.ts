import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/errors.js';
import { parseJsonc } from './jsonc.js';
import { findProjectConfig, loadConfig, normalizeOllamaHost, readConfigFile } from './load.js';
import { configFileSchema } from './schema.js';

const folders: string[] = [];
function folder(): string {
  const path = mkdtempSync(join(tmpdir(), 'lodestar-config-'));
  folders.push(path);
  return path;
}
afterEach(() => {
  while (folders.length) rmSync(folders.pop() as string, { recursive: true, force: true });
});

function captureError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('layers defaults, global config, .lodestarrc and environment, in that order', () => {
    const home = folder();
    const project = join(home, 'work', 'app');
    mkdirSync(join(project, 'src'), { recursive: true });
    writeFileSync(
      join(home, 'config.json'),
      JSON.stringify({ port: 5000, logLevel: 'debug', project: 'from-global', timeouts: { idleMs: 1234 }, providers: { deepseek: { timeouts: { idleMs: 99 } } } }),
    );
    writeFileSync(join(project, '.lodestarrc'), '// comment\n{ "project": "from-rc", }');

    const loaded = loadConfig({ cwd: join(project, 'src'), env: { LODESTAR_HOME: home, LODESTAR_PORT: '6000' } });
    expect(loaded.config.port).toBe(6000);
    expect(loaded.config.logLevel).toBe('debug');
    expect(loaded.config.project).toBe('from-rc');
    expect(loaded.projectFile).toBe(join(project, '.lodestarrc'));
    expect(loaded.globalFile).toBe(join(home, 'config.json'));
    expect(loaded.config.timeouts.idleMs).toBe(1234);
    expect(loaded.config.providers.openai.timeouts.idleMs).toBe(1234);
    expect(loaded.config.providers.deepseek.timeouts.idleMs).toBe(99);
    expect(loaded.config.providers.deepseek.timeouts.connectMs).toBe(10_000);
  });

  it('wants a Redis URL for a Redis cache, and takes the aider models of a project over the global ones', () => {
    const home = folder();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ cache: { store: 'redis' }, aider: { weakModel: 'lodestar/local' } }));
    const error = captureError(() => loadConfig({ cwd: home, env: { LODESTAR_HOME: home } }));
    expect(error.message).toContain('"cache.redisUrl" is needed when cache.store is "redis"');
    writeFileSync(join(home, 'config.json'), JSON.stringify({ cache: { store: 'redis', redisUrl: 'redis://127.0.0.1:6379' }, aider: { weakModel: 'lodestar/local' } }));
    writeFileSync(join(home, '.lodestarrc'), JSON.stringify({ aider: { model: 'lodestar/strong' } }));
    expect(loadConfig({ cwd: home, env: { LODESTAR_HOME: home } }).config.aider).toEqual({ model: 'lodestar/strong', weakModel: 'lodestar/local', editorModel: undefined });
  });

  it('takes a local model as the completion model (routing.taskModels.complete), and refuses a paid one, saying why', () => {
    const home = folder();
    writeFileSync(join(home, 'config.json'), JSON.stringify({ routing: { taskModels: { complete: 'openai/gpt-4o-mini' } } }));
    const error = captureError(() => loadConfig({ cwd: home, env: { LODESTAR_HOME: home } }));
    expect(error.message).toContain('routing.taskModels.complete');
    expect(error.message).toContain('must be a local model, "ollama/<model>"');
    writeFileSync(join(home, 'config.json'), JSON.stringify({ routing: { taskModels: { complete: 'ollama/qwen2.5-coder:1.5b-base' } } }));
    const { config } = loadConfig({ cwd: home, env: { LODESTAR_HOME: home } });
    expect(config.routing.taskModels.complete).toBe('ollama/qwen2.5-coder:1.5b-base');
    expect(config.routing.floors.complete).toBe(0);
  });

  it('uses the defaults when nothing is configured', () => {
    const home = folder();
    const loaded = loadConfig({ cwd: home, env: { LODESTAR_HOME: home } });
    expect(loaded.config.port).toBe(4141);
    expect(loaded.config.providers.ollama.baseUrl).toBe('http://127.0.0.1:11434');
    expect(loaded.config.providers.anthropic.baseUrl).toBe('https://api.anthropic.com');
    expect(loaded.config.providers.openai.apiKey).toBeUndefined();
    expect(loaded.paths.token).toBe(join(home, 'token'));
  });

  it('reads keys and base URLs from the environment', () => {
    const home = folder();
    const loaded = loadConfig({
      cwd: home,
      env: { LODESTAR_HOME: home, ANTHROPIC_API_KEY: 'sk-ant-x', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/', OLLAMA_HOST: '0.0.0.0' },
    });
    expect(loaded.config.providers.anthropic.apiKey).toBe('sk-ant-x');
    expect(loaded.config.providers.anthropic.baseUrl).toBe('http://127.0.0.1:9');
    expect(loaded.config.providers.ollama.baseUrl).toBe('http://127.0.0.1:11434');
  });

  it('leaves the project file out for the daemon', () => {
    const home = folder();
    writeFileSync(join(home, '.lodestarrc'), '{"project": "x"}');
    expect(loadConfig({ cwd: home, env: { LODESTAR_HOME: home }, includeProject: false }).config.project).toBeUndefined();
  });

  it('names a bad base URL variable without repeating a key', () => {
    const home = folder();
    const error = captureError(() => loadConfig({ cwd: home, env: { LODESTAR_HOME: home, OPENAI_BASE_URL: 'ftp://x', OPENAI_API_KEY: 'sk-abcdefgh' } }));
    expect(error.message).toBe('invalid config in environment variable OPENAI_BASE_URL: "providers.openai.baseUrl" must be an http:// or https:// URL, like http://127.0.0.1:11434, got "ftp://x"');
    expect(error.exitCode).toBe(2);
  });
});

describe('config file errors', () => {
  it.each([
    ['{"logLevel": "verbose"}', '"logLevel" must be one of "error", "warn", "info", "debug", got "verbose"'],
    ['{"providers": {"ollama": {"keepAlive": "3600"}}}', '"providers.ollama.keepAlive" must be a number of seconds or a duration with a unit'],
    ['{"providers": {"openia": {}}}', '"providers.openia" is not a known key (did you mean "openai"?)'],
    ['{"limits": {"maxBodyBytes": 10}}', '"limits.maxBodyBytes" must be at least 1024, got 10'],
    ['{"timeouts": {"idleMs": 1.5}}', '"timeouts.idleMs" must be'],
    ['[1, 2]', 'must hold a JSON object ({ ... }), got a list'],
    ['{"port": 70000}', '"port" must be at most 65535, got 70000'],
    ['{"budget": {"monthly": {"limitUsd": 5}}}', '"budget" belongs in a project\'s .lodestarrc; in the global config, a project\'s budget goes under budgets.projects.<name>'],
    ['{"aider": {"weakModel": "cheap"}}', '"aider.weakModel" must be lodestar/auto, lodestar/local, lodestar/cheap, lodestar/strong, lodestar/consensus or "<provider>/<model>"'],
  ])('%s', (content, expected) => {
    const home = folder();
    const path = join(home, 'config.json');
    writeFileSync(path, content);
    const error = captureError(() => readConfigFile(path, 'global'));
    expect(error.message).toContain(`invalid config in ${path}: `);
    expect(error.message).toContain(expected);
  });
});

describe('findProjectConfig', () => {
  it('walks up to the nearest .lodestarrc and stops at the root', () => {
    const root = folder();
    mkdirSync(join(root, 'a', 'b', 'c'), { recursive: true });
    writeFileSync(join(root, 'a', '.lodestarrc'), '{}');
    expect(findProjectConfig(join(root, 'a', 'b', 'c'))).toBe(join(root, 'a', '.lodestarrc'));
    expect(findProjectConfig(root)).toBeUndefined();
  });

  it('ignores a folder named .lodestarrc', () => {
    const root = folder();
    mkdirSync(join(root, '.lodestarrc'));
    expect(findProjectConfig(root)).toBeUndefined();
  });
});

describe('parseJsonc', () => {
  it('accepts comments and trailing commas, and keeps // inside strings', () => {
    expect(parseJsonc('{ /* a */ "url": "http://x//y", // b\n "list": [1, 2,], }')).toEqual({ url: 'http://x//y', list: [1, 2] });
  });

  it('points at the line and column of a syntax error', () => {
    expect(() => parseJsonc('{\n  "a": 1\n  "b": 2\n}')).toThrow(/line 3, column 3/);
  });
});

describe('normalizeOllamaHost', () => {
  it.each([
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['gpu-box', 'http://gpu-box:11434'],
    ['gpu-box:8080', 'http://gpu-box:8080'],
    [':9999', 'http://127.0.0.1:9999'],
    ['https://ollama.example.com', 'https://ollama.example.com'],
    ['http://127.0.0.1:11434/', 'http://127.0.0.1:11434'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeOllamaHost(input)).toBe(expected);
  });
});

describe('.lodestarrc.example', () => {
  const example = readFileSync(resolve(import.meta.dirname, '..', '..', '.lodestarrc.example'), 'utf8');

  it('is a valid project config', () => {
    const home = folder();
    writeFileSync(join(home, '.lodestarrc'), example);
    expect(readConfigFile(join(home, '.lodestarrc'), 'project')).toMatchObject({ project: 'my-app' });
  });

  it('explains every key of the schema', () => {
    const keys = new Set<string>();
    const collect = (schema: unknown): void => {
      const definition = schema as { type?: string; wrapped?: unknown; value?: unknown; entries?: Record<string, unknown> };
      if (definition.type === 'optional') return collect(definition.wrapped);
      if (definition.type === 'record') return collect(definition.value);
      for (const [key, child] of Object.entries(definition.entries ?? {})) {
        keys.add(key);
        collect(child);
      }
    };
    collect(configFileSchema);
    keys.delete('$schema');
    for (const key of keys) expect(example, key).toContain(`"${key}"`);
  });
});
