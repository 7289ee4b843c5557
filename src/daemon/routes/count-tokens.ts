import { performance } from 'node:perf_hooks';
import type { AnthropicProvider } from '../../providers/anthropic/anthropic-provider.js';
import { UpstreamError } from '../../providers/spec/upstream-error.js';
import { countForeignTokens } from '../chat/route-request.js';
import type { DaemonContext } from '../context.js';
import { HttpError, sendJson } from '../../shared/http-error.js';
import { validateMessagesRequest } from '../messages/validate-messages-request.js';
import { readJsonBody } from '../../shared/request-body.js';
import type { Route } from '../server.js';
import { anthropicHeaders } from '../messages/anthropic-headers.js';

/**
 * POST /v1/messages/count_tokens: for a Claude model with Anthropic configured, Anthropic's own
 * count (the request passes through, free, not in the ledger); otherwise Lodestar's estimate:
 * the system prompt, messages and tool definitions counted with gpt-tokenizer, 10% higher.
 */
export function countTokensRoute(context: DaemonContext): Route {
  return {
    method: 'POST',
    path: '/v1/messages/count_tokens',
    auth: true,
    projectScoped: true,
    errors: 'anthropic',
    async handle(request, response, params) {
      const { value, text } = await readJsonBody(request, { maxBytes: context.config.limits.maxBodyBytes, idleMs: context.config.limits.bodyIdleMs }, true);
      const body = validateMessagesRequest(value, true);
      const anthropic = context.providers.get('anthropic') as AnthropicProvider | undefined;
      if (anthropic && !body.model.includes('/')) {
        const controller = new AbortController();
        response.once('close', () => controller.abort());
        try {
          const started = performance.now();
          const answer = await anthropic.passThrough({ path: `/v1/messages/count_tokens${params.query ? `?${params.query}` : ''}`, body: text, headers: anthropicHeaders(request), stream: false, signal: controller.signal });
          const reply = await answer.body.text();
          response.writeHead(answer.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(reply)), 'x-lodestar-provider': 'anthropic', 'x-lodestar-overhead-ms': (performance.now() - started).toFixed(3) });
          response.end(reply);
          return;
        } catch (error) {
          if (error instanceof UpstreamError && error.answer && error.status !== undefined) {
            response.writeHead(error.status, { 'content-type': 'application/json', ...error.answer.headers });
            response.end(error.answer.body);
            return;
          }
          if (error instanceof UpstreamError && error.kind === 'aborted') return;
          // Anthropic can't be reached: the estimate below will do.
          context.logger.warn('count_tokens: Anthropic did not answer; answering with an estimate', { error: error instanceof Error ? error.message : String(error) });
        }
      }
      let words = typeof body.system === 'string' ? body.system : JSON.stringify(body.system ?? '');
      for (const message of body.messages) words += `\n${message.role}\n${typeof message.content === 'string' ? message.content : JSON.stringify(message.content)}`;
      if (body.tools) words += `\n${JSON.stringify(body.tools)}`;
      if (!words.trim()) throw new HttpError(400, 'messages: nothing to count');
      sendJson(response, 200, { input_tokens: await countForeignTokens(words) }, { 'x-lodestar-provider': 'lodestar', 'x-lodestar-estimate': 'gpt-tokenizer+10%' });
    },
  };
}
