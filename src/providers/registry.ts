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
    const settings = config.providers[id];
    if (!settings.enabled) continue;
    if (PROVIDERS[id].apiKeyEnv && !settings.apiKey) continue;
    if (id === 'ollama') providers.set(id, new OllamaProvider(config.providers.ollama));
    else if (id === 'anthropic') providers.set(id, new AnthropicProvider(settings));
    else providers.set(id, new OpenAICompatibleProvider({ ...settings, id }));
  }
  return providers;
}

/** Why a provider is not usable, for error messages that say how to fix it. */
export function unavailableReason(config: LodestarConfig, id: ProviderId): string | undefined {
  const settings = config.providers[id];
  if (!settings.enabled) return `the ${PROVIDERS[id].displayName} provider is disabled in config (providers.${id}.enabled)`;
  const variable = PROVIDERS[id].apiKeyEnv;
  if (variable && !settings.apiKey) return `${variable} is not set`;
  return undefined;
}
