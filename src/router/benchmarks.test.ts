import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCHMARK_SOURCE, benchmarkScores, editLeaderboardScore, polyglotScore } from './benchmarks.js';
import { CATALOG, modelId } from './catalog.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const SHIPPED = join(REPO_ROOT, 'src', 'router', 'data', 'aider-benchmarks.json');
const SCRIPT = join(REPO_ROOT, 'scripts', 'import-aider-benchmarks.mjs');
/** Aider's YAML, in shared/data beside the repository; present on the developers' machines and CI's. */
const DATA_DIR = [join(REPO_ROOT, '..', 'shared', 'data'), '/work/shared/data'].find((dir) => existsSync(join(dir, 'aider-polyglot-leaderboard.yml')));

describe('polyglotScore', () => {
  it('gpt-5 has only effort variants: medium by default, high when asked', () => {
    const medium = polyglotScore('openai/gpt-5');
    expect(medium?.value).toBe(86.7);
    expect(medium?.row.reasoningEffort).toBe('medium');
    expect(polyglotScore('openai/gpt-5', { reasoningEffort: 'high' })?.value).toBe(88);
    expect(polyglotScore('openai/gpt-5', { reasoningEffort: 'low' })?.value).toBe(81.3);
    expect(polyglotScore('openai/gpt-5', { reasoningEffort: 'minimal' })).toBeUndefined();
  });

  it('deepseek-chat answers with its newest run: DeepSeek-V3.2-Exp (Chat), 2025-10-03', () => {
    const score = polyglotScore('deepseek/deepseek-chat');
    expect(score?.value).toBe(70.2);
    expect(score?.row).toMatchObject({ name: 'DeepSeek-V3.2-Exp (Chat)', date: '2025-10-03', totalCost: 0.8756, testCases: 225 });
    // Three older models ran under the same id; they are still there for benchmarkScores.
    expect(benchmarkScores('deepseek/deepseek-chat').filter((row) => row.benchmark === 'polyglot').map((row) => row.passRate2)).toEqual([17.8, 48.4, 55.1, 70.2]);
  });

  it('prefers the run at the model\'s defaults over effort or thinking variants', () => {
    expect(polyglotScore('openai/o3')?.value).toBe(76.9);
    expect(polyglotScore('openai/o3', { reasoningEffort: 'high' })?.value).toBe(81.3);
    expect(polyglotScore('anthropic/claude-sonnet-4-20250514')?.value).toBe(56.4);
    expect(polyglotScore('anthropic/claude-sonnet-4-20250514', { thinkingTokens: 32_000 })?.value).toBe(61.3);
  });

  it('never guesses: no default or medium run, an unbenchmarked id, or an undated name of a dated row', () => {
    // o4-mini was only run at high effort (its display name says so; the command does not).
    expect(polyglotScore('openai/o4-mini')).toBeUndefined();
    expect(polyglotScore('openai/o4-mini', { reasoningEffort: 'high' })?.value).toBe(72);
    expect(polyglotScore('anthropic/claude-sonnet-5')).toBeUndefined();
    expect(polyglotScore('anthropic/claude-sonnet-4')).toBeUndefined();
    expect(polyglotScore('openai/gpt-4o')).toBeUndefined();
  });

  it('leaves architect pairs out: o3 (high) + gpt-4.1 is not o3\'s score', () => {
    expect(benchmarkScores('openai/o3').map((row) => row.name)).toContain('o3 (high) + gpt-4.1');
    expect(polyglotScore('openai/o3', { reasoningEffort: 'high' })?.row.name).toBe('o3 (high)');
  });

  it('resolves aider aliases as they were when the row ran, not as they are at 5dc9490', () => {
    // `aider --model sonnet` on 2025-02-24 was Claude 3.7 Sonnet; at 5dc9490 `sonnet` is claude-sonnet-4-6.
    expect(polyglotScore('anthropic/claude-3-7-sonnet-20250219')?.row.command).toBe('aider --model sonnet');
    expect(benchmarkScores('anthropic/claude-sonnet-4-6')).toEqual([]);
    const architect = benchmarkScores('deepseek/deepseek-reasoner').find((row) => row.editorModel !== undefined);
    expect(architect).toMatchObject({ editorModel: 'claude-3-5-sonnet-20241022', editorModelIds: ['anthropic/claude-3-5-sonnet-20241022'] });
  });
});

describe('editLeaderboardScore', () => {
  it('scores the Ollama models Aider ran, by their exact tags', () => {
    expect(editLeaderboardScore('ollama/qwen2.5-coder:32b')?.value).toBe(72.9);
    expect(editLeaderboardScore('ollama/qwen2.5-coder:14b')?.value).toBe(61.7);
    expect(editLeaderboardScore('ollama/qwen2.5-coder:7b-instruct-q8_0')?.value).toBe(51.9);
    expect(editLeaderboardScore('ollama/llama3.2:3b-instruct-fp16')?.value).toBe(26.3);
    // Another quantization is another model: no fuzzy matching.
    expect(editLeaderboardScore('ollama/qwen2.5-coder:7b')).toBeUndefined();
    expect(editLeaderboardScore('ollama/llama3.2:3b')).toBeUndefined();
  });

  it('has no ollama/qwen2.5-coder:3b: the 39.1 row ran openai/Qwen2.5-Coder-3B-Instruct on another server', () => {
    expect(editLeaderboardScore('ollama/qwen2.5-coder:3b')).toBeUndefined();
    expect(benchmarkScores('ollama/qwen2.5-coder:3b')).toEqual([]);
  });

  it('counts only complete runs of the 133 exercises', () => {
    // o1-mini has a 36-exercise diff run and a 225-exercise (polyglot-sized) run in this file too.
    const score = editLeaderboardScore('openai/o1-mini');
    expect(score?.value).toBe(70.7);
    expect(score?.row.testCases).toBe(133);
  });
});

describe('the imported data', () => {
  it('names its source and keeps every row, mapped or not', () => {
    expect(BENCHMARK_SOURCE).toEqual({
      repository: 'Aider-AI/aider',
      commit: '5dc9490bb35f9729ef2c95d00a19ccd30c26339c',
      date: '2026-05-22',
      folder: 'aider/website/_data/',
      license: 'Apache-2.0',
    });
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { rows: { benchmark: string; modelIds: string[] }[] };
    const count = (benchmark: string) => shipped.rows.filter((row) => row.benchmark === benchmark).length;
    expect([count('polyglot'), count('edit'), count('quant'), count('qwen3')]).toEqual([69, 98, 14, 10]);
  });

  it('gives every mapped id a Lodestar provider', () => {
    const shipped = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { rows: { modelIds: string[] }[] };
    const providers = new Set(shipped.rows.flatMap((row) => row.modelIds.map((id) => id.slice(0, id.indexOf('/')))));
    expect([...providers].sort()).toEqual(['anthropic', 'deepseek', 'gemini', 'groq', 'mistral', 'ollama', 'openai', 'openrouter']);
  });

  it('answers for every catalog model without throwing', () => {
    for (const entry of CATALOG) {
      const id = modelId(entry.provider, entry.model);
      const score = polyglotScore(id);
      if (score) expect(score.row.modelIds).toContain(id);
    }
  });

  it.skipIf(!DATA_DIR)(
    `regenerates the shipped JSON byte for byte from Aider's YAML ${DATA_DIR ? `in ${DATA_DIR}` : '(SKIPPED: no shared/data folder with the YAML beside the repository or at /work/shared/data)'}`,
    () => {
      const out = mkdtempSync(join(tmpdir(), 'lodestar-benchmarks-'));
      try {
        for (const name of ['first.json', 'second.json']) {
          execFileSync(process.execPath, [SCRIPT, DATA_DIR as string, join(out, name)], { stdio: 'pipe' });
        }
        const shipped = readFileSync(SHIPPED);
        expect(readFileSync(join(out, 'first.json')).equals(shipped)).toBe(true);
        expect(readFileSync(join(out, 'second.json')).equals(shipped)).toBe(true);
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  );
});
