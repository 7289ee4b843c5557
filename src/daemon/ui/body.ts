import type { IncomingMessage } from 'node:http';
import { ConfigError } from '../../shared/errors.js';
import type { DaemonContext } from '../context.js';
import { HttpError } from '../../shared/http-error.js';
import { readJsonBody } from '../../shared/request-body.js';

/** A JSON object body, or a 400 saying what it is instead. */
export async function readObject(request: IncomingMessage, context: DaemonContext): Promise<Record<string, unknown>> {
  const body = await readJsonBody(request, { maxBytes: 1024 * 1024, idleMs: context.config.limits.bodyIdleMs });
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body must be a JSON object');
  return body as Record<string, unknown>;
}

/** A config file's complaint as a 400 whose param is the key's dotted path (the page shows it next to that field). */
export function configHttpError(error: unknown, prefix = ''): never {
  if (error instanceof ConfigError) {
    const param = error.key ? `${prefix}${error.key}` : null;
    throw new HttpError(400, error.message, { param, code: 'invalid_config' });
  }
  throw error;
}
