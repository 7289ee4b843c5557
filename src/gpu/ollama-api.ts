/**
 * What the GPU modules need of Ollama's HTTP API: JSON in, JSON out. The daemon implements it
 * over its keep-alive upstream pool; tests can implement it over anything. The modules under
 * src/gpu never open connections of their own.
 */
export interface OllamaApi {
  /** GET a JSON endpoint; rejects with an Error naming the cause (no answer, status, not JSON). */
  getJson(path: string, timeoutMs: number): Promise<unknown>;
  /** POST a JSON body and read a JSON answer (Ollama's load and unload requests). */
  postJson(path: string, body: unknown, timeoutMs: number): Promise<unknown>;
  /** POST for a quick answer (/api/show): never queued behind a load, which may take minutes. */
  postQuickJson(path: string, body: unknown, timeoutMs: number): Promise<unknown>;
}

/** Ollama lists "llama3.2:latest"; users write "llama3.2". Both work; the short one is kept. */
export function shortModelName(name: string): string {
  return name.endsWith(':latest') ? name.slice(0, -':latest'.length) : name;
}
