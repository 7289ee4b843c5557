import type { LodestarConfig } from '../config/defaults.js';
import { PROVIDER_IDS, PROVIDERS, type ProviderId } from '../shared/provider-ids.js';
import { AnthropicProvider } from './anthropic/anthropic-provider.js';
import { OllamaProvider } from './ollama/ollama-provider.js';
import { OpenAICompatibleProvider } from './openai-compatible/openai-compatible-provider.js';
import type { ChatProvider } from './spec/provider.js';

/**
 * The providers the daemon can use: enabled in config, and with a key where one is needed.
 * Ollama needs none; whether it answers is the health monitor's business.
 */
export function createProviders(config: LodestarConfig): Map<ProviderId, ChatProvider> {
  const providers = new Map<ProviderId, ChatProvider>();
  for (const id of PROVIDER_IDS) {
    const provider = createProvider(config, id);
    if (provider) providers.set(id, provider);
  }
  return providers;
}

/** One provider as config has it now; undefined when it is disabled or lacks its key. */
export function createProvider(config: LodestarConfig, id: ProviderId): ChatProvider | undefined {
  const settings = config.providers[id];
  if (!settings.enabled) return undefined;
  if (PROVIDERS[id].apiKeyEnv && !settings.apiKey) return undefined;
  if (id === 'ollama') return new OllamaProvider(config.providers.ollama);
  if (id === 'anthropic') return new AnthropicProvider(settings);
  return new OpenAICompatibleProvider({ ...settings, id });
}

/** Why a provider is not usable, for error messages that say how to fix it. */
export function unavailableReason(config: LodestarConfig, id: ProviderId): string | undefined {
  const settings = config.providers[id];
  if (!settings.enabled) return `the ${PROVIDERS[id].displayName} provider is disabled in config (providers.${id}.enabled)`;
  const variable = PROVIDERS[id].apiKeyEnv;
  if (variable && !settings.apiKey) return `${variable} is not set`;
  return undefined;
}
