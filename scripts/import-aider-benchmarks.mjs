#!/usr/bin/env node
// Imports Aider's published benchmark results (Apache-2.0, Aider-AI/aider, folder aider/website/_data/
// at commit 5dc9490bb35f9729ef2c95d00a19ccd30c26339c) into the compact JSON file the router ships,
// with each row's Lodestar model ids. Deterministic: the same YAML gives the same bytes.
//
//   node scripts/import-aider-benchmarks.mjs [dataDir] [outFile]
//
// dataDir defaults to ../shared/data beside the repository; outFile to src/router/data/aider-benchmarks.json.
// The mapping rules are described in src/router/data/README.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const SOURCE = {
  repository: 'Aider-AI/aider',
  commit: '5dc9490bb35f9729ef2c95d00a19ccd30c26339c',
  date: '2026-05-22',
  folder: 'aider/website/_data/',
  license: 'Apache-2.0',
};

/** Output order of the benchmarks, and the file each comes from. */
const FILES = [
  ['polyglot', 'aider-polyglot-leaderboard.yml'],
  ['edit', 'aider-edit_leaderboard.yml'],
  ['quant', 'aider-quant.yml'],
  ['qwen3', 'aider-qwen3_leaderboard.yml'],
];

/** litellm prefixes that name a Lodestar provider, and the provider they name. `openai/` is handled apart. */
const PROVIDER_PREFIXES = {
  anthropic: 'anthropic',
  deepseek: 'deepseek',
  gemini: 'gemini',
  groq: 'groq',
  mistral: 'mistral',
  openrouter: 'openrouter',
  ollama: 'ollama',
  ollama_chat: 'ollama',
};

/** Model names OpenAI itself serves: gpt-*, chatgpt-*, o1/o3/o4... */
const OPENAI_NAME = /^(gpt-|chatgpt-|o\d)/;

/** Aider's model aliases (MODEL_ALIASES in aider/models.py at 5dc9490). Used only to recognise an alias. */
const AIDER_ALIASES = new Set([
  'sonnet', 'haiku', 'opus', '4', '4o', '4-turbo', '35turbo', '35-turbo', '3', 'deepseek', 'flash', 'flash-lite',
  'quasar', 'r1', 'gemini-2.5-pro', 'gemini-3-pro-preview', 'gemini', 'gemini-exp', 'grok3', 'optimus',
]);

/** Aider's old one-model switches (aider/args.py, aider/main.py in 2023-2024 releases). */
const AIDER_SWITCHES = new Set(['--opus', '--sonnet', '-4', '--4', '-3', '--3', '--4-turbo', '--4-turbo-vision', '--gpt-4-turbo', '--deepseek', '--35turbo', '--35-turbo']);

/**
 * What an alias, a switch, or no model at all meant for the aider version a row records. An alias's
 * target changed over time (`sonnet` is claude-sonnet-4-6 at 5dc9490 but was claude-3-7-sonnet-20250219
 * for the 2025-02-24 row), so the alias list at 5dc9490 is not used: each shorthand the data holds is
 * resolved with aider's source at the first release at or after the row's version in which the
 * shorthand exists, and checked against the row's display name or editor_model field. A shorthand not
 * listed here leaves the row unmapped.
 */
const SHORTHANDS = [
  { token: 'sonnet', versions: '0.74.4.dev', model: 'anthropic/claude-3-7-sonnet-20250219', evidence: 'MODEL_ALIASES at v0.75.0; row named claude-3-7-sonnet-20250219' },
  { token: 'sonnet', versions: '0.72.3.dev', model: 'claude-3-5-sonnet-20241022', evidence: 'MODEL_ALIASES at v0.72.3; the row\'s editor_model says so' },
  { token: 'r1', versions: '0.72.3.dev', model: 'deepseek/deepseek-reasoner', evidence: 'MODEL_ALIASES at v0.72.3' },
  { token: '--opus', versions: '0.30.2-dev', model: 'claude-3-opus-20240229', evidence: 'opus_model in aider/args.py at v0.31.0' },
  { token: '--sonnet', versions: '0.25.1-dev', model: 'claude-3-sonnet-20240229', evidence: 'sonnet_model in aider/args.py at v0.29.0, the first release with --sonnet' },
  { token: '-4', versions: '0.18.2-dev', model: 'gpt-4-0613', evidence: 'default_4_model in aider/main.py at v0.26.0, the first release with -4' },
  { token: '-3', versions: '0.33.1-dev', model: 'gpt-3.5-turbo', evidence: 'gpt_3_model_name in aider/args.py at v0.34.0' },
  { token: '--deepseek', versions: '0.55.1.dev', model: 'deepseek/deepseek-coder', evidence: 'deepseek_model in aider/args.py at v0.56.0' },
  { token: '(default)', versions: '0.34.1-dev', model: 'openai/gpt-4o', evidence: 'DEFAULT_MODEL_NAME in aider/models.py at v0.35.0' },
];

function shorthandModel(token, versions) {
  return SHORTHANDS.find((entry) => entry.token === token && entry.versions === versions)?.model;
}

/** The command's words: env assignments before `aider`, then its arguments; a trailing `# comment` dropped. */
function splitCommand(command) {
  const words = command.replace(/\s#.*$/, '').trim().split(/\s+/);
  const at = words.indexOf('aider');
  if (at < 0) return undefined;
  return { env: words.slice(0, at), args: words.slice(at + 1) };
}

/** The value of `--flag X` or `--flag=X`. */
function option(args, flag) {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i].startsWith(`${flag}=`)) return args[i].slice(flag.length + 1);
  }
  return undefined;
}

/**
 * A litellm model name to Lodestar ids, or a reason it has none. `thirdPartyBase` is true when the
 * command points `openai/` at another server (--openai-api-base, OPENAI_API_BASE).
 */
function lodestarIds(name, thirdPartyBase) {
  const slash = name.indexOf('/');
  if (slash < 0) {
    if (OPENAI_NAME.test(name)) return { ids: [`openai/${name}`] };
    if (name.startsWith('claude-')) return { ids: [`anthropic/${name}`] };
    return { ids: [], reason: `bare name ${name} is not an OpenAI or Anthropic model` };
  }
  const prefix = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (prefix === 'openai') {
    if (thirdPartyBase) return { ids: [], reason: `${name} was served by a third party through --openai-api-base/OPENAI_API_BASE` };
    if (!OPENAI_NAME.test(rest)) return { ids: [], reason: `${name} is not an OpenAI model: an OpenAI-compatible server other than OpenAI` };
    return { ids: [name] };
  }
  const provider = PROVIDER_PREFIXES[prefix];
  if (provider === undefined) return { ids: [], reason: `${prefix}/ is not a Lodestar provider` };
  return { ids: [`${provider}/${rest}`] };
}

/** The model a command ran, as aider's litellm name, or a reason it cannot be told. */
function commandModel(parts, versions, flag) {
  const value = option(parts.args, flag);
  if (value !== undefined) {
    if (!AIDER_ALIASES.has(value)) return { name: value };
    const resolved = shorthandModel(value, versions);
    return resolved ? { name: resolved } : { reason: `aider alias ${value} at aider ${versions} is not resolved` };
  }
  if (flag !== '--model') return {};
  const switchWord = parts.args.find((word) => AIDER_SWITCHES.has(word));
  if (switchWord) {
    const resolved = shorthandModel(switchWord, versions);
    return resolved ? { name: resolved } : { reason: `aider switch ${switchWord} at aider ${versions} is not resolved (no release of aider has it)` };
  }
  const resolved = shorthandModel('(default)', versions);
  return resolved ? { name: resolved } : { reason: 'the command names no model' };
}

/** Aider's token counts: 8096, "32k" (k = 1024), "0.5M". */
function tokenCount(value) {
  const text = String(value).trim().toUpperCase();
  const multiplier = text.endsWith('K') ? 1024 : text.endsWith('M') ? 1024 * 1024 : 1;
  const number = Number(multiplier === 1 ? text : text.slice(0, -1));
  if (!Number.isFinite(number)) throw new Error(`Unreadable token count ${JSON.stringify(value)}`);
  return Math.trunc(number * multiplier);
}

/** One of the row's fields, the command's option, or a label in the display name; they must agree. */
function agreeing(what, row, values) {
  const found = [...new Set(values.filter((value) => value !== undefined))];
  if (found.length > 1) throw new Error(`${row.dirname}: ${what} disagree: ${found.join(' vs ')}`);
  return found[0];
}

function importRow(benchmark, raw) {
  const command = String(raw.command ?? '');
  const versions = String(raw.versions ?? '');
  const parts = splitCommand(command);
  const thirdPartyBase = parts !== undefined && (option(parts.args, '--openai-api-base') !== undefined || parts.env.some((word) => word.startsWith('OPENAI_API_BASE=')));

  let modelIds = [];
  let unmapped;
  if (!parts) {
    unmapped = 'the command is not an aider command';
  } else {
    const main = commandModel(parts, versions, '--model');
    if (main.name) {
      const mapped = lodestarIds(main.name, thirdPartyBase);
      modelIds = mapped.ids;
      unmapped = mapped.reason;
    } else {
      unmapped = main.reason;
    }
  }

  // The editor of an architect run: the row's field (aider's resolved name) or the command's --editor-model.
  const editor = parts ? commandModel(parts, versions, '--editor-model') : {};
  const editorModel = agreeing('editor models', raw, [raw.editor_model === undefined ? undefined : String(raw.editor_model), editor.name]);
  const editorModelIds = editorModel === undefined ? undefined : lodestarIds(editorModel, thirdPartyBase).ids;

  const effortLabel = /\((low|medium|high)\)/.exec(String(raw.model))?.[1];
  const reasoningEffort = agreeing('reasoning efforts', raw, [raw.reasoning_effort, parts ? option(parts.args, '--reasoning-effort') : undefined, effortLabel]);
  const thinkingOption = parts ? option(parts.args, '--thinking-tokens') : undefined;
  const thinkingTokens = agreeing('thinking tokens', raw, [
    raw.thinking_tokens === undefined ? undefined : tokenCount(raw.thinking_tokens),
    thinkingOption === undefined ? undefined : tokenCount(thinkingOption),
  ]);

  const row = {
    benchmark,
    name: String(raw.model),
    dirname: String(raw.dirname),
    command,
    modelIds,
    editFormat: String(raw.edit_format),
    passRate2: raw.pass_rate_2,
    passRate1: raw.pass_rate_1,
    wellFormed: raw.percent_cases_well_formed,
    reasoningEffort,
    thinkingTokens,
    editorModel,
    editorModelIds,
    date: String(raw.date),
    totalCost: raw.total_cost ?? undefined,
    testCases: raw.test_cases,
  };
  for (const key of ['passRate2', 'passRate1', 'wellFormed', 'testCases']) {
    if (typeof row[key] !== 'number') throw new Error(`${row.dirname}: ${key} is not a number`);
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(row.date)) throw new Error(`${row.dirname}: date ${row.date} is not YYYY-MM-DD`);
  return { row, unmapped: modelIds.length ? undefined : (unmapped ?? 'no Lodestar id') };
}

export function importBenchmarks(dataDir) {
  const rows = [];
  const unmapped = [];
  for (const [benchmark, file] of FILES) {
    const raws = parse(readFileSync(join(dataDir, file), 'utf8'));
    if (!Array.isArray(raws)) throw new Error(`${file}: expected a list of rows`);
    for (const raw of raws) {
      const imported = importRow(benchmark, raw);
      rows.push(imported.row);
      if (imported.unmapped) unmapped.push({ benchmark, name: imported.row.name, command: imported.row.command, reason: imported.unmapped });
    }
  }
  return { data: { source: SOURCE, rows }, unmapped };
}

/** Pretty JSON, keys in the order built above, undefined fields left out, one trailing newline. */
export function serialize(data) {
  return `${JSON.stringify(data, null, 2)}\n`;
}

function main() {
  const dataDir = resolve(process.argv[2] ?? join(REPO_ROOT, '..', 'shared', 'data'));
  const outFile = resolve(process.argv[3] ?? join(REPO_ROOT, 'src', 'router', 'data', 'aider-benchmarks.json'));
  const { data, unmapped } = importBenchmarks(dataDir);
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, serialize(data));

  const lines = [`Wrote ${data.rows.length} rows to ${outFile}`];
  for (const [benchmark] of FILES) {
    const all = data.rows.filter((row) => row.benchmark === benchmark);
    const mapped = all.filter((row) => row.modelIds.length).length;
    lines.push(`  ${benchmark}: ${all.length} rows, ${mapped} mapped, ${all.length - mapped} unmapped`);
  }
  lines.push('Unmapped rows:');
  for (const entry of unmapped) lines.push(`  [${entry.benchmark}] ${entry.name} (${entry.command}): ${entry.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
