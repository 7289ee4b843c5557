import * as v from 'valibot';
import { ConfigError } from '../shared/errors.js';
import { configFileSchema, type ConfigFile } from './schema.js';

/**
 * Checks a config file's contents against the schema; the first problem becomes one ConfigError
 * naming the file, the key and what is wrong (with a "did you mean" for a mistyped key).
 */
export function validate(source: string, raw: unknown): ConfigFile {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError(source, undefined, `must hold a JSON object ({ ... }), got ${describeType(raw)}`);
  }
  const checked = checkShape(configFileSchema, raw);
  if (checked.ok) return checked.output;
  throw new ConfigError(source, checked.key, checked.problem);
}

export type ShapeCheck<T> = { ok: true; output: T } | { ok: false; key: string | undefined; problem: string };

/**
 * A value against one of the config's strict schemas (the whole file, or a part that something
 * else also holds, like a team's routing on the team server): its output, or its first problem
 * as validate() words it, the dotted key ("routing.floors.edit") and what is wrong there.
 */
export function checkShape<T extends v.GenericSchema>(schema: T, raw: unknown): ShapeCheck<v.InferOutput<T>> {
  const result = v.safeParse(schema, raw);
  if (result.success) return { ok: true, output: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((item) => String(item.key)) ?? [];
  if (issue.type === 'strict_object' && issue.expected === 'never') {
    const unknown = path.at(-1) ?? '';
    const known = knownKeysAt(schema, path.slice(0, -1));
    const suggestion = closest(unknown, known);
    const hint = suggestion ? ` (did you mean "${suggestion}"?)` : known.length ? ` (known keys: ${known.join(', ')})` : '';
    return { ok: false, key: path.join('.'), problem: `is not a known key${hint}` };
  }
  return { ok: false, key: path.join('.') || undefined, problem: describeIssue(issue, valueAt(raw, path)) };
}

type Issue = v.BaseIssue<unknown>;

/** What is wrong with a value, in words ("must be at least 1, got 0"). */
export function describeIssue(issue: Issue, value: unknown): string {
  const got = value === undefined ? '' : `, got ${describeValue(value)}`;
  switch (issue.type) {
    case 'integer':
      return `must be a whole number${got}`;
    case 'min_value':
      return `must be at least ${String(issue.requirement)}${got}`;
    case 'max_value':
      return `must be at most ${String(issue.requirement)}${got}`;
    case 'min_length':
      return `must not be empty${got}`;
    case 'picklist':
      return `must be one of ${(issue.expected ?? '').replace(/^\(|\)$/g, '').split(' | ').join(', ')}${got}`;
    case 'string':
    case 'number':
    case 'boolean':
      return `must be ${article(issue.type)}${got}`;
    case 'strict_object':
    case 'object':
    case 'record':
      return `must be ${article('object')}${got}`;
    default:
      return `${issue.message.startsWith('must') ? issue.message : `is not valid (${issue.message})`}${got}`;
  }
}

function article(expected: string): string {
  if (expected === 'object') return 'an object ({ ... })';
  if (expected === 'array') return 'a list ([ ... ])';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return describeType(value);
}

export function valueAt(raw: unknown, path: readonly string[]): unknown {
  let current: unknown = raw;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** The keys the schema allows at a path, for "did you mean" suggestions. */
function knownKeysAt(root: unknown, path: readonly string[]): string[] {
  let schema: unknown = root;
  for (const key of path) schema = childSchema(schema, key);
  const entries = (unwrapOptional(schema) as { entries?: Record<string, unknown> } | undefined)?.entries;
  return entries ? Object.keys(entries).filter((key) => key !== '$schema') : [];
}

function unwrapOptional(schema: unknown): unknown {
  let current = schema as { type?: string; wrapped?: unknown } | undefined;
  while (current?.type === 'optional') current = current.wrapped as typeof current;
  return current;
}

function childSchema(schema: unknown, key: string): unknown {
  const inner = unwrapOptional(schema) as { entries?: Record<string, unknown>; type?: string; value?: unknown } | undefined;
  if (inner?.entries) return inner.entries[key];
  if (inner?.type === 'record') return inner.value;
  return undefined;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] ?? 0;
}
