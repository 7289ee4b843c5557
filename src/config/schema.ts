import * as v from 'valibot';
import { PROVIDER_IDS } from '../shared/provider-ids.js';

/**
 * The shape of $LODESTAR_HOME/config.json and .lodestarrc. Every object is strict, so a typo
 * is an error that names the key rather than a setting silently ignored. .lodestarrc.example
 * documents every key here; keep the two in step.
 *
 * valibot rather than zod: the daemon validates its config at every start, and zod's core
 * costs the daemon ~12 MB of memory for good, valibot ~1 MB.
 */

const httpUrl = v.pipe(
  v.string(),
  v.check((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), 'must be an http:// or https:// URL, like http://127.0.0.1:11434'),
);

const positiveMs = v.pipe(v.number(), v.integer(), v.minValue(1));

/** A concrete model as "<provider>/<model id>", e.g. "anthropic/claude-sonnet-5". */
const modelName = v.pipe(
  v.string(),
  v.regex(new RegExp(`^(${PROVIDER_IDS.join('|')})/.+`), `must be "<provider>/<model>" with provider one of ${PROVIDER_IDS.join(', ')}`),
);

const timeoutEntries = {
  connectMs: v.optional(positiveMs),
  firstByteMs: v.optional(positiveMs),
  idleMs: v.optional(positiveMs),
  requestMs: v.optional(positiveMs),
};

export const timeoutsSchema = v.strictObject(timeoutEntries);

/** Ollama's keep_alive: seconds as a number (negative = forever) or a Go duration such as "30m". */
const KEEP_ALIVE_MESSAGE = 'must be a number of seconds or a duration with a unit, like "30m" or "-1m" (forever)';
const keepAlive = v.union([v.number(), v.pipe(v.string(), v.regex(/^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, KEEP_ALIVE_MESSAGE))], KEEP_ALIVE_MESSAGE);

const numCtx = v.pipe(v.number(), v.integer(), v.minValue(256));

const cloudProvider = v.strictObject({
  enabled: v.optional(v.boolean()),
  baseUrl: v.optional(httpUrl),
  apiKey: v.optional(v.pipe(v.string(), v.minLength(1))),
  timeouts: v.optional(timeoutsSchema),
});

const ollamaModel = v.strictObject({
  numCtx: v.optional(numCtx),
  keepAlive: v.optional(keepAlive),
  pin: v.optional(v.boolean()),
  warm: v.optional(v.boolean()),
});

const ollamaProvider = v.strictObject({
  enabled: v.optional(v.boolean()),
  baseUrl: v.optional(httpUrl),
  timeouts: v.optional(timeoutsSchema),
  numCtx: v.optional(numCtx),
  keepAlive: v.optional(keepAlive),
  models: v.optional(v.record(v.pipe(v.string(), v.minLength(1)), ollamaModel)),
  warmup: v.optional(v.boolean()),
  parallel: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(64))),
  switchWaitMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  vramMiB: v.optional(v.pipe(v.number(), v.integer(), v.minValue(256))),
  ssh: v.optional(v.pipe(v.string(), v.regex(/^[^\s@]+@[^\s@]+$/, 'must be "user@host"'))),
  sshArgs: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))),
});

const providers = v.strictObject({
  ollama: v.optional(ollamaProvider),
  openai: v.optional(cloudProvider),
  anthropic: v.optional(cloudProvider),
  deepseek: v.optional(cloudProvider),
  openrouter: v.optional(cloudProvider),
  gemini: v.optional(cloudProvider),
  groq: v.optional(cloudProvider),
  mistral: v.optional(cloudProvider),
});

const nonNegative = v.pipe(v.number(), v.minValue(0));
const percent = v.pipe(v.number(), v.minValue(0), v.maxValue(100));

const budget = v.strictObject({
  limitUsd: nonNegative,
  mode: v.optional(v.picklist(['hard', 'soft'])),
});

const budgetPair = v.strictObject({ monthly: v.optional(budget), daily: v.optional(budget) });

/** A model Lodestar serves: virtual ("lodestar/auto") or concrete ("deepseek/deepseek-flash"). */
const servedModel = v.pipe(
  v.string(),
  v.regex(new RegExp(`^(lodestar/(auto|local|cheap|strong|consensus)|(${PROVIDER_IDS.join('|')})/.+)$`), `must be lodestar/auto, lodestar/local, lodestar/cheap, lodestar/strong, lodestar/consensus or "<provider>/<model>"`),
);

/** A concrete model, "<provider>/<model>", as a task's chosen model. */
const concreteModel = v.pipe(v.string(), v.regex(new RegExp(`^(${PROVIDER_IDS.join('|')})/.+$`), 'must be "<provider>/<model>", like deepseek/deepseek-flash'));

/** lodestar/consensus: how many models it asks, how it picks among answers that don't agree, and the judge. */
const consensusEntries = {
  members: v.optional(v.pipe(v.number(), v.integer(), v.minValue(2), v.maxValue(5))),
  pick: v.optional(v.picklist(['judge', 'first'])),
  judge: v.optional(v.pipe(v.string(), v.regex(/^(lodestar\/strong|[a-z]+\/.+)$/, 'must be lodestar/strong or "<provider>/<model>"'))),
};

// The routing preferences that the global config, a project's .lodestarrc and a team server's
// team (src/server/preferences/) all set: one schema each, so that a team's routing is checked
// by the same rules, in the same words, as a developer's own.

/** Minimum quality score per task for lodestar/auto (routing.floors). */
export const floorsSchema = v.strictObject({
  edit: v.optional(percent),
  architect: v.optional(percent),
  'long-context': v.optional(percent),
  chat: v.optional(percent),
  commit: v.optional(percent),
  summary: v.optional(percent),
  // On SWE-bench Verified's scale, not Aider's: an agent's loop is judged by agentic evidence.
  agent: v.optional(percent),
});

export const preferredSchema = v.array(modelName);

export const forbiddenSchema = v.array(v.pipe(v.string(), v.regex(new RegExp(`^(${PROVIDER_IDS.join('|')})/.+`), 'must be "<provider>/<model>" or "<provider>/*"')));

/** The model each task goes to first (routing.taskModels). */
export const taskModelsSchema = v.strictObject({
  edit: v.optional(concreteModel),
  architect: v.optional(concreteModel),
  'long-context': v.optional(concreteModel),
  chat: v.optional(concreteModel),
  commit: v.optional(concreteModel),
  summary: v.optional(concreteModel),
  agent: v.optional(concreteModel),
  // Inline completions are served by local models only: the one an editor's completions go to first, loaded at start.
  complete: v.optional(v.pipe(v.string(), v.regex(/^ollama\/.+$/, 'must be a local model, "ollama/<model>" (completions are served by local models only), like ollama/qwen2.5-coder:1.5b-base'))),
});

/** Where Claude Code's kinds of request go (`claude`), a served model per class. */
export const claudeSchema = v.strictObject({
  main: v.optional(servedModel),
  background: v.optional(servedModel),
  thinking: v.optional(servedModel),
  longContext: v.optional(servedModel),
  subagent: v.optional(servedModel),
});

const projectName = v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit'));

export const configFileSchema = v.strictObject({
  $schema: v.optional(v.string()),
  port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535))),
  logLevel: v.optional(v.picklist(['error', 'warn', 'info', 'debug'])),
  project: v.optional(
    v.pipe(v.string(), v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')),
  ),
  limits: v.optional(v.strictObject({ maxBodyBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024))), bodyIdleMs: v.optional(positiveMs) })),
  timeouts: v.optional(v.strictObject({ ...timeoutEntries, shutdownMs: v.optional(positiveMs) })),
  logs: v.optional(
    v.strictObject({
      maxBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(65536))),
      files: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(20))),
    }),
  ),
  providers: v.optional(providers),
  baseline: v.optional(modelName),
  models: v.optional(
    v.record(
      modelName,
      v.strictObject({
        quality: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
        // Percent on SWE-bench Verified: what the agent task judges a model by.
        agentQuality: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))),
        sameAs: v.optional(modelName),
        contextWindow: v.optional(v.pipe(v.number(), v.integer(), v.minValue(256))),
        maxOutputTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(16))),
      }),
    ),
  ),
  quality: v.optional(
    v.strictObject({
      lineage: v.optional(v.boolean()),
      calibration: v.optional(v.boolean()),
      // Which ids exist is the router's data: checked against it where config is used (checkEvidenceSettings).
      disabledRules: v.optional(v.array(v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]*$/, 'must be lineage rule ids, like "deepseek-flash-successor"')))),
    }),
  ),
  routing: v.optional(
    v.strictObject({
      floors: v.optional(floorsSchema),
      preferred: v.optional(preferredSchema),
      /** The model a task goes to first under lodestar/auto and lodestar/cheap, chosen by the user (the web UI's selector, `models select`). */
      taskModels: v.optional(taskModelsSchema),
      forbidden: v.optional(forbiddenSchema),
      retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(5))),
      maxProviders: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(8))),
      backoffMs: v.optional(positiveMs),
      maxRetryAfterMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
      circuit: v.optional(
        v.strictObject({
          failureThreshold: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
          cooldownMs: v.optional(positiveMs),
        }),
      ),
    }),
  ),
  cache: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean()),
      ttlSeconds: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      maxEntries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      maxBytes: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1024))),
      store: v.optional(v.picklist(['memory', 'disk', 'redis'])),
      redisUrl: v.optional(v.pipe(v.string(), v.check((value) => /^rediss?:\/\/[^\s]+$/.test(value) && URL.canParse(value), 'must be a redis:// or rediss:// URL, like redis://127.0.0.1:6379'))),
      deterministicOnly: v.optional(v.boolean()),
    }),
  ),
  ui: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean()),
      port: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535))),
    }),
  ),
  gpu: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean()),
      pollSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(3600))),
    }),
  ),
  aider: v.optional(
    v.strictObject({
      model: v.optional(servedModel),
      weakModel: v.optional(servedModel),
      editorModel: v.optional(servedModel),
    }),
  ),
  consensus: v.optional(
    v.strictObject({
      ...consensusEntries,
      tasks: v.optional(v.record(v.picklist(['edit', 'architect', 'long-context', 'chat', 'commit', 'summary', 'agent']), v.strictObject(consensusEntries))),
    }),
  ),
  claude: v.optional(claudeSchema),
  budget: v.optional(budgetPair),
  timezone: v.optional(v.pipe(v.string(), v.check(isTimeZone, 'must be an IANA time zone such as Europe/Paris or UTC'))),
  budgets: v.optional(
    v.strictObject({
      monthly: v.optional(budget),
      daily: v.optional(budget),
      projects: v.optional(v.record(projectName, budgetPair)),
      alerts: v.optional(
        v.strictObject({
          webhook: v.optional(httpUrl),
          desktop: v.optional(v.boolean()),
        }),
      ),
    }),
  ),
  prices: v.optional(
    v.record(
      modelName,
      v.strictObject({
        input: nonNegative,
        output: nonNegative,
        cacheRead: v.optional(nonNegative),
        cacheWrite: v.optional(nonNegative),
      }),
    ),
  ),
});

export type ConfigFile = v.InferOutput<typeof configFileSchema>;

/**
 * Keys that configure the daemon, which serves every project of the user: a project's
 * .lodestarrc may not set them, or the daemon would behave differently depending on the folder
 * it happened to be started from.
 */
export const GLOBAL_ONLY_KEYS = ['port', 'ui', 'logLevel', 'limits', 'timeouts', 'logs', 'providers', 'prices', 'budgets', 'cache', 'gpu', 'quality'] as const;

/** Keys about one project: refused in the global config, where they would apply to none. */
export const PROJECT_ONLY_KEYS = ['budget'] as const;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
