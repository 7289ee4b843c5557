/**
 * The upstreams Lodestar knows, with where each lives by default and the environment variables
 * that configure it (INTERFACE.md: <PROVIDER>_API_KEY, <PROVIDER>_BASE_URL, OLLAMA_HOST).
 */
export const PROVIDER_IDS = ['ollama', 'openai', 'anthropic', 'deepseek', 'openrouter', 'gemini', 'groq', 'mistral'] as const;
export type ProviderId = (typeof PROVIDER_IDS)[number];

/** Which wire protocol an upstream speaks. */
export type ProviderKind = 'openai-compatible' | 'anthropic' | 'ollama';

export interface ProviderInfo {
  id: ProviderId;
  kind: ProviderKind;
  displayName: string;
  defaultBaseUrl: string;
  /** Absent for Ollama, which needs no key. */
  apiKeyEnv: string | undefined;
  baseUrlEnv: string;
}

export const PROVIDERS: Readonly<Record<ProviderId, ProviderInfo>> = {
  ollama: {
    id: 'ollama',
    kind: 'ollama',
    displayName: 'Ollama',
    defaultBaseUrl: 'http://127.0.0.1:11434',
    apiKeyEnv: undefined,
    baseUrlEnv: 'OLLAMA_HOST',
  },
  openai: {
    id: 'openai',
    kind: 'openai-compatible',
    displayName: 'OpenAI',
    defaultBaseUrl: 'https://api.openai.com/v1',
    apiKeyEnv: 'OPENAI_API_KEY',
    baseUrlEnv: 'OPENAI_BASE_URL',
  },
  anthropic: {
    id: 'anthropic',
    kind: 'anthropic',
    displayName: 'Anthropic',
    defaultBaseUrl: 'https://api.anthropic.com',
    apiKeyEnv: 'ANTHROPIC_API_KEY',
    baseUrlEnv: 'ANTHROPIC_BASE_URL',
  },
  deepseek: {
    id: 'deepseek',
    kind: 'openai-compatible',
    displayName: 'DeepSeek',
    defaultBaseUrl: 'https://api.deepseek.com',
    apiKeyEnv: 'DEEPSEEK_API_KEY',
    baseUrlEnv: 'DEEPSEEK_BASE_URL',
  },
  openrouter: {
    id: 'openrouter',
    kind: 'openai-compatible',
    displayName: 'OpenRouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    apiKeyEnv: 'OPENROUTER_API_KEY',
    baseUrlEnv: 'OPENROUTER_BASE_URL',
  },
  gemini: {
    id: 'gemini',
    kind: 'openai-compatible',
    displayName: 'Gemini',
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta/openai',
    apiKeyEnv: 'GEMINI_API_KEY',
    baseUrlEnv: 'GEMINI_BASE_URL',
  },
  groq: {
    id: 'groq',
    kind: 'openai-compatible',
    displayName: 'Groq',
    defaultBaseUrl: 'https://api.groq.com/openai/v1',
    apiKeyEnv: 'GROQ_API_KEY',
    baseUrlEnv: 'GROQ_BASE_URL',
  },
  mistral: {
    id: 'mistral',
    kind: 'openai-compatible',
    displayName: 'Mistral',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    apiKeyEnv: 'MISTRAL_API_KEY',
    baseUrlEnv: 'MISTRAL_BASE_URL',
  },
};

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}
