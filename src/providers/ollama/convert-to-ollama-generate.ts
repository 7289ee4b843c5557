import type { OllamaProviderConfig } from '../../config/defaults.js';
import { localModelSettings } from '../../config/ollama-models.js';
import type { FillRequest } from '../spec/fill-request.js';

/**
 * A fill-in-the-middle request as Ollama's native /api/generate takes it
 * (reference/vscode-extension.md 3.2): `prompt` the text before the cursor and `suffix` the text
 * after it, not raw, so that the model's own template builds its FIM prompt (with `raw` Ollama
 * would not use the suffix at all). With no suffix it is a plain continuation, sent raw: the
 * template's other branch would wrap the code in a chat turn (an instruct model would then answer
 * about it instead of continuing it). The model's one num_ctx and keep_alive, as its chat
 * requests have them, so that a completion never makes Ollama reload it.
 */
export function convertToOllamaGenerate(request: FillRequest, config: OllamaProviderConfig, stream: boolean): Record<string, unknown> {
  const settings = localModelSettings(config, request.model);
  const options: Record<string, unknown> = { num_ctx: settings.numCtx, num_predict: request.maxTokens };
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.top_p = request.topP;
  if (request.seed !== undefined) options.seed = request.seed;
  if (request.presencePenalty !== undefined) options.presence_penalty = request.presencePenalty;
  if (request.frequencyPenalty !== undefined) options.frequency_penalty = request.frequencyPenalty;
  if (request.stop?.length) options.stop = request.stop;
  const body: Record<string, unknown> = { model: request.model, prompt: request.prompt };
  if (request.suffix) body.suffix = request.suffix;
  else body.raw = true;
  body.stream = stream;
  body.keep_alive = settings.keepAlive;
  body.options = options;
  return body;
}
