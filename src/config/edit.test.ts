import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { patchConfigFile } from './edit.js';
import { ConfigError } from '../shared/errors.js';

const dirs: string[] = [];
const file = (name: string, text?: string): string => {
  const dir = mkdtempSync(join(tmpdir(), 'lodestar-edit-'));
  dirs.push(dir);
  const path = join(dir, name);
  if (text !== undefined) writeFileSync(path, text);
  return path;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('patchConfigFile', () => {
  it('merges a patch into the file, keeps its comments, and writes it at mode 0600', () => {
    const path = file('config.json', '{\n  // my budget\n  "budgets": { "daily": { "limitUsd": 2 } },\n  "port": 4141\n}\n');
    const result = patchConfigFile(path, 'global', { budgets: { monthly: { limitUsd: 20, mode: 'hard' } } });
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('// my budget');
    expect(result.config.budgets).toEqual({ daily: { limitUsd: 2 }, monthly: { limitUsd: 20, mode: 'hard' } });
    expect(result.changed).toEqual(['budgets.monthly.limitUsd', 'budgets.monthly.mode']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('removes what a null names, and creates a missing file', () => {
    const path = file('config.json');
    patchConfigFile(path, 'global', { providers: { openai: { apiKey: 'placeholder-key-1234' } } });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ providers: { openai: { apiKey: 'placeholder-key-1234' } } });
    const result = patchConfigFile(path, 'global', { providers: { openai: { apiKey: null } } });
    expect(result.config.providers?.openai?.apiKey).toBeUndefined();
  });

  it('refuses a bad value with the key named, and writes nothing', () => {
    const path = file('config.json', '{ "port": 4141 }\n');
    const attempt = (): unknown => patchConfigFile(path, 'global', { budgets: { monthly: { limitUsd: -5 } } });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('"budgets.monthly.limitUsd" must be at least 0, got -5');
    expect(readFileSync(path, 'utf8')).toBe('{ "port": 4141 }\n');
  });

  it('keeps keys where they belong: no provider key in a project file, no project budget in the global one', () => {
    const project = file('.lodestarrc', '{}');
    expect(() => patchConfigFile(project, 'project', { providers: { openai: { apiKey: 'placeholder-key-1234' } } })).toThrow(/can't be set in a project's .lodestarrc/);
    expect(() => patchConfigFile(file('config.json', '{}'), 'global', { budget: { monthly: { limitUsd: 5 } } })).toThrow(/belongs in a project's .lodestarrc/);
    const result = patchConfigFile(project, 'project', { routing: { taskModels: { edit: 'deepseek/deepseek-flash' } } });
    expect(result.config.routing?.taskModels).toEqual({ edit: 'deepseek/deepseek-flash' });
  });

  it('never repeats a key in its error', () => {
    const path = file('config.json', '{}');
    try {
      patchConfigFile(path, 'global', { providers: { openai: { apiKey: '' } } });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('invalid config in ' + path + ': "providers.openai.apiKey" must be a key: a string that is not empty');
    }
  });

  it('refuses to patch a file that is already broken, naming it', () => {
    const path = file('config.json', '{ "port": ');
    expect(() => patchConfigFile(path, 'global', { port: 5000 })).toThrow(/invalid config in .*config\.json/);
  });
});
