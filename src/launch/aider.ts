import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findOnPath } from '../shared/which.js';
import { runTool } from './run-tool.js';

/** Aider's own recommended installer (aider.chat/docs/install.html). */
export const AIDER_INSTALL = 'python -m pip install aider-install && aider-install';

/** The Aider to run: --aider-bin, else `aider` on PATH; undefined when there is none. */
export function findAider(explicit: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return findOnPath(explicit ?? 'aider', env);
}

export interface AiderModels {
  /** Lodestar model names: "lodestar/auto", "deepseek/deepseek-flash", ... */
  model: string;
  weakModel: string;
  editorModel: string;
}

/**
 * The name Aider is given for a Lodestar model. litellm (inside Aider) strips the first
 * "openai/" and sends the rest, so Aider's "openai/lodestar/auto" reaches us as "lodestar/auto"
 * through the OpenAI wire format (reference/aider.md section 1).
 */
export function aiderModelName(model: string): string {
  return `openai/${model}`;
}

/**
 * Aider's model metadata (--model-metadata-file, JSON) and model settings (--model-settings-file:
 * YAML, of which JSON is a subset) for the models it is given, written to `directory`:
 * - metadata: each model's context window as the daemon reports it, so that Aider sizes its repo
 *   map and history budget from it instead of treating the model as unknown (a 1024-token
 *   history and warnings); prices 0, so that Aider shows no cost of its own: a virtual model's
 *   price changes with every request, and Lodestar's counter is the one that knows it;
 * - settings: the diff edit format with a repo map for models that route to capable models
 *   (Aider would use "whole" for a name it does not know), whole for local-only models, and the
 *   weak and editor models.
 */
export function writeAiderModelFiles(directory: string, models: AiderModels, windows: ReadonlyMap<string, number>): { metadataFile: string; settingsFile: string } {
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const names = [...new Set([models.model, models.weakModel, models.editorModel])];
  const metadata: Record<string, unknown> = {};
  for (const model of names) {
    const window = windows.get(model);
    metadata[aiderModelName(model)] = {
      ...(window === undefined ? {} : { max_input_tokens: window, max_tokens: window }),
      input_cost_per_token: 0,
      output_cost_per_token: 0,
      litellm_provider: 'openai',
      mode: 'chat',
    };
  }
  const settings = names.map((model) => {
    const local = model === 'lodestar/local' || model.startsWith('ollama/');
    return {
      name: aiderModelName(model),
      edit_format: local ? 'whole' : 'diff',
      use_repo_map: true,
      // Every request says it is Aider's, for `lodestar report --by tool`.
      extra_params: { extra_headers: { 'x-lodestar-tool': 'aider' } },
      ...(model === models.model ? { weak_model_name: aiderModelName(models.weakModel), editor_model_name: aiderModelName(models.editorModel), editor_edit_format: local ? 'editor-whole' : 'editor-diff' } : {}),
    };
  });
  const metadataFile = join(directory, 'model-metadata.json');
  const settingsFile = join(directory, 'model-settings.yml');
  writeFileSync(metadataFile, `${JSON.stringify(metadata, null, 2)}\n`, { mode: 0o600 });
  writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`, { mode: 0o600 });
  return { metadataFile, settingsFile };
}

/** Ours first, the user's after: for Aider, as for any argparse program, the last value wins. */
export function aiderArguments(models: AiderModels, files: { metadataFile: string; settingsFile: string }, userArgs: readonly string[]): string[] {
  return [
    '--model',
    aiderModelName(models.model),
    '--weak-model',
    aiderModelName(models.weakModel),
    '--editor-model',
    aiderModelName(models.editorModel),
    '--model-metadata-file',
    files.metadataFile,
    '--model-settings-file',
    files.settingsFile,
    '--no-show-model-warnings',
    ...userArgs,
  ];
}

/**
 * The environment Aider gets: the daemon as its OpenAI endpoint, the daemon's token as the key.
 * Both the plain variables (litellm reads them) and Aider's own AIDER_ ones, which outrank a
 * `.aider.conf.yml` or `.env` that names another endpoint or key (configargparse: command line
 * > environment > config files). The token is never put on the command line, where `ps` shows it.
 */
export function aiderEnvironment(env: NodeJS.ProcessEnv, baseUrl: string, token: string): NodeJS.ProcessEnv {
  return { ...env, OPENAI_API_BASE: baseUrl, OPENAI_API_KEY: token, AIDER_OPENAI_API_BASE: baseUrl, AIDER_OPENAI_API_KEY: token };
}

/** Runs Aider in this terminal; its exit status (see runTool). */
export function runAider(bin: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  return runTool({ name: 'Aider', install: AIDER_INSTALL }, bin, args, env, cwd);
}
