import { convertOpenAIUsage } from '../openai-compatible/convert-openai-usage.js';
import type { Usage } from '../spec/usage.js';

/**
 * What the translation reads of an OpenAI answer, a chat.completion (Completion.body) or a
 * chat.completion.chunk (StreamChunk.data), as every provider adapter produces them
 * (reference/providers.md 1.2 and 1.3). Everything is optional: upstreams differ.
 */

export interface ToolCallFragment {
  index?: number;
  id?: string | null;
  function?: { name?: string | null; arguments?: string | null };
}

/** Reasoning text: DeepSeek and Ollama's adapter say reasoning_content, OpenRouter says reasoning. */
export interface ReasoningFields {
  reasoning_content?: string | null;
  reasoning?: string | null;
}

export interface CompletionBody {
  id?: string;
  choices?: Array<{
    message?: ReasoningFields & { content?: string | null; tool_calls?: ToolCallFragment[] | null };
    finish_reason?: string | null;
  }>;
  usage?: unknown;
}

export interface ChunkBody {
  id?: string;
  choices?: Array<{
    index?: number;
    delta?: ReasoningFields & { content?: string | null; tool_calls?: ToolCallFragment[] | null };
    finish_reason?: string | null;
  }> | null;
  usage?: unknown;
  x_groq?: { usage?: unknown };
}

export function reasoningOf(fields: ReasoningFields): string {
  return fields.reasoning_content || fields.reasoning || '';
}

/** The answer's usage in the one shape; undefined when this chunk carries none (usage: null). */
export function usageOf(body: { usage?: unknown; x_groq?: { usage?: unknown } }): Usage | undefined {
  return convertOpenAIUsage(body.usage ?? body.x_groq?.usage);
}
