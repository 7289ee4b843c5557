import data from './data/agentic-evidence.json' with { type: 'json' };
import type { ScoreOptions } from './benchmarks.js';
import { calibrationPairs, fitCalibration } from './calibration-fit.js';
import {
  DEFAULT_EVIDENCE,
  LINEAGE_RULES,
  memoizedEvidence,
  resolveEvidence,
  shippedQuality,
  SWE_BENCH_FIGURES,
  type CalibrationFit,
  type EvidenceScale,
  type EvidenceSettings,
  type LineageRule,
  type QualityScore,
  type SweBenchFigure,
} from './quality-evidence.js';

/** A quality-evidence.json figure that this scale also attaches to ids that file leaves it without. */
export interface ReusedFigure {
  /** The name of a figure in quality-evidence.json. */
  figure: string;
  /** The ids it applies to on this scale, besides the ones that file gives it. */
  modelIds: string[];
  why: string;
}

export interface TerminalBenchFigure {
  /** The model as the source names it. */
  name: string;
  version: '1.0' | '2.0';
  /** The agent the model ran in: scores differ by harness, so only one harness enters the fit. */
  harness: string;
  modelIds: string[];
  /** Percent of tasks solved, as published. */
  value: number;
  setting: string;
  publisher: string;
  url: string;
  date: string;
  /** The SWE-bench Verified figure (by name) it pairs with in the fit, if any. */
  sweBench?: string;
  note?: string;
}

export interface AgenticFit {
  from: string;
  /** Below either, the fit is not used: too few models, or the two scales disagree too much. */
  minimum: { n: number; r: number };
  /** sweBench = intercept + slope x (the other benchmark's score). */
  fit: CalibrationFit;
}

export interface AgenticEvidenceFile {
  sweBench: { reused: ReusedFigure[]; figures: SweBenchFigure[] };
  terminalBench: { figures: TerminalBenchFigure[] };
  fits: { terminalBench: AgenticFit; polyglot: AgenticFit };
  recommendedFloor: { agent: number; why: string };
}

const FILE = data as unknown as AgenticEvidenceFile;

/** The harness whose Terminal-Bench 2.0 runs enter the fit: the benchmark authors' neutral testbed. */
export const FIT_HARNESS = 'Terminus 2';

/** Every SWE-bench Verified figure on this scale: quality-evidence.json's, with the ids this file adds, then this file's. */
export function agenticSweFigures(file: AgenticEvidenceFile = FILE, reusedFrom: readonly SweBenchFigure[] = SWE_BENCH_FIGURES): SweBenchFigure[] {
  const reused = reusedFrom.map((figure) => {
    const extra = file.sweBench.reused.find((entry) => entry.figure === figure.name);
    return extra ? { ...figure, modelIds: [...figure.modelIds, ...extra.modelIds] } : figure;
  });
  for (const entry of file.sweBench.reused) {
    if (!reusedFrom.some((figure) => figure.name === entry.figure)) throw new Error(`agentic-evidence.json reuses "${entry.figure}", which quality-evidence.json does not have`);
  }
  return [...reused, ...file.sweBench.figures];
}

export const AGENTIC_SWE_FIGURES: readonly SweBenchFigure[] = agenticSweFigures();
export const TERMINAL_BENCH_FIGURES: readonly TerminalBenchFigure[] = FILE.terminalBench.figures;
export const AGENTIC_FITS: Readonly<AgenticEvidenceFile['fits']> = FILE.fits;
/** The floor this data argues for the agent task (README.md, agentic-evidence.json); config owns the floor in use. */
export const RECOMMENDED_AGENT_FLOOR: number = FILE.recommendedFloor.agent;

/** One model known on both scales: x is the other benchmark's score, y its SWE-bench Verified figure. */
export interface FitPoint {
  name: string;
  x: number;
  y: number;
}

/** The Terminal-Bench 2.0 runs in the fit's harness that name the SWE-bench figure they pair with. */
export function terminalBenchPoints(figures: readonly TerminalBenchFigure[] = TERMINAL_BENCH_FIGURES, sweFigures: readonly SweBenchFigure[] = AGENTIC_SWE_FIGURES): FitPoint[] {
  return figures
    .filter((figure) => figure.sweBench !== undefined && figure.version === '2.0' && figure.harness === FIT_HARNESS)
    .map((figure) => {
      const swe = sweFigures.find((entry) => entry.name === figure.sweBench);
      if (!swe) throw new Error(`agentic-evidence.json: Terminal-Bench ${figure.name} pairs with "${figure.sweBench}", which no SWE-bench figure is named`);
      return { name: figure.name, x: figure.value, y: swe.value };
    });
}

/** The figures that name the Aider run they pair with, as quality-evidence's own fit pairs them. */
export function polyglotPoints(sweFigures: readonly SweBenchFigure[] = AGENTIC_SWE_FIGURES): FitPoint[] {
  return calibrationPairs(sweFigures).map((pair) => ({ name: pair.name, x: pair.polyglot, y: pair.sweBench }));
}

/**
 * Least squares of y on x, with the residual standard error and the leave-one-out RMSE.
 * calibration-fit.ts already fits its `polyglot` field on its `sweBench` field; here the other
 * benchmark goes in the `sweBench` slot and SWE-bench Verified in the `polyglot` slot, so that
 * the same code fits SWE-bench Verified on the other benchmark.
 */
export function fitPoints(points: readonly FitPoint[]): CalibrationFit {
  return fitCalibration(points.map((point) => ({ name: point.name, sweBench: point.x, polyglot: point.y, polyglotSource: point.name })));
}

function usable(fit: AgenticFit): boolean {
  return fit.fit.n >= fit.minimum.n && fit.fit.r >= fit.minimum.r;
}

/** A SWE-bench Verified figure published for exactly this id. */
export function measuredAgentic(modelId: string): QualityScore | undefined {
  const figure = AGENTIC_SWE_FIGURES.find((entry) => entry.modelIds.includes(modelId));
  return figure && fromFigure(figure);
}

function fromFigure(figure: SweBenchFigure): QualityScore {
  return { value: figure.value, kind: 'measured', source: `SWE-bench Verified ${figure.value}% (${figure.publisher}, ${figure.date}; ${figure.setting})` };
}

/**
 * How good a model is as a tool-calling agent (the `agent` task: Claude Code, Codex, opencode
 * looping over tools for dozens of turns), on SWE-bench Verified's scale, percent resolved. The
 * kinds are those of quality-evidence.ts, in the same order:
 * - measured: a SWE-bench Verified figure published for exactly this id, at the settings a
 *   request that names none gets (./data/agentic-evidence.json, and the figures of
 *   ./data/quality-evidence.json, read from that file);
 * - lineage: a rule of quality-evidence.json about the same model, resolved on this scale;
 * - calibrated: the model's Terminal-Bench 2.0 figure (Terminus 2 harness), or its Aider polyglot
 *   score when measured or taken by a same-model rule, put on this scale by a straight line
 *   fitted on the models known on both, with that line's leave-one-out error;
 * - lineage again: the successor rules, last, as for edits.
 * Nothing else: a model none of these covers has unknown agentic quality.
 */
export const agenticQuality = memoizedEvidence((modelId, settings) => resolve(modelId, settings, 0));

/** This scale's evidence, in the order resolveEvidence keeps for both scales. */
const AGENTIC_SCALE: EvidenceScale = {
  measured: (modelId) => measuredAgentic(modelId),
  calibrated: (modelId, settings) => calibratedAgentic(modelId, settings),
  inherit: (rule, settings, depth) => fromRule(rule, settings, depth),
};

function resolve(modelId: string, settings: EvidenceSettings, depth: number): QualityScore | undefined {
  return resolveEvidence(modelId, settings, AGENTIC_SCALE, depth);
}

/**
 * A rule that pins one Aider run (a results folder, or reasoning settings) says the model is
 * that run's model at those settings: on this scale it takes the SWE-bench figure paired with
 * exactly that run, if one is shipped. Any other rule takes whatever evidence its target has.
 */
function fromRule(rule: LineageRule, settings: EvidenceSettings, depth: number): QualityScore | undefined {
  const pinned = rule.dirname !== undefined || rule.settings !== undefined;
  const figure = pinned ? AGENTIC_SWE_FIGURES.find((entry) => pairsWith(entry, rule)) : undefined;
  return pinned ? figure && fromFigure(figure) : resolve(rule.from, settings, depth + 1);
}

function pairsWith(figure: SweBenchFigure, rule: LineageRule): boolean {
  const run = figure.polyglot;
  return run !== undefined && run.id === rule.from && run.dirname === rule.dirname && sameSettings(run.settings, rule.settings);
}

function sameSettings(left: ScoreOptions | undefined, right: ScoreOptions | undefined): boolean {
  return left?.reasoningEffort === right?.reasoningEffort && left?.thinkingTokens === right?.thinkingTokens;
}

const SUCCESSOR_RULES: readonly string[] = LINEAGE_RULES.filter((rule) => rule.kind === 'successor').map((rule) => rule.id);

/** The calibrated score with the smaller error, from Terminal-Bench 2.0 or from Aider's polyglot benchmark. */
export function calibratedAgentic(modelId: string, settings: EvidenceSettings = DEFAULT_EVIDENCE): QualityScore | undefined {
  const candidates = [fromTerminalBench(modelId), fromPolyglot(modelId, settings)].filter((score): score is QualityScore => score !== undefined);
  return candidates.reduce<QualityScore | undefined>((best, score) => (best === undefined || (score.error ?? 0) < (best.error ?? 0) ? score : best), undefined);
}

function fromTerminalBench(modelId: string): QualityScore | undefined {
  const { terminalBench } = AGENTIC_FITS;
  if (!usable(terminalBench)) return undefined;
  const figure = TERMINAL_BENCH_FIGURES.find((entry) => entry.version === '2.0' && entry.harness === FIT_HARNESS && entry.modelIds.includes(modelId));
  if (!figure) return undefined;
  return onLine(terminalBench.fit, figure.value, `Terminal-Bench 2.0 ${figure.value}% (${figure.harness}; ${figure.publisher}, ${figure.date})`);
}

/**
 * From the polyglot score Aider measured for this id, or that a rule about the same model gives
 * it. Never from a polyglot score that was itself calibrated from SWE-bench Verified (that would
 * bring the SWE-bench figure back through a second line), nor from a successor rule, which on
 * this scale comes after calibration, as for edits.
 */
function fromPolyglot(modelId: string, settings: EvidenceSettings): QualityScore | undefined {
  const { polyglot } = AGENTIC_FITS;
  if (!usable(polyglot)) return undefined;
  const base = shippedQuality(modelId, { lineage: settings.lineage, calibration: false, disabledRules: [...settings.disabledRules, ...SUCCESSOR_RULES] });
  if (!base) return undefined;
  return onLine(polyglot.fit, base.value, `Aider polyglot ${base.value}% (${base.source})`);
}

function onLine(fit: CalibrationFit, x: number, from: string): QualityScore {
  const value = round1(Math.min(100, Math.max(0, fit.intercept + fit.slope * x)));
  const error = round1(fit.leaveOneOutRmse);
  return { value, error, kind: 'calibrated', source: `calibrated ±${error} from ${from}` };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}
