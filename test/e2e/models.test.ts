import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startOllamaDouble, type OllamaDouble } from '../doubles/index.js';
import { cleanupHome, ROOT, runCli, tempHome } from '../helpers/cli.js';
import { KEYS } from '../helpers/gateway.js';

const homes: string[] = [];
let ollama: OllamaDouble | undefined;
afterEach(async () => {
  while (homes.length) cleanupHome(homes.pop() as string);
  await ollama?.close();
  ollama = undefined;
});

async function setUp(config?: unknown): Promise<{ home: string; env: Record<string, string> }> {
  const home = tempHome();
  homes.push(home);
  ollama = await startOllamaDouble();
  if (config) writeFileSync(join(home, 'config.json'), JSON.stringify(config));
  return {
    home,
    env: {
      OLLAMA_HOST: ollama.url,
      DEEPSEEK_API_KEY: KEYS.deepseek,
      OPENAI_API_KEY: KEYS.openai,
      PATH: `${join(ROOT, 'test', 'fixtures', 'bin')}:${process.env.PATH}`,
    },
  };
}

interface Row {
  id: string;
  available: boolean;
  unavailable?: string;
  quality: number | null;
  qualitySource: string | null;
  qualityKind: string | null;
  qualityError: number | null;
  tier: string | null;
  price: { inputPerMTok: number; outputPerMTok: number } | null;
  sessionCostUsd: number | null;
  fitsVram?: boolean | null;
  local: boolean;
}

describe('lodestar models', () => {
  it('lists every model with price, window, quality and its source, availability, and VRAM fit on a 4 GB card', async () => {
    const { home, env } = await setUp();
    const result = await runCli(['models', 'list', '--json'], { home, env });
    expect(result.exitCode, result.stderr).toBe(0);
    const rows = JSON.parse(result.stdout) as Row[];
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    expect(byId['openai/gpt-5']).toMatchObject({ available: true, quality: 86.7, price: { inputPerMTok: 1.25, outputPerMTok: 10 } });
    expect(byId['openai/gpt-5']?.qualitySource).toContain('Aider polyglot 2025-08-25');
    // No benchmark ran deepseek-flash: it takes its predecessor's 70.2% by a shipped lineage rule.
    expect(byId['deepseek/deepseek-flash']).toMatchObject({ available: true, quality: 70.2, qualityKind: 'lineage', tier: 'frontier' });
    expect(byId['deepseek/deepseek-flash']?.qualitySource).toContain('lineage deepseek-flash-successor (successor of deepseek/deepseek-chat)');
    // Claude Sonnet 4.5: SWE-bench Verified put on Aider's scale, with the fit's error.
    expect(byId['anthropic/claude-sonnet-4-5']).toMatchObject({ qualityKind: 'calibrated', qualityError: 10.9 });
    expect(byId['openai/gpt-5-mini']).toMatchObject({ quality: null, qualityKind: null, tier: 'mid' });
    expect(byId['anthropic/claude-sonnet-5']).toMatchObject({ available: false, unavailable: 'ANTHROPIC_API_KEY not set' });
    // The Ollama double has qwen2.5-coder:1.5b/3b/7b and llama3.2:3b; the T600 fits the small ones.
    expect(byId['ollama/qwen2.5-coder:3b']).toMatchObject({ available: true, local: true, sessionCostUsd: 0, fitsVram: true });
    expect(byId['ollama/qwen2.5-coder:7b']).toMatchObject({ available: true, fitsVram: false });
    expect(byId['ollama/deepseek-coder:1.3b']).toMatchObject({ available: false, unavailable: 'not pulled (ollama pull deepseek-coder:1.3b)' });
    // gpt-5 for a typical session: 20 x (12k in, 800 out) + 3 x (12k, 1.2k) + 5 x (8k, 500) + 10 x (1.5k, 30) + 2 x (4k, 400).
    const tokensIn = 20 * 12_000 + 3 * 12_000 + 5 * 8_000 + 10 * 1_500 + 2 * 4_000;
    const tokensOut = 20 * 800 + 3 * 1_200 + 5 * 500 + 10 * 30 + 2 * 400;
    expect(byId['openai/gpt-5']?.sessionCostUsd).toBeCloseTo((tokensIn * 1.25 + tokensOut * 10) / 1e6, 9);

    const human = await runCli(['models', 'list'], { home, env });
    expect(human.stdout).toMatch(/openai\/gpt-5\s+1\.25\s+10\s+400k\s+86\.7%\s+measured/);
    expect(human.stdout).toMatch(/anthropic\/claude-sonnet-4-5\s+3\s+15\s+200k\s+78\.4%±10\.9\s+calibrated/);
    expect(human.stdout).toMatch(/openai\/gpt-5-mini\s+0\.25\s+2\s+400k\s+\?\s+none; tier mid/);
    expect(human.stdout).toContain("Aider's polyglot benchmark");
  });

  it('recommends what lodestar/auto would use for each task, in its order, with why, and what else would qualify', async () => {
    const { home, env } = await setUp();
    type Recommendation = { choice: string; basis: string; ranked: Array<{ id: string; why: string; available: boolean }>; unavailable: Array<{ id: string; unavailable: string }>; floor: number };
    const edit = JSON.parse((await runCli(['models', 'recommend', '--task', 'edit', '--json'], { home, env })).stdout) as Recommendation;
    expect(edit.floor).toBe(70);
    expect(edit).toMatchObject({ choice: 'deepseek/deepseek-flash', basis: 'quality' });
    // Only available models are ranked, cheapest adequate first; both DeepSeek names are V4.1 Flash at the same price.
    expect(edit.ranked.map((row) => row.id)).toEqual(['deepseek/deepseek-flash', 'deepseek/deepseek-v4-pro', 'openai/gpt-5', 'openai/o3']);
    expect(edit.ranked.every((row) => row.available)).toBe(true);
    expect(edit.ranked[2]?.why).toContain('86.7%');
    expect(edit.ranked[0]?.why).toMatch(/^70\.2% lineage; \$[\d.]+ per typical session; lineage deepseek-flash-successor \(successor of deepseek\/deepseek-chat\)/);
    expect(edit.unavailable).toContainEqual({ id: 'anthropic/claude-sonnet-4-6', why: expect.stringContaining('calibrated ±10.9'), unavailable: 'ANTHROPIC_API_KEY not set' });

    const commit = JSON.parse((await runCli(['models', 'recommend', '--task', 'commit', '--json'], { home, env })).stdout) as Recommendation;
    expect(commit.choice).toMatch(/^ollama\//);

    const human = await runCli(['models', 'recommend', '--task', 'architect'], { home, env });
    expect(human.stdout).toContain("For architect (at least 70% on Aider's polyglot benchmark), in the order lodestar/auto tries them:");
    expect(human.stdout).toContain('Lodestar would use deepseek/deepseek-flash (lodestar/auto).');
    expect(human.stdout).toMatch(/Would also qualify: .*anthropic\/claude-sonnet-4-6 \(ANTHROPIC_API_KEY not set\)/);
    const bad = await runCli(['models', 'recommend', '--task', 'poetry'], { home, env });
    expect(bad.exitCode).toBe(2);
  });

  it("follows the user's settings over the shipped evidence: a rule turned off, a score of their own", async () => {
    const off = await setUp({ quality: { disabledRules: ['deepseek-flash-successor'] } });
    const edit = JSON.parse((await runCli(['models', 'recommend', '--task', 'edit', '--json'], off)).stdout) as { choice: string; ranked: Array<{ id: string; why: string }> };
    expect(edit.choice).toBe('openai/gpt-5');
    // Its quality unknown, deepseek-flash (frontier) only follows the models known to meet the floor, as a fallback.
    expect(edit.ranked.slice(-2).map((row) => [row.id, row.why.split(';').slice(0, 2).join(';')])).toEqual([
      ['deepseek/deepseek-flash', 'quality unknown; fallback by tier (frontier)'],
      ['deepseek/deepseek-v4-pro', 'quality unknown; fallback by tier (frontier)'],
    ]);

    const own = await setUp({ models: { 'deepseek/deepseek-flash': { quality: 60 } } });
    const mine = JSON.parse((await runCli(['models', 'list', '--json'], own)).stdout) as Row[];
    expect(mine.find((row) => row.id === 'deepseek/deepseek-flash')).toMatchObject({ quality: 60, qualityKind: 'config', qualitySource: 'config (models)' });

    const typo = await setUp({ quality: { disabledRules: ['deepseek-flash-sucessor'] } });
    const refused = await runCli(['models', 'list'], typo);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('"quality.disabledRules" names "deepseek-flash-sucessor", which is no lineage rule: the rules are ');
  });
});
