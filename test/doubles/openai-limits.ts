import { errorBody, type Failure, type OpenAIFlavor } from './openai-flavors.js';
import { isOpenAIReasoningModel, limitsOf } from './model-limits.js';

/**
 * A request that asks for more output than the model writes, or that does not fit its window,
 * answered as each service answers it. Prompt tokens are the doubles' estimate (chars / 4).
 */
export interface SizeRequest {
  model: string;
  promptTokens: number;
  /** The requested output cap and the field it came in, if any. */
  cap: { field: 'max_tokens' | 'max_completion_tokens'; value: number } | undefined;
}

export function limitRejection(flavor: OpenAIFlavor, request: SizeRequest): Failure | undefined {
  const limits = limitsOf(flavor, request.model);
  const { promptTokens: prompt, cap } = request;
  switch (flavor) {
    case 'openai':
      return openAILimits(request, limits.contextWindow, limits.maxOutputTokens);
    case 'deepseek': {
      // "Invalid max_tokens value, the valid range of max_tokens is [1, 8192]" (DeepSeek-V3#69,
      // llm-gateway#1177), [1, 393216] for V4 (kimi-code#509, 2026-06); the context wording is
      // OpenAI's old one with DeepSeek's envelope (fast-agent#621, claude-code-router#895).
      if (cap && (cap.value < 1 || cap.value > limits.maxOutputTokens)) {
        return deepseekBad(`Invalid max_tokens value, the valid range of max_tokens is [1, ${limits.maxOutputTokens}]`);
      }
      const completion = cap?.value ?? 0;
      if (prompt + completion > limits.contextWindow) {
        return deepseekBad(
          `This model's maximum context length is ${limits.contextWindow} tokens. However, you requested ${prompt + completion} tokens (${prompt} in the messages, ${completion} in the completion). Please reduce the length of the messages or completion.`,
        );
      }
      return undefined;
    }
    case 'openrouter': {
      // OpenRouter checks the prompt plus the requested output against the endpoint's window
      // (Aider#3721, OpenHands#8149; without max_tokens only "(N of text input)", refly#1177).
      // A max_tokens over the endpoint's output limit is not refused here: no source found.
      const completion = cap?.value ?? 0;
      if (prompt + completion <= limits.contextWindow) return undefined;
      const parts = cap ? `${prompt} of text input, ${completion} in the output` : `${prompt} of text input`;
      const message = `This endpoint's maximum context length is ${limits.contextWindow} tokens. However, you requested about ${prompt + completion} tokens (${parts}). Please reduce the length of either one, or use the "middle-out" transform to compress your prompt automatically.`;
      return { status: 400, body: { error: { message, code: 400, metadata: { provider_name: null } } } };
    }
    case 'groq': {
      // free-claude-code#1354 (2026-08): "`max_completion_tokens` must be less than or equal to
      // `16384`, the maximum value for `max_completion_tokens` is less than the `context_window`
      // for this model", with param; the context error is OpenAI-shaped (amurex-backend#51).
      if (cap && cap.value > limits.maxOutputTokens) {
        const message = `\`${cap.field}\` must be less than or equal to \`${limits.maxOutputTokens}\`, the maximum value for \`${cap.field}\` is less than the \`context_window\` for this model`;
        return { status: 400, body: { error: { message, type: 'invalid_request_error', param: cap.field } } };
      }
      if (prompt + (cap?.value ?? 0) > limits.contextWindow) {
        return { status: 400, body: { error: { message: 'Please reduce the length of the messages or completion.', type: 'invalid_request_error', param: 'messages', code: 'context_length_exceeded' } } };
      }
      return undefined;
    }
    case 'mistral': {
      // Mistral answers 422 when max_tokens (with the prompt) reaches the window (openclaw#52599,
      // PRs #53006/#53177, 2026-03); the body was not quoted: the wording is CONSTRUCTED. No
      // separate output-limit refusal was found.
      const completion = cap?.value ?? 0;
      if (prompt + completion < limits.contextWindow) return undefined;
      const message = `Prompt contains ${prompt} tokens and ${completion} completion tokens, too large for model with ${limits.contextWindow} maximum context length`;
      return { status: 422, body: errorBody('mistral', { status: 422, message, type: 'invalid_request_error' }) };
    }
    case 'gemini': {
      // Google's wording for maxOutputTokens out of range (Vertex, litellm#10548, bolt.diy#955)
      // and for an input over the window (gemini-cli#4692, #6678); Gemini checks the input alone.
      if (cap && (cap.value < 1 || cap.value > limits.maxOutputTokens)) {
        return geminiBad(`Unable to submit request because it has a maxOutputTokens value of ${cap.value} but the supported range is from 1 (inclusive) to ${limits.maxOutputTokens + 1} (exclusive). Update the value and try again.`);
      }
      if (prompt > limits.contextWindow) return geminiBad(`The input token count (${prompt}) exceeds the maximum number of tokens allowed (${limits.contextWindow}).`);
      return undefined;
    }
  }
}

const deepseekBad = (message: string): Failure => ({ status: 400, body: errorBody('deepseek', { status: 400, message, type: 'invalid_request_error', code: 'invalid_request_error' }) });

const geminiBad = (message: string): Failure => ({ status: 400, body: errorBody('gemini', { status: 400, message }) });

const openAIBad = (message: string, param: string | null, code: string | null): Failure => ({
  status: 400,
  body: errorBody('openai', { status: 400, message, type: 'invalid_request_error', param, code }),
});

/**
 * OpenAI. Output: "max_tokens is too large: 8192. This model supports at most 4096 completion
 * tokens, whereas you provided 8192." (NextChat#3195; gpt-4o: ExtractThinker#346), param
 * max_tokens, code null; for max_completion_tokens the same sentence with that name
 * (CONSTRUCTED by analogy). Window, non-reasoning models: "This model's maximum context length
 * is 8192 tokens. However, you requested 8256 tokens (64 in the messages, 8192 in the
 * completion)..." or "...your messages resulted in N tokens..." (NextChat#3195, gpt-researcher#680),
 * param messages, code context_length_exceeded. GPT-5 and o-series count only the input against
 * window minus output: "Input tokens exceed the configured limit of 272000 tokens. Your messages
 * resulted in 289650 tokens. Please reduce the length of the messages." (cline#5474; param and
 * code assumed as above).
 */
function openAILimits(request: SizeRequest, window: number, maxOutput: number): Failure | undefined {
  const { promptTokens: prompt, cap } = request;
  if (cap && cap.value > maxOutput) {
    return openAIBad(`${cap.field} is too large: ${cap.value}. This model supports at most ${maxOutput} completion tokens, whereas you provided ${cap.value}.`, cap.field, null);
  }
  if (isOpenAIReasoningModel(request.model)) {
    const inputLimit = window - maxOutput;
    if (prompt <= inputLimit) return undefined;
    return openAIBad(`Input tokens exceed the configured limit of ${inputLimit} tokens. Your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`, 'messages', 'context_length_exceeded');
  }
  if (cap && prompt + cap.value > window) {
    return openAIBad(
      `This model's maximum context length is ${window} tokens. However, you requested ${prompt + cap.value} tokens (${prompt} in the messages, ${cap.value} in the completion). Please reduce the length of the messages or completion.`,
      'messages',
      'context_length_exceeded',
    );
  }
  if (prompt > window) {
    return openAIBad(`This model's maximum context length is ${window} tokens. However, your messages resulted in ${prompt} tokens. Please reduce the length of the messages.`, 'messages', 'context_length_exceeded');
  }
  return undefined;
}
