import { defaultConfig } from '../config/defaults.js';
import { describe, expect, it } from 'vitest';
import {
  AGENTIC_FITS,
  AGENTIC_SWE_FIGURES,
  agenticQuality,
  calibratedAgentic,
  fitPoints,
  polyglotPoints,
  RECOMMENDED_AGENT_FLOOR,
  TERMINAL_BENCH_FIGURES,
  terminalBenchPoints,
} from './agentic-quality.js';
import { CATALOG, modelId } from './catalog.js';
import { DEFAULT_EVIDENCE, FLOOR_CONFIDENCE_Z } from './quality-evidence.js';

const round1 = (value: number): number => Math.round(value * 10) / 10;
const onLine = (fit: { intercept: number; slope: number }, x: number): number => round1(fit.intercept + fit.slope * x);

describe('agenticQuality', () => {
  it("takes a SWE-bench Verified figure published for exactly the id, including quality-evidence.json's", () => {
    const sonnet = agenticQuality('anthropic/claude-sonnet-4-5');
    expect(sonnet).toMatchObject({ value: 77.2, kind: 'measured' });
    expect(sonnet?.error).toBeUndefined();
    expect(sonnet?.source).toMatch(/^SWE-bench Verified 77\.2% \(Anthropic .*2025-09-29; single attempt/);
    // A figure that file keeps for its fit only, attached here by agentic-evidence.json.
    expect(agenticQuality('openai/gpt-4.1')).toMatchObject({ value: 54.6, kind: 'measured' });
    // Figures this file adds: the generally available Gemini 2.5 Pro, gpt-4o-mini (alias and snapshot).
    expect(agenticQuality('gemini/gemini-2.5-pro')).toMatchObject({ value: 59.6, kind: 'measured' });
    expect(agenticQuality('openai/gpt-4o-mini')).toMatchObject({ value: 8.7, kind: 'measured' });
    expect(agenticQuality('openai/gpt-4o-mini-2024-07-18')?.value).toBe(8.7);
  });

  it('takes a figure only at the effort a request that sets none gets', () => {
    // gpt-oss-120b: 52.6 at medium, its default, not the 62.4 at high that pairs with Aider's run.
    expect(agenticQuality('groq/openai/gpt-oss-120b')).toMatchObject({ value: 52.6, kind: 'measured' });
    // OpenAI published GPT-5 mini at high effort only (71.0): the id is calibrated instead.
    expect(agenticQuality('openai/gpt-5-mini')?.kind).toBe('calibrated');
    expect(agenticQuality('openai/o3')?.value).not.toBe(69.1);
  });

  it('resolves the shipped lineage rules on this scale, a rule that pins an Aider run through the figure paired with that run', () => {
    const openrouter = agenticQuality('openrouter/anthropic/claude-sonnet-4.5');
    expect(openrouter).toMatchObject({ value: 77.2, kind: 'lineage' });
    expect(openrouter?.source).toMatch(/^lineage claude-sonnet-4-5-on-openrouter \(same weights as anthropic\/claude-sonnet-4-5\): SWE-bench Verified 77\.2%/);
    expect(agenticQuality('groq/moonshotai/kimi-k2-instruct')).toMatchObject({ value: 65.8, kind: 'lineage' });
    // The rule pins deepseek-chat's 2025-10-03 run: DeepSeek-V3.2-Exp, whose figure pairs with that run.
    expect(agenticQuality('openrouter/deepseek/deepseek-v3.2-exp')).toMatchObject({ value: 67.8, kind: 'lineage' });
  });

  it('calibrates from Terminal-Bench 2.0 (Terminus 2) with the fit\'s leave-one-out error', () => {
    const { fit } = AGENTIC_FITS.terminalBench;
    const mini = agenticQuality('openai/gpt-5-mini');
    expect(mini).toMatchObject({ value: onLine(fit, 24), kind: 'calibrated', error: round1(fit.leaveOneOutRmse) });
    expect(mini?.source).toMatch(/^calibrated ±[\d.]+ from Terminal-Bench 2\.0 24% \(Terminus 2; the Terminal-Bench authors/);
  });

  it('calibrates from the Aider polyglot score Aider measured, and prefers the calibration with the smaller error', () => {
    const { fit } = AGENTIC_FITS.polyglot;
    const codestral = agenticQuality('mistral/codestral-latest');
    expect(codestral).toMatchObject({ value: onLine(fit, 11.1), kind: 'calibrated', error: round1(fit.leaveOneOutRmse) });
    expect(codestral?.source).toMatch(/^calibrated ±[\d.]+ from Aider polyglot 11\.1% \(Aider polyglot 2025-01-13: Codestral 25\.01/);
    // gpt-5 has both a Terminal-Bench run and Aider's measurement: the line with the smaller error wins.
    expect(AGENTIC_FITS.terminalBench.fit.leaveOneOutRmse).toBeLessThan(AGENTIC_FITS.polyglot.fit.leaveOneOutRmse);
    expect(agenticQuality('openai/gpt-5')?.source).toContain('from Terminal-Bench 2.0 35.2%');
  });

  it('never calibrates from a polyglot score that was itself calibrated from SWE-bench Verified', () => {
    // mistral-medium-latest's edit score is SWE-bench Verified put on Aider's scale; bringing it
    // back through the second line would count the same figure twice.
    expect(calibratedAgentic('mistral/mistral-medium-latest')).toBeUndefined();
  });

  it('puts successor rules after calibration, and a polyglot score a successor rule gives is no calibration input', () => {
    const flash = agenticQuality('deepseek/deepseek-flash');
    expect(flash).toMatchObject({ value: 67.8, kind: 'lineage' });
    expect(flash?.source).toContain('deepseek-flash-successor');
    expect(agenticQuality('deepseek/deepseek-v4-pro')).toMatchObject({ value: 67.8, kind: 'lineage' });
    // With the successor rule off, its polyglot 70.2 must not come back as a calibration.
    const noSuccessor = { ...DEFAULT_EVIDENCE, disabledRules: ['deepseek-flash-successor'] };
    expect(agenticQuality('deepseek/deepseek-flash', noSuccessor)).toBeUndefined();
    expect(agenticQuality('deepseek/deepseek-v4-pro', noSuccessor)).toBeUndefined();
  });

  it('respects the quality settings as shippedQuality does', () => {
    expect(agenticQuality('openrouter/anthropic/claude-sonnet-4.5', { ...DEFAULT_EVIDENCE, lineage: false })).toBeUndefined();
    expect(agenticQuality('openai/gpt-5-mini', { ...DEFAULT_EVIDENCE, calibration: false })).toBeUndefined();
    expect(agenticQuality('openai/gpt-4o')?.kind).toBe('lineage');
    expect(agenticQuality('openai/gpt-4o', { ...DEFAULT_EVIDENCE, disabledRules: ['gpt-4o-alias'] })).toBeUndefined();
    // Measured evidence does not depend on the settings.
    expect(agenticQuality('anthropic/claude-haiku-4-5', { lineage: false, calibration: false, disabledRules: [] })?.value).toBe(73.3);
  });

  it('never guesses: unknown stays unknown, local models included', () => {
    const unknown = CATALOG.map((entry) => modelId(entry.provider, entry.model)).filter((id) => agenticQuality(id) === undefined);
    expect(unknown).toEqual([
      'anthropic/claude-sonnet-5',
      'openai/o4-mini',
      'groq/llama-3.3-70b-versatile',
      'mistral/mistral-large-latest',
      'ollama/qwen2.5-coder:1.5b',
      'ollama/qwen2.5-coder:3b',
      'ollama/qwen2.5-coder:7b',
      'ollama/llama3.2:3b',
      'ollama/deepseek-coder:1.3b',
    ]);
  });

  it('works each answer out once', () => {
    expect(agenticQuality('openai/gpt-5-nano')).toBe(agenticQuality('openai/gpt-5-nano'));
  });
});

describe('the agentic data', () => {
  it('the committed fits are the fits of the committed figures (node scripts/fit-agentic-calibration.mjs)', () => {
    expect(fitPoints(terminalBenchPoints())).toEqual(AGENTIC_FITS.terminalBench.fit);
    expect(fitPoints(polyglotPoints())).toEqual(AGENTIC_FITS.polyglot.fit);
    for (const { fit, minimum } of [AGENTIC_FITS.terminalBench, AGENTIC_FITS.polyglot]) {
      // Both are good enough to use, and the error shown is the honest out-of-sample one.
      expect(fit.n).toBeGreaterThanOrEqual(minimum.n);
      expect(fit.r).toBeGreaterThanOrEqual(minimum.r);
      expect(fit.leaveOneOutRmse).toBeGreaterThan(fit.residualStandardError * 0.9);
    }
  });

  it('every figure says what it is, where it comes from and when', () => {
    for (const figure of [...AGENTIC_SWE_FIGURES, ...TERMINAL_BENCH_FIGURES]) {
      expect(figure.url, figure.name).toMatch(/^https?:\/\//);
      expect(figure.date, figure.name).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(figure.publisher.length, figure.name).toBeGreaterThan(3);
      expect(figure.setting.length, figure.name).toBeGreaterThan(3);
      expect(figure.value, figure.name).toBeGreaterThanOrEqual(0);
      expect(figure.value, figure.name).toBeLessThanOrEqual(100);
    }
    for (const figure of TERMINAL_BENCH_FIGURES) expect(['1.0', '2.0'], figure.name).toContain(figure.version);
  });

  it('an id takes at most one SWE-bench figure and one Terminal-Bench figure of the fit\'s harness', () => {
    const swe = AGENTIC_SWE_FIGURES.flatMap((figure) => figure.modelIds);
    expect(new Set(swe).size).toBe(swe.length);
    const terminal = TERMINAL_BENCH_FIGURES.filter((figure) => figure.version === '2.0' && figure.harness === 'Terminus 2').flatMap((figure) => figure.modelIds);
    expect(new Set(terminal).size).toBe(terminal.length);
    // Version 1.0 runs and other harnesses are data only: attached to no id.
    for (const figure of TERMINAL_BENCH_FIGURES) if (figure.version !== '2.0' || figure.harness !== 'Terminus 2') expect(figure.modelIds, figure.name).toEqual([]);
  });

  it('the recommended floor admits the frontier and keeps the weak and the local models out, 75% confidence applied', () => {
    const counted = (id: string): number | undefined => {
      const score = agenticQuality(id);
      return score && score.value - FLOOR_CONFIDENCE_Z * (score.error ?? 0);
    };
    const admitted = CATALOG.map((entry) => modelId(entry.provider, entry.model)).filter((id) => (counted(id) ?? -1) >= RECOMMENDED_AGENT_FLOOR);
    expect(admitted).toEqual([
      'anthropic/claude-sonnet-4-6',
      'anthropic/claude-sonnet-4-5',
      'anthropic/claude-haiku-4-5',
      'anthropic/claude-opus-4-7',
      'openai/gpt-5',
      'deepseek/deepseek-flash',
      'deepseek/deepseek-v4-pro',
      'groq/moonshotai/kimi-k2-instruct',
      'mistral/devstral-medium-latest',
      'openrouter/deepseek/deepseek-v3.2-exp',
      'openrouter/moonshotai/kimi-k2',
      'openrouter/anthropic/claude-sonnet-4.5',
    ]);
    for (const entry of CATALOG.filter((model) => model.local)) expect(admitted).not.toContain(modelId(entry.provider, entry.model));
  });

  it("is the floor the agent task ships with", () => {
    expect(defaultConfig().routing.floors.agent).toBe(RECOMMENDED_AGENT_FLOOR);
  });
});
