import { z } from 'zod';
import { PROVIDER_IDS } from '../shared/provider-ids.js';

/**
 * The shape of $LODESTAR_HOME/config.json and .lodestarrc. Every object is strict, so a typo
 * is an error that names the key rather than a setting silently ignored. .lodestarrc.example
 * documents every key here; keep the two in step.
 */

const httpUrl = z
  .string()
  .refine((value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value), {
    message: 'must be an http:// or https:// URL, like http://127.0.0.1:11434',
  });

const positiveMs = z.number().int().positive();

/** A concrete model as "<provider>/<model id>", e.g. "anthropic/claude-sonnet-5". */
const modelName = z.string().regex(new RegExp(`^(${PROVIDER_IDS.join('|')})/.+`), {
  message: `must be "<provider>/<model>" with provider one of ${PROVIDER_IDS.join(', ')}`,
});

export const timeoutsSchema = z.strictObject({
  connectMs: positiveMs.optional(),
  firstByteMs: positiveMs.optional(),
  idleMs: positiveMs.optional(),
  requestMs: positiveMs.optional(),
});

/** Ollama's keep_alive: seconds as a number (negative = forever) or a Go duration such as "30m". */
const keepAlive = z.union([
  z.number(),
  z.string().regex(/^-?(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/, {
    message: 'must be a number of seconds or a duration with a unit, like "30m" or "-1m" (forever)',
  }),
]);

const cloudProvider = z.strictObject({
  enabled: z.boolean().optional(),
  baseUrl: httpUrl.optional(),
  apiKey: z.string().min(1).optional(),
  timeouts: timeoutsSchema.optional(),
});

const ollamaModel = z.strictObject({
  numCtx: z.number().int().min(256).optional(),
  keepAlive: keepAlive.optional(),
  pin: z.boolean().optional(),
});

const ollamaProvider = z.strictObject({
  enabled: z.boolean().optional(),
  baseUrl: httpUrl.optional(),
  timeouts: timeoutsSchema.optional(),
  numCtx: z.number().int().min(256).optional(),
  keepAlive: keepAlive.optional(),
  models: z.record(z.string().min(1), ollamaModel).optional(),
  ssh: z
    .string()
    .regex(/^[^\s@]+@[^\s@]+$/, { message: 'must be "user@host"' })
    .optional(),
});

const providersShape = Object.fromEntries(
  PROVIDER_IDS.map((id) => [id, id === 'ollama' ? ollamaProvider.optional() : cloudProvider.optional()]),
) as { ollama: z.ZodOptional<typeof ollamaProvider> } & Record<
  Exclude<(typeof PROVIDER_IDS)[number], 'ollama'>,
  z.ZodOptional<typeof cloudProvider>
>;

export const configFileSchema = z.strictObject({
  $schema: z.string().optional(),
  port: z.number().int().min(0).max(65535).optional(),
  logLevel: z.enum(['error', 'warn', 'info', 'debug']).optional(),
  project: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
      message: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit',
    })
    .optional(),
  limits: z
    .strictObject({
      maxBodyBytes: z.number().int().min(1024).optional(),
    })
    .optional(),
  timeouts: timeoutsSchema.extend({ shutdownMs: positiveMs.optional() }).optional(),
  logs: z
    .strictObject({
      maxBytes: z.number().int().min(65536).optional(),
      files: z.number().int().min(1).max(20).optional(),
    })
    .optional(),
  providers: z.strictObject(providersShape).optional(),
  baseline: modelName.optional(),
  prices: z
    .record(
      modelName,
      z.strictObject({
        input: z.number().min(0),
        output: z.number().min(0),
        cacheRead: z.number().min(0).optional(),
        cacheWrite: z.number().min(0).optional(),
      }),
    )
    .optional(),
});

export type ConfigFile = z.infer<typeof configFileSchema>;

/**
 * Keys that configure the daemon, which serves every project of the user: a project's
 * .lodestarrc may not set them, or the daemon would behave differently depending on the folder
 * it happened to be started from.
 */
export const GLOBAL_ONLY_KEYS = ['port', 'logLevel', 'limits', 'timeouts', 'logs', 'providers', 'prices'] as const;
