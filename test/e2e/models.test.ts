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
    expect(byId['deepseek/deepseek-flash']).toMatchObject({ available: true, quality: null });
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
    expect(human.stdout).toMatch(/openai\/gpt-5\s+1\.25\s+10\s+400k\s+86\.7%/);
    expect(human.stdout).toContain("Aider's polyglot benchmark");
  });

  it('recommends the cheapest model meeting the floor for each task, with why', async () => {
    const { home, env } = await setUp();
    const edit = JSON.parse((await runCli(['models', 'recommend', '--task', 'edit', '--json'], { home, env })).stdout) as { choice: string; ranked: Array<{ id: string; why: string }>; floor: number };
    expect(edit.floor).toBe(70);
    expect(edit.choice).toBe('openai/gpt-5');
    expect(edit.ranked.map((row) => row.id)).toEqual(['openai/gpt-5', 'openai/o3']);
    expect(edit.ranked[0]?.why).toContain('86.7%');

    const commit = JSON.parse((await runCli(['models', 'recommend', '--task', 'commit', '--json'], { home, env })).stdout) as { choice: string; ranked: Array<{ id: string; available: boolean }> };
    expect(commit.choice).toMatch(/^ollama\//);

    const human = await runCli(['models', 'recommend', '--task', 'architect'], { home, env });
    expect(human.stdout).toContain("For architect (at least 70% on Aider's polyglot benchmark), cheapest first:");
    expect(human.stdout).toContain('Lodestar would use openai/gpt-5 (lodestar/auto).');
    const bad = await runCli(['models', 'recommend', '--task', 'poetry'], { home, env });
    expect(bad.exitCode).toBe(2);
  });

  it("takes a rule from config: deepseek-flash scored as deepseek-chat becomes the cheapest edit model", async () => {
    const { home, env } = await setUp({ models: { 'deepseek/deepseek-flash': { sameAs: 'deepseek/deepseek-chat' } } });
    const edit = JSON.parse((await runCli(['models', 'recommend', '--task', 'edit', '--json'], { home, env })).stdout) as { choice: string; ranked: Array<{ id: string; quality: number; qualitySource: string }> };
    expect(edit.choice).toBe('deepseek/deepseek-flash');
    expect(edit.ranked[0]).toMatchObject({ quality: 70.2 });
    expect(edit.ranked[0]?.qualitySource).toContain('rule: same as deepseek/deepseek-chat (Aider polyglot 2025-10-03');
  });
});
