import { describe, expect, it } from 'vitest';
import type { ModelRow } from '../../../src/shared/model-facts.js';
import { choiceMessage, modelPickItems } from './pick-items.js';

const row = (id: string, extra: Partial<ModelRow>): ModelRow => ({
  id,
  provider: id.split('/')[0] as ModelRow['provider'],
  local: false,
  available: true,
  unavailable: undefined,
  contextWindow: 128_000,
  price: { inputPerMTok: 1, outputPerMTok: 2 },
  quality: 60,
  qualitySource: 'aider',
  qualityKind: 'measured',
  qualityError: null,
  tier: 'mid',
  sessionCostUsd: 0.5,
  loaded: false,
  ...extra,
});

describe('modelPickItems', () => {
  const rows = [
    row('anthropic/claude-sonnet-5', { price: { inputPerMTok: 3, outputPerMTok: 15 }, quality: 78.2, sessionCostUsd: 1.4 }),
    row('ollama/qwen2.5-coder:7b', { local: true, price: { inputPerMTok: 0, outputPerMTok: 0 }, quality: 51.3, qualityKind: 'calibrated', qualityError: 6.1, sessionCostUsd: 0, loaded: true }),
    row('openai/gpt-4o-mini', { available: false, unavailable: 'no key' }),
    row('deepseek/deepseek-chat', { quality: null, qualityKind: null, sessionCostUsd: null, price: null }),
  ];
  const task = { task: 'edit', floor: 60, chosen: 'anthropic/claude-sonnet-5', chosenFrom: 'project' as const, routerChoice: 'ollama/qwen2.5-coder:7b' };

  it("lists the router's choice first, then the usable models from the cheapest session up", () => {
    const items = modelPickItems(rows, task);
    expect(items.map((item) => item.model)).toEqual([null, 'ollama/qwen2.5-coder:7b', 'anthropic/claude-sonnet-5', 'deepseek/deepseek-chat']);
    expect(items[0]?.label).toBe("$(sparkle) Router's choice: ollama/qwen2.5-coder:7b");
  });

  it('shows quality and how it is known, price, a typical session and where it runs', () => {
    const [, local, sonnet, unknown] = modelPickItems(rows, task);
    expect(local).toMatchObject({ description: "quality 51.3%±6.1 (calibrated) · free · (router's pick)", detail: 'a typical session costs $0 · local, in VRAM' });
    expect(sonnet).toMatchObject({ description: 'quality 78.2% (measured) · $3/15 per M tokens · (current)', detail: 'a typical session costs $1.40 · anthropic' });
    expect(unknown).toMatchObject({ description: 'quality ? (tier mid) · price unknown', detail: 'a typical session costs an unknown amount · deepseek' });
  });

  it('judges the agent task by its agentic score', () => {
    const agentic = [row('anthropic/claude-sonnet-5', { agentic: { quality: 77.2, qualitySource: 'swe-bench', qualityKind: 'measured', qualityError: null } })];
    const [, item] = modelPickItems(agentic, { task: 'agent', floor: 65, chosen: null, chosenFrom: null, routerChoice: null });
    expect(item?.description).toContain('quality 77.2% (measured)');
  });
});

describe('choiceMessage', () => {
  it('says where the task goes and what it costs against the baseline', () => {
    const message = choiceMessage({ task: 'edit', floor: 60, model: 'ollama/qwen2.5-coder:7b', typicalSession: { costUsd: 0, baselineCostUsd: 1.4, requests: 20 }, ranking: [], warnings: ['Below the floor.'] }, 'app');
    expect(message).toBe("Lodestar: app's edit requests go to ollama/qwen2.5-coder:7b; a typical session costs $0 against $1.40 on the baseline: saved $1.40 (100.0%). Below the floor.");
  });
});
