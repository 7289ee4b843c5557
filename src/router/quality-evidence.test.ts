import { describe, expect, it } from 'vitest';
import { calibrationPairs, fitCalibration } from './calibration-fit.js';
import { CATALOG, modelId } from './catalog.js';
import { CALIBRATION, checkEvidenceSettings, DEFAULT_EVIDENCE, LINEAGE_RULES, shippedQuality, SWE_BENCH_FIGURES } from './quality-evidence.js';

describe('shippedQuality', () => {
  it("keeps Aider's exact-id measurement first", () => {
    expect(shippedQuality('openai/gpt-5')).toMatchObject({ value: 86.7, kind: 'measured' });
    expect(shippedQuality('openai/gpt-5')?.error).toBeUndefined();
  });

  it("a GA model takes its measured preview's score: gemini-2.5-pro from the 06-05 preview at default thinking", () => {
    const score = shippedQuality('gemini/gemini-2.5-pro');
    expect(score).toMatchObject({ value: 79.1, kind: 'lineage' });
    expect(score?.source).toBe(
      'lineage gemini-2.5-pro-ga (GA release of gemini/gemini-2.5-pro-preview-06-05): Aider polyglot 2025-06-06: gemini-2.5-pro-preview-06-05 (default think), diff-fenced',
    );
    // 2.5 Flash thinks by default: the rule takes the preview's thinking run, not the one with thinking off.
    expect(shippedQuality('gemini/gemini-2.5-flash')?.value).toBe(55.1);
  });

  it('an alias takes its snapshot\'s score; a rule can chain through another (v4-pro -> deepseek-flash -> deepseek-chat)', () => {
    expect(shippedQuality('openai/gpt-4o')).toMatchObject({ value: 23.1, kind: 'lineage' });
    const pro = shippedQuality('deepseek/deepseek-v4-pro');
    expect(pro).toMatchObject({ value: 70.2, kind: 'lineage' });
    expect(pro?.source).toContain('deepseek-v4-pro-alias');
    expect(pro?.source).toContain('deepseek-flash-successor');
  });

  it('calibrates a SWE-bench Verified figure onto Aider\'s scale, with the fit\'s error', () => {
    const sonnet = shippedQuality('anthropic/claude-sonnet-4-5');
    const expected = Math.round((CALIBRATION.intercept + CALIBRATION.slope * 77.2) * 10) / 10;
    expect(sonnet).toMatchObject({ value: expected, kind: 'calibrated', error: Math.round(CALIBRATION.leaveOneOutRmse * 10) / 10 });
    expect(sonnet?.source).toMatch(/^calibrated ±[\d.]+ from SWE-bench Verified 77\.2% \(Anthropic/);
    // The dated snapshot is the same model.
    expect(shippedQuality('anthropic/claude-sonnet-4-5-20250929')?.value).toBe(expected);
    // OpenRouter's Sonnet 4.5 takes it through a same-weights rule.
    expect(shippedQuality('openrouter/anthropic/claude-sonnet-4.5')).toMatchObject({ value: expected, kind: 'lineage' });
  });

  it('puts calibration before a successor rule, and each kind can be turned off', () => {
    expect(shippedQuality('deepseek/deepseek-flash')).toMatchObject({ value: 70.2, kind: 'lineage' });
    expect(shippedQuality('deepseek/deepseek-flash', { ...DEFAULT_EVIDENCE, disabledRules: ['deepseek-flash-successor'] })).toBeUndefined();
    expect(shippedQuality('gemini/gemini-2.5-pro', { ...DEFAULT_EVIDENCE, lineage: false })).toBeUndefined();
    expect(shippedQuality('anthropic/claude-haiku-4-5', { ...DEFAULT_EVIDENCE, calibration: false })).toBeUndefined();
    // Turning a rule off turns off the rules that chain through it too.
    expect(shippedQuality('deepseek/deepseek-v4-pro', { ...DEFAULT_EVIDENCE, disabledRules: ['deepseek-flash-successor'] })).toBeUndefined();
  });

  it('never guesses: a model nothing covers has no score', () => {
    expect(shippedQuality('anthropic/claude-sonnet-5')).toBeUndefined();
    expect(shippedQuality('openai/gpt-5-mini')).toBeUndefined();
    expect(shippedQuality('ollama/qwen2.5-coder:3b')).toBeUndefined();
  });

  it('names a disabled rule that does not exist', () => {
    expect(checkEvidenceSettings(DEFAULT_EVIDENCE)).toBeUndefined();
    expect(checkEvidenceSettings({ ...DEFAULT_EVIDENCE, disabledRules: ['gemini-2.5-pro-ga', 'deepseek-flash-sucessor'] })).toMatch(
      /^names "deepseek-flash-sucessor", which is no lineage rule: the rules are gemini-2\.5-pro-ga, /,
    );
  });
});

describe('the shipped data', () => {
  it('the committed calibration is the fit of the committed figures (node scripts/fit-quality-calibration.mjs)', () => {
    const pairs = calibrationPairs();
    expect(pairs.length).toBeGreaterThanOrEqual(15);
    expect(fitCalibration(pairs)).toEqual(CALIBRATION);
    // A calibration worth the name: the two benchmarks agree, and the published error says by how much they don't.
    expect(CALIBRATION.r).toBeGreaterThan(0.7);
    expect(CALIBRATION.leaveOneOutRmse).toBeGreaterThan(CALIBRATION.residualStandardError * 0.9);
  });

  it('every figure and rule says where it comes from and when; every rule points at evidence that exists', () => {
    for (const figure of SWE_BENCH_FIGURES) {
      expect(figure.url, figure.name).toMatch(/^https?:\/\//);
      expect(figure.date, figure.name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(figure.publisher.length, figure.name).toBeGreaterThan(3);
    }
    const ids = new Set<string>();
    for (const rule of LINEAGE_RULES) {
      expect(ids.has(rule.id), rule.id).toBe(false);
      ids.add(rule.id);
      expect(rule.date, rule.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(shippedQuality(rule.model), `${rule.id} gives ${rule.model} no score`).toBeDefined();
    }
  });

  it('a figure is attached to at most one model line, never to an id Aider measured, and a fitting figure to none', () => {
    for (const figure of SWE_BENCH_FIGURES) if (figure.polyglot) expect(figure.modelIds, figure.name).toEqual([]);
    const attached = SWE_BENCH_FIGURES.flatMap((figure) => figure.modelIds);
    expect(new Set(attached).size).toBe(attached.length);
    for (const id of attached) expect(shippedQuality(id)?.kind, id).not.toBe('measured');
  });

  it('every paid catalog model has evidence or a tier, and the catalog\'s flagship of each provider has evidence', () => {
    for (const entry of CATALOG) expect(['frontier', 'mid', 'small']).toContain(entry.tier);
    const covered = (id: string): boolean => shippedQuality(id) !== undefined;
    for (const id of ['anthropic/claude-sonnet-4-6', 'openai/gpt-5', 'deepseek/deepseek-flash', 'gemini/gemini-2.5-pro', 'openrouter/deepseek/deepseek-v3.2-exp', 'groq/moonshotai/kimi-k2-instruct', 'mistral/devstral-medium-latest']) {
      expect(covered(id), id).toBe(true);
    }
    expect(CATALOG.filter((entry) => !entry.local).map((entry) => modelId(entry.provider, entry.model)).filter((id) => !covered(id))).toEqual([
      'anthropic/claude-sonnet-5',
      'openai/gpt-5-mini',
      'openai/gpt-5-nano',
      'openai/o4-mini',
      'groq/llama-3.3-70b-versatile',
      'mistral/mistral-large-latest',
    ]);
  });
});
