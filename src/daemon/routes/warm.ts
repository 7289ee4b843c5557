import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import { readJsonBody } from '../../shared/request-body.js';
import type { Route } from '../server.js';

/**
 * POST /api/models/warm {"models": ["qwen2.5-coder:3b", ...]}: loads local models into VRAM now
 * and answers when they are loaded (what `lodestar models warm` prints). No models named: the
 * ones warm-up loads at start. Names may carry the "ollama/" prefix.
 */
export function warmRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/api/models/warm',
    auth: true,
    async handle(request, response) {
      const body = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] ? await readJsonBody(request, { maxBytes: 64 * 1024, idleMs: context.config.limits.bodyIdleMs }) : {};
      // What is wrong with the request itself first, then whether the daemon can do it.
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HttpError(400, 'The body must be a JSON object like {"models": ["qwen2.5-coder:3b"]}', { code: 'invalid_request' });
      const models = (body as { models?: unknown }).models;
      if (models !== undefined && (!Array.isArray(models) || models.some((model) => typeof model !== 'string' || !model.trim()))) {
        throw new HttpError(400, '"models" must be a list of local model names, like ["qwen2.5-coder:3b"]', { param: 'models', code: 'invalid_request' });
      }
      const names = (models as string[] | undefined)?.map((model) => model.trim());
      const foreign = names?.find((name) => name.includes('/') && !name.startsWith('ollama/'));
      if (foreign) throw new HttpError(400, `${foreign} is not a local model: only Ollama's models are loaded into VRAM`, { param: 'models', code: 'invalid_request' });
      const ollama = context.config.providers.ollama;
      if (!ollama.enabled) throw new HttpError(409, 'Ollama is disabled in config (providers.ollama.enabled is false): there is nothing to warm', { code: 'ollama_disabled' });
      const results = await context.local.warm(names, 'request');
      sendJson(response, 200, { results });
    },
  };
}
