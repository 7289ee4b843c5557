import { readFileSync } from 'node:fs';
import { applyEdits, modify } from 'jsonc-parser';
import { ConfigError, errorCode } from '../shared/errors.js';
import { writeFileAtomic } from '../shared/files.js';
import { checkConfigKeys } from './load.js';
import { JsoncSyntaxError, parseJsonc } from './jsonc.js';
import type { ConfigFile } from './schema.js';
import { validate } from './validate.js';

/** A change to a config file in its own shape, as a JSON merge patch: objects merge, null removes, anything else replaces. */
export type ConfigPatch = { [key: string]: unknown };

export interface PatchResult {
  file: string;
  /** The file's contents as validated after the patch. */
  config: ConfigFile;
  /** The dotted paths the patch set or removed, e.g. "budgets.monthly.limitUsd". */
  changed: string[];
}

/**
 * Applies a patch to config.json or a project's .lodestarrc: the same checks as loading it
 * (schema, and which keys belong in which file), then an atomic write at mode 0600. The file's
 * comments and layout are kept (JSONC edits in place). On any problem nothing is written and a
 * ConfigError names the key (`check` may add checks of its own). A key's value is never part
 * of an error.
 */
export function patchConfigFile(path: string, kind: 'global' | 'project', patch: ConfigPatch, check?: (config: ConfigFile) => void): PatchResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw new ConfigError(path, undefined, `can't be read (${errorCode(error) ?? String(error)})`);
    text = '{}\n';
  }
  if (!text.trim()) text = '{}\n';
  // The file must be valid before it is changed: a patch is no place to discover a broken file.
  parse(path, text);
  const changed: string[] = [];
  for (const [keys, value] of leaves(patch)) {
    const edits = modify(text, keys, value === null ? undefined : value, { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } });
    text = applyEdits(text, edits);
    changed.push(keys.join('.'));
  }
  const raw = parse(path, text);
  let config: ConfigFile;
  try {
    checkConfigKeys(path, kind, raw);
    config = validate(path, raw);
    check?.(config);
  } catch (error) {
    if (error instanceof ConfigError && error.key?.split('.').includes('apiKey')) throw new ConfigError(path, error.key, 'must be a key: a string that is not empty');
    throw error;
  }
  writeFileAtomic(path, text.endsWith('\n') ? text : `${text}\n`);
  return { file: path, config, changed };
}

function parse(path: string, text: string): unknown {
  try {
    return parseJsonc(text);
  } catch (error) {
    if (error instanceof JsoncSyntaxError) throw new ConfigError(path, undefined, error.message);
    throw error;
  }
}

/** The patch as [path, value] pairs: plain objects are walked into (merge), the rest are leaves. */
function leaves(patch: ConfigPatch, prefix: string[] = []): Array<[string[], unknown]> {
  const out: Array<[string[], unknown]> = [];
  for (const [key, value] of Object.entries(patch)) {
    const keys = [...prefix, key];
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length) out.push(...leaves(value as ConfigPatch, keys));
    else out.push([keys, value]);
  }
  return out;
}
