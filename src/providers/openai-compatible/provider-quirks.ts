import { createHash } from 'node:crypto';
import type { ProviderId } from '../../shared/provider-ids.js';
import type { ChatCompletionRequest, ChatMessage } from '../spec/chat-request.js';

/**
 * What differs between the OpenAI-compatible upstreams (reference/providers.md section 3).
 * Each hook gets a shallow copy of the request it may change.
 */
export interface OpenAICompatibleQuirks {
  /** The path of the chat endpoint under the base URL. */
  chatPath: string;
  headers?: Record<string, string>;
  /** Whether to ask for usage with stream_options.include_usage (all but Mistral). */
  streamOptions: boolean;
  prepare?(request: ChatCompletionRequest): void;
  /** Remember each answer's reasoning by its tool calls, and put it back on later turns (DeepSeek's thinking mode). */
  rememberReasoning?: boolean;
}

/**
 * An assistant turn's reasoning_content (the thinking of an earlier answer, which a Messages
 * request from Claude Code carries back) is DeepSeek's field: DeepSeek wants it back on tool-call
 * turns in thinking mode; OpenAI, Groq and Mistral refuse a message property they don't know.
 */
function withoutReasoning(request: ChatCompletionRequest): void {
  if (request.messages.some((message) => message.reasoning_content !== undefined)) {
    request.messages = request.messages.map(({ reasoning_content: _reasoning, ...rest }) => rest as ChatMessage);
  }
}

const standard: OpenAICompatibleQuirks = { chatPath: '/chat/completions', streamOptions: true, prepare: withoutReasoning };

/**
 * OpenAI's reasoning models (gpt-5, the o-series) refuse max_tokens ("Unsupported parameter:
 * 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."), which
 * every current OpenAI chat model takes: the limit goes as max_completion_tokens.
 */
function completionTokens(request: ChatCompletionRequest): void {
  if (typeof request.max_tokens === 'number') {
    request.max_completion_tokens ??= request.max_tokens;
    delete request.max_tokens;
  }
}

/** OpenAI's reasoning models: GPT-5 and later, the o-series. */
const OPENAI_REASONING = /^(gpt-[5-9]|o\d)/;

/**
 * OpenAI's reasoning models answer 400 to a temperature other than 1 ("Only the default (1)
 * value is supported"), and to top_p and logprobs, unless reasoning is off (effort "none", from
 * gpt-5.1 on). Aider sends temperature 0 to every model: for these, the sampling settings are
 * left out, as they would have no effect anyway, rather than failing the request.
 */
function reasoningSampling(request: ChatCompletionRequest): void {
  if (!OPENAI_REASONING.test(request.model) || request.reasoning_effort === 'none') return;
  if (request.temperature !== undefined && request.temperature !== 1) delete request.temperature;
  delete request.top_p;
  delete request.logprobs;
  delete request.top_logprobs;
}

export const QUIRKS: Readonly<Record<Exclude<ProviderId, 'ollama' | 'anthropic'>, OpenAICompatibleQuirks>> = {
  openai: {
    ...standard,
    prepare(request) {
      withoutReasoning(request);
      completionTokens(request);
      reasoningSampling(request);
    },
  },
  gemini: standard,
  deepseek: {
    ...standard,
    rememberReasoning: true,
    prepare(request) {
      // DeepSeek's roles are system, user, assistant and tool: a developer message is a system one to it.
      if (request.messages.some((message) => message.role === 'developer')) {
        request.messages = request.messages.map((message) => (message.role === 'developer' ? { ...message, role: 'system' } : message));
      }
      // deepseek-chat and deepseek-reasoner were retired on 2026-07-24; they were the non-thinking
      // and thinking modes of the model now called deepseek-flash.
      if (request.model === 'deepseek-chat') {
        request.model = 'deepseek-flash';
        request.thinking ??= { type: 'disabled' };
      } else if (request.model === 'deepseek-reasoner') {
        request.model = 'deepseek-flash';
        request.thinking ??= { type: 'enabled' };
      }
    },
  },
  openrouter: {
    ...standard,
    // OpenRouter passes reasoning on to the models that take it, DeepSeek's among them.
    prepare: undefined,
    // OpenRouter's attribution headers (optional; they name the app in its dashboard).
    headers: { 'http-referer': 'https://github.com/lodestar-router/lodestar', 'x-title': 'Lodestar' },
  },
  groq: {
    ...standard,
    prepare(request) {
      withoutReasoning(request);
      // Groq answers 400 to these instead of ignoring them.
      delete request.logprobs;
      delete request.top_logprobs;
      delete request.logit_bias;
      if (request.messages.some((message) => message.name !== undefined)) {
        request.messages = request.messages.map(({ name: _name, ...rest }) => rest as ChatMessage);
      }
    },
  },
  mistral: {
    ...standard,
    // Mistral sends usage in its last chunk on its own and is strict about unknown fields.
    streamOptions: false,
    prepare(request) {
      withoutReasoning(request);
      delete request.stream_options;
      if (request.seed !== undefined && request.seed !== null) {
        request.random_seed = request.seed;
        delete request.seed;
      }
      request.messages = remapToolCallIds(request.messages);
    },
  },
};

const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;

/**
 * Mistral wants tool-call ids of exactly nine letters and digits, and tool results that name
 * their function. Ids from other providers (call_..., toolu_...) are mapped to nine characters
 * derived from them, the same on every turn, so the pairs still match.
 */
export function remapToolCallIds(messages: ChatMessage[]): ChatMessage[] {
  if (!messages.some((message) => message.tool_calls?.length || message.role === 'tool')) return messages;
  const names = new Map<string, string>();
  return messages.map((message) => {
    if (message.role === 'assistant' && message.tool_calls?.length) {
      const copy: ChatMessage = {
        ...message,
        tool_calls: message.tool_calls.map((call) => {
          names.set(call.id, call.function.name);
          return { ...call, id: mistralId(call.id) };
        }),
      };
      if (copy.content === '' || copy.content === null) delete copy.content;
      return copy;
    }
    if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
      const name = message.name ?? names.get(message.tool_call_id);
      return { ...message, tool_call_id: mistralId(message.tool_call_id), ...(name ? { name } : {}) };
    }
    return message;
  });
}

function mistralId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest('base64').replace(/[^a-zA-Z0-9]/g, '');
  return digest.slice(0, 9).padEnd(9, '0');
}
