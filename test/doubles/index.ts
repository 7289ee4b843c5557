export type { Behaviour, DoubleUsage, RecordedRequest, Double } from './scenario.js';
export { startOpenAIDouble, type OpenAIDoubleOptions, type OpenAIFlavor } from './openai-double.js';
export { startAnthropicDouble, type AnthropicDoubleOptions } from './anthropic-double.js';
export { startOllamaDouble, type OllamaDouble, type OllamaDoubleOptions, type OllamaModelSpec, type LoadedModel, type ModelLoad } from './ollama-double.js';
