import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { execa } from 'execa';
import { findOnPath } from '../shared/which.js';
import { runTool } from './run-tool.js';

/** Codex CLI's documented install (github.com/openai/codex README). */
export const CODEX_INSTALL = 'npm install -g @openai/codex';

/** The provider id Lodestar is to Codex, in its model_providers table. */
export const CODEX_PROVIDER = 'lodestar';

/** The variable that carries the daemon's token to Codex (its provider's env_key): never on a command line. */
export const CODEX_TOKEN_VARIABLE = 'LODESTAR_CODEX_TOKEN';

/** The Codex to run: --codex-bin, else `codex` on PATH; undefined when there is none. */
export function findCodex(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return findOnPath(explicit ?? 'codex', env);
}

/**
 * The environment Codex gets: the daemon's token in the variable its provider's env_key names,
 * and loopback in NO_PROXY, so that a proxy of the user's never sees the token. The user's own
 * OPENAI_API_KEY stays (Codex reads it only for its built-in OpenAI provider, which Lodestar's
 * replaces for this run).
 */
export function codexEnvironment(env: NodeJS.ProcessEnv, token: string): NodeJS.ProcessEnv {
  const next: NodeJS.ProcessEnv = { ...env, [CODEX_TOKEN_VARIABLE]: token };
  const noProxy = (env.NO_PROXY ?? env.no_proxy ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const host of ['127.0.0.1', 'localhost', '::1']) if (!noProxy.includes(host)) noProxy.push(host);
  next.NO_PROXY = noProxy.join(',');
  next.no_proxy = next.NO_PROXY;
  return next;
}

/** A TOML basic string: what `-c key=value` parses the value as. */
function toml(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/**
 * Ours first, the user's after. Codex takes `-c key=value` overrides of its config on every
 * command (none of them is written to the user's ~/.codex/config.toml): Lodestar as a model
 * provider speaking the Responses API (the only wire API Codex still has) with the token from
 * its env_key and x-lodestar-tool on every request, chosen as the provider, the model catalog
 * that gives Lodestar's models their context windows and Codex's tools, and lodestar/auto
 * unless the user names a model (a `-m` of theirs wins over a config `model`).
 */
export function codexArguments(options: { baseUrl: string; catalogFile: string | undefined; model: string }, userArgs: readonly string[]): string[] {
  const provider = `{name="Lodestar", base_url=${toml(options.baseUrl)}, env_key=${toml(CODEX_TOKEN_VARIABLE)}, wire_api="responses", http_headers={"x-lodestar-tool"="codex"}}`;
  const args = ['-c', `model_provider=${toml(CODEX_PROVIDER)}`, '-c', `model_providers.${CODEX_PROVIDER}=${provider}`];
  if (options.catalogFile) args.push('-c', `model_catalog_json=${toml(options.catalogFile)}`);
  args.push('-c', `model=${toml(options.model)}`);
  return [...args, ...userArgs];
}

/** A model Lodestar offers Codex, with the context window the daemon reports for it. */
export interface CodexModel {
  slug: string;
  contextWindow: number | undefined;
}

type CatalogEntry = Record<string, unknown> & { slug: string };

/**
 * Codex's own model catalog, as the installed Codex renders it (`codex debug models`): the base
 * prompts, tools and settings of OpenAI's models. Lodestar ships none of it: each launch asks
 * the Codex it runs. Undefined when this Codex can't say (an older one): it then runs with its
 * fallback metadata, and says so.
 */
export async function bundledCodexCatalog(bin: string, env: NodeJS.ProcessEnv, cwd: string): Promise<CatalogEntry[] | undefined> {
  try {
    const result = await execa(bin, ['debug', 'models'], { env, extendEnv: false, cwd, reject: false, timeout: 15_000, stdin: 'ignore' });
    if (result.exitCode !== 0) return undefined;
    const models = (JSON.parse(String(result.stdout)) as { models?: unknown }).models;
    return Array.isArray(models) ? (models.filter((entry) => typeof (entry as CatalogEntry)?.slug === 'string') as CatalogEntry[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The model to take Codex's settings from for Lodestar's models: its general coding model, the
 * one that calls function tools (the newer ones work in a code-mode of their own), offers
 * apply_patch and runs shell commands.
 */
function templateOf(bundled: readonly CatalogEntry[]): CatalogEntry | undefined {
  const usable = bundled.filter((entry) => entry.tool_mode !== 'code_mode_only' && entry.apply_patch_tool_type === 'freeform' && entry.visibility !== 'hide');
  return usable.find((entry) => entry.slug === 'gpt-5.5') ?? usable[0];
}

/**
 * A catalog for Codex (model_catalog_json): Lodestar's models on the settings of Codex's own
 * general coding model (its base prompt, apply_patch as a freeform tool, its shell and
 * reasoning levels), each with the context window the daemon reports, so that Codex sizes its
 * history and compaction from it and prints no "model metadata not found" warning; an OpenAI
 * model named through Lodestar ("openai/gpt-5.5") keeps its own entry's settings. Codex's own
 * entries stay too: a catalog replaces the bundled one. The prompt's claim to be GPT-5 is left
 * out for models that may be anyone's.
 */
export function codexCatalog(bundled: readonly CatalogEntry[], models: readonly CodexModel[]): { models: CatalogEntry[] } | undefined {
  const template = templateOf(bundled);
  if (!template) return undefined;
  const entries: CatalogEntry[] = [];
  models.forEach((model, index) => {
    const own = model.slug.startsWith('openai/') ? bundled.find((entry) => entry.slug === model.slug.slice('openai/'.length)) : undefined;
    const base = own ?? neutral(template);
    const entry: CatalogEntry = {
      ...base,
      slug: model.slug,
      display_name: model.slug,
      description: own ? `${String(own.description ?? own.slug)} (through Lodestar)` : 'Routed by Lodestar to the cheapest model good enough for the request',
      visibility: 'list',
      priority: index + 1,
    };
    delete entry.upgrade;
    delete entry.availability_nux;
    if (model.contextWindow !== undefined) {
      entry.context_window = model.contextWindow;
      entry.max_context_window = model.contextWindow;
    }
    entries.push(entry);
  });
  return { models: [...entries, ...bundled.map((entry) => ({ ...entry, priority: Number(entry.priority ?? 0) + models.length }))] };
}

/** The template with its prompt's "based on GPT-5" left out: the model behind a Lodestar name may be anyone's. */
function neutral(template: CatalogEntry): CatalogEntry {
  const strip = (text: unknown): unknown => (typeof text === 'string' ? text.replace(/ based on GPT-[\d.]+/, '') : text);
  const copy: CatalogEntry = { ...template, base_instructions: strip(template.base_instructions) };
  const messages = template.model_messages as Record<string, unknown> | undefined;
  if (messages && typeof messages === 'object') copy.model_messages = { ...messages, instructions_template: strip(messages.instructions_template) };
  return copy;
}

/** Writes the catalog where only the user can read it. */
export function writeCodexCatalog(file: string, catalog: { models: CatalogEntry[] }): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(catalog)}\n`, { mode: 0o600 });
}

/** Runs Codex in this terminal; its exit status (see runTool). */
export function runCodex(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return runTool({ name: 'Codex', install: CODEX_INSTALL }, bin, args, env, cwd);
}
