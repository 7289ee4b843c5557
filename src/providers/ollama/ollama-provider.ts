import type { OllamaProviderConfig } from '../../config/defaults.js';
import { readLines } from '../http/sse.js';
import { UpstreamClient } from '../http/upstream-client.js';
import type { FillCall, FillStream, FillText } from '../spec/fill-request.js';
import { newOutcome, type ChatCall, type ChatProvider, type ChunkStream, type Completion } from '../spec/provider.js';
import { UpstreamError } from '../spec/upstream-error.js';
import { convertOllamaResponse, translateOllamaStream, type OllamaChatLine } from './ollama-chat-response.js';
import { convertToOllamaGenerate } from './convert-to-ollama-generate.js';
import { convertToOllamaRequest } from './convert-to-ollama-request.js';
import { finishGenerate, generatePieces, type OllamaGenerateLine } from './ollama-generate-response.js';

/**
 * Local models through Ollama's native /api/chat (keep_alive, num_ctx, load_duration), and
 * fill-in-the-middle through its /api/generate (prompt and suffix).
 */
export class OllamaProvider implements ChatProvider {
  readonly id = 'ollama' as const;
  readonly kind = 'ollama' as const;
  private readonly client: UpstreamClient;
  private readonly config: OllamaProviderConfig;
  private readonly headers = { 'content-type': 'application/json', accept: 'application/json' };

  constructor(config: OllamaProviderConfig) {
    this.config = config;
    // One GPU serves one request at a time per model: a small pool is plenty.
    this.client = new UpstreamClient('ollama', config.baseUrl, config.timeouts, { connections: 16 });
  }

  async complete(call: ChatCall): Promise<Completion> {
    const body = JSON.stringify(convertToOllamaRequest(call.request, this.config, false));
    const response = await this.client.post('/api/chat', body, this.headers, { signal: call.signal, stream: false });
    let line: OllamaChatLine;
    try {
      line = JSON.parse(await response.body.text()) as OllamaChatLine;
    } catch (error) {
      if (error instanceof SyntaxError) throw new UpstreamError('ollama', 'protocol', 'ollama answered with something that is not JSON');
      throw this.client.translate(error, 'during');
    }
    if (line.error !== undefined) throw new UpstreamError('ollama', 'protocol', `ollama reported an error: ${line.error}`);
    const outcome = newOutcome();
    return { body: convertOllamaResponse(line, call.request.model, outcome), outcome };
  }

  async stream(call: ChatCall): Promise<ChunkStream> {
    const body = JSON.stringify(convertToOllamaRequest(call.request, this.config, true));
    const response = await this.client.post('/api/chat', body, this.headers, { signal: call.signal, stream: true });
    const outcome = newOutcome();
    const client = this.client;
    const model = call.request.model;
    async function* chunks() {
      try {
        yield* translateOllamaStream(readLines(response.body), model, outcome, 'ollama');
      } catch (error) {
        throw client.translate(error, 'during');
      }
    }
    return { chunks: chunks(), outcome };
  }

  async fill(call: FillCall): Promise<FillText> {
    const body = JSON.stringify(convertToOllamaGenerate(call.request, this.config, false));
    const response = await this.client.post('/api/generate', body, this.headers, { signal: call.signal, stream: false });
    let line: OllamaGenerateLine;
    try {
      line = JSON.parse(await response.body.text()) as OllamaGenerateLine;
    } catch (error) {
      if (error instanceof SyntaxError) throw new UpstreamError('ollama', 'protocol', 'ollama answered with something that is not JSON');
      throw this.client.translate(error, 'during');
    }
    if (line.error !== undefined) throw new UpstreamError('ollama', 'protocol', `ollama reported an error: ${line.error}`);
    const outcome = newOutcome();
    finishGenerate(line, outcome);
    return { text: line.response ?? '', outcome };
  }

  async fillStream(call: FillCall): Promise<FillStream> {
    const body = JSON.stringify(convertToOllamaGenerate(call.request, this.config, true));
    const response = await this.client.post('/api/generate', body, this.headers, { signal: call.signal, stream: true });
    const outcome = newOutcome();
    const client = this.client;
    async function* pieces() {
      try {
        yield* generatePieces(readLines(response.body), outcome, 'ollama');
      } catch (error) {
        throw client.translate(error, 'during');
      }
    }
    return { pieces: pieces(), outcome };
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
