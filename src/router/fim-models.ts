/**
 * What the router knows of fill-in-the-middle (FIM) models without asking Ollama, for the
 * `complete` task (reference/vscode-extension.md section 3).
 */

/** The virtual model of POST /v1/completions: the router's pick for the complete task. */
export const COMPLETE_MODEL = 'lodestar/complete';

/** What to pull when no local model can fill in the middle: small, and its template takes a suffix. */
export const FIM_MODEL_TO_PULL = 'qwen2.5-coder:1.5b-base';

/**
 * Families whose Ollama library template takes `.Suffix` (3.1-3.2: Qwen2.5-Coder, StarCoder2,
 * CodeLlama's 7B/13B code models, DeepSeek-Coder's base models, Codestral): what decides only
 * while Ollama has not said (/api/show's capabilities, "insert"), never against what it says.
 */
const FIM_FAMILIES: readonly RegExp[] = [/^qwen2\.5-coder(:|$)/, /^starcoder2(:|$)/, /^codellama:[^:]*code/, /^deepseek-coder:[^:]*base/, /^codestral(:|$)/];

export function fillsInTheMiddleByName(model: string): boolean {
  const name = model.toLowerCase();
  return FIM_FAMILIES.some((family) => family.test(name));
}

/**
 * A model's size in billions of parameters, from its Ollama tag ("qwen2.5-coder:1.5b-base" is
 * 1.5, "starcoder2:3b" 3, "smollm:135m" 0.135); undefined when the tag does not say.
 */
export function parameterBillions(model: string): number | undefined {
  const tag = model.slice(model.indexOf(':') + 1).toLowerCase();
  const match = /(?:^|[-_.])(\d+(?:\.\d+)?)([bm])(?=$|[-_.])/.exec(tag);
  if (!match) return undefined;
  const value = Number(match[1]);
  return match[2] === 'm' ? value / 1000 : value;
}
