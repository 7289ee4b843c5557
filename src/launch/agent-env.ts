/**
 * What an OpenAI- or Anthropic-compatible coding tool needs to use the daemon (`lodestar env
 * <tool>`): where to send requests, where the token is, which model names to use, and the
 * tool's own configuration, as data. Nothing here holds the token itself: each tool is pointed
 * at the token file, or at a variable the user fills from it.
 */

export const ENV_TOOLS = ['opencode', 'qwen', 'continue', 'openai', 'anthropic', 'codex', 'claude', 'aider'] as const;
export type EnvTool = (typeof ENV_TOOLS)[number];

export interface EnvFacts {
  /** The daemon's address, e.g. http://127.0.0.1:4141. */
  url: string;
  /** The project requests count for (put in the path), if any. */
  project: string | undefined;
  /** The token file ($LODESTAR_HOME/token). */
  tokenFile: string;
  /** Context windows and output limits the daemon reports, by model name. */
  models: ReadonlyArray<{ id: string; contextWindow: number | undefined; maxOutputTokens: number | undefined }>;
}

export interface ToolSetup {
  tool: EnvTool;
  /** One sentence: what this is. */
  summary: string;
  /** Environment variables to export, as shell words (values may read the token file). */
  env: Record<string, string>;
  /** A configuration file to write, where the tool takes one. */
  file?: { path: string; format: 'json' | 'yaml'; content: unknown };
  /** What to run afterwards. */
  run: string;
  /** Anything else worth knowing, one line each. */
  notes: string[];
}

/** The variable Lodestar's snippets read the token from: filled from the token file, never printed. */
export const TOKEN_VARIABLE = 'LODESTAR_API_KEY';

/** The virtual models every tool is offered first. */
const VIRTUALS = ['lodestar/auto', 'lodestar/cheap', 'lodestar/strong', 'lodestar/local'];

function base(facts: EnvFacts): string {
  return `${facts.url}${facts.project ? `/p/${facts.project}` : ''}`;
}

function tokenExport(facts: EnvFacts): string {
  return `"$(cat ${shellQuote(facts.tokenFile)})"`;
}

/** A tool's setup; every model name is one the daemon lists. */
export function toolSetup(tool: EnvTool, facts: EnvFacts): ToolSetup {
  const openaiBase = `${base(facts)}/v1`;
  const key = { [TOKEN_VARIABLE]: tokenExport(facts) };
  switch (tool) {
    case 'opencode':
      return {
        tool,
        summary: "opencode through Lodestar: a provider in opencode.json (the project's, or ~/.config/opencode/opencode.json) that speaks OpenAI's Chat Completions to the daemon",
        env: key,
        file: { path: 'opencode.json', format: 'json', content: opencodeConfig(facts, openaiBase) },
        run: 'opencode   # or: opencode run "..." (the model is lodestar/lodestar/auto; /models lists the rest)',
        notes: [
          'Its title requests go to small_model (lodestar/cheap); its loop is classed agent and routed by the agent floor.',
          'Offline, set OPENCODE_DISABLE_MODELS_FETCH=1: opencode then does not ask models.dev for its catalog.',
        ],
      };
    case 'qwen':
      return {
        tool,
        summary: "Qwen Code through Lodestar: its OpenAI-compatible settings point at the daemon",
        env: { OPENAI_BASE_URL: `"${openaiBase}"`, OPENAI_API_KEY: tokenExport(facts), OPENAI_MODEL: '"lodestar/auto"' },
        run: 'qwen',
        notes: ['Any model the daemon lists works as OPENAI_MODEL: a virtual one, or "<provider>/<model>".'],
      };
    case 'continue':
      return {
        tool,
        summary: "Continue through Lodestar: models in ~/.continue/config.yaml with the daemon as their OpenAI endpoint",
        env: key,
        file: { path: '~/.continue/config.yaml', format: 'yaml', content: continueConfig(openaiBase) },
        run: 'reload Continue in your editor',
        notes: ['Continue reads ${{ secrets.LODESTAR_API_KEY }} from ~/.continue/.env: put LODESTAR_API_KEY=<the token file\'s content> there, or export it before starting the editor.'],
      };
    case 'openai':
      return {
        tool,
        summary: 'Any OpenAI-compatible tool or SDK: Chat Completions at /v1/chat/completions, Responses at /v1/responses',
        env: { OPENAI_BASE_URL: `"${openaiBase}"`, OPENAI_API_KEY: tokenExport(facts) },
        run: `curl -s ${openaiBase}/chat/completions -H "Authorization: Bearer $OPENAI_API_KEY" -d '{"model":"lodestar/auto","messages":[{"role":"user","content":"Hello"}]}'`,
        notes: [`Models: ${[...VIRTUALS, ...concrete(facts)].slice(0, 12).join(', ')}${facts.models.length > 12 ? ', ...' : ''} (GET ${openaiBase}/models lists them all).`],
      };
    case 'anthropic':
      return {
        tool,
        summary: "Any Anthropic-compatible tool or SDK: the Messages API at /v1/messages (the base URL has no /v1; the client adds it)",
        env: { ANTHROPIC_BASE_URL: `"${base(facts)}"`, ANTHROPIC_AUTH_TOKEN: tokenExport(facts) },
        run: `curl -s ${base(facts)}/v1/messages -H "Authorization: Bearer $ANTHROPIC_AUTH_TOKEN" -H "anthropic-version: 2023-06-01" -d '{"model":"lodestar/auto","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]}'`,
        notes: ['Claude models go to Anthropic as they are (when ANTHROPIC_API_KEY is set for the daemon); claude-lodestar-auto, -cheap, -strong and -local name the router\'s models.'],
      };
    case 'codex':
      return { tool, summary: 'Codex CLI: use `lodestar codex`, which sets it all up for one run without touching ~/.codex/config.toml', env: {}, run: 'lodestar codex', notes: [] };
    case 'claude':
      return { tool, summary: 'Claude Code: use `lodestar claude`, which sets it all up for one run without touching your settings', env: {}, run: 'lodestar claude', notes: [] };
    case 'aider':
      return { tool, summary: 'Aider: use `lodestar aider`, which sets it all up for one run (lodestar init writes a .aider.conf.yml too)', env: {}, run: 'lodestar aider', notes: [] };
  }
}

function concrete(facts: EnvFacts): string[] {
  return facts.models.map((model) => model.id).filter((id) => !id.startsWith('lodestar/'));
}

/**
 * opencode's provider block: @ai-sdk/openai-compatible (bundled in opencode: nothing is
 * downloaded), the token from the variable, x-lodestar-tool on every request, and each model
 * with the limits the daemon reports (opencode sends limit.output as max_tokens, and a ceiling
 * is all it is: the daemon lowers it per model).
 */
function opencodeConfig(facts: EnvFacts, baseURL: string): unknown {
  const models: Record<string, unknown> = {};
  for (const model of [...VIRTUALS.map((id) => facts.models.find((entry) => entry.id === id) ?? { id, contextWindow: undefined, maxOutputTokens: undefined }), ...facts.models.filter((entry) => !entry.id.startsWith('lodestar/'))]) {
    models[model.id] = { name: model.id, limit: { context: model.contextWindow ?? 200_000, output: model.maxOutputTokens ?? 32_000 } };
  }
  return {
    $schema: 'https://opencode.ai/config.json',
    provider: {
      lodestar: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Lodestar',
        options: { baseURL, apiKey: `{env:${TOKEN_VARIABLE}}`, headers: { 'x-lodestar-tool': 'opencode' } },
        models,
      },
    },
    model: 'lodestar/lodestar/auto',
    small_model: 'lodestar/lodestar/cheap',
  };
}

function continueConfig(apiBase: string): unknown {
  const model = (name: string, id: string, roles: string[]) => ({ name, provider: 'openai', model: id, apiBase, apiKey: `\${{ secrets.${TOKEN_VARIABLE} }}`, roles, requestOptions: { headers: { 'x-lodestar-tool': 'continue' } } });
  return {
    name: 'Lodestar',
    version: '1.0.0',
    schema: 'v1',
    models: [model('Lodestar auto', 'lodestar/auto', ['chat', 'edit', 'apply']), model('Lodestar cheap', 'lodestar/cheap', ['summarize']), model('Lodestar local', 'lodestar/local', ['autocomplete'])],
  };
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
