import { goJsonTypeName } from './go-json.js';

/**
 * What the Ollama double checks and reads of a generate or chat request before it schedules it
 * (reference/ollama-gpu.md 1.1 and 4, vscode-extension.md 3.2).
 */

export type Kind = 'chat' | 'generate';

/**
 * What a generate request puts before the model: with a suffix, the template's FIM branch gets
 * .Prompt and .Suffix only (no system prompt); raw, the prompt as it is (a suffix is not used);
 * otherwise the prompt and the system prompt (vscode-extension.md 3.2).
 */
export function generateInput(prompt: string, suffix: string, raw: boolean, system: unknown): { chars: number; lastUserText: string } {
  if (raw) return { chars: prompt.length, lastUserText: prompt };
  if (suffix !== '') return { chars: prompt.length + suffix.length, lastUserText: prompt };
  return { chars: prompt.length + (typeof system === 'string' ? system.length : 0), lastUserText: prompt };
}

/** The full name Ollama's capability errors give a model ("registry.ollama.ai/library/yi-coder:latest", ollama#8320). */
export function registryName(name: string): string {
  return `registry.ollama.ai/${name.includes('/') ? '' : 'library/'}${name}`;
}

export function nonEmpty(value: unknown): boolean {
  return typeof value === 'string' && value !== '';
}

/** Go's decoder rejects a wrongly typed field before anything else runs. */
export function fieldTypeError(body: Record<string, unknown>, kind: Kind, goType: string): string | undefined {
  const expected: Record<string, [string, string]> = {
    model: ['string', 'string'],
    stream: ['bool', '*bool'],
    options: ['object', 'map[string]interface {}'],
    ...(kind === 'chat' ? { messages: ['array', '[]api.Message'] } : { prompt: ['string', 'string'], suffix: ['string', 'string'], system: ['string', 'string'], template: ['string', 'string'], raw: ['bool', 'bool'] }),
  };
  for (const [field, [jsonType, goFieldType]] of Object.entries(expected)) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    const actual = goJsonTypeName(value);
    if (actual !== jsonType) return `json: cannot unmarshal ${actual} into Go struct field ${goType}.${field} of type ${goFieldType}`;
  }
  return undefined;
}
