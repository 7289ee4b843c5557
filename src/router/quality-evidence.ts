import { benchmarkScores, polyglotScore, type BenchmarkRow, type ScoreOptions } from './benchmarks.js';
import data from './data/quality-evidence.json' with { type: 'json' };
import { ConfigError } from '../shared/errors.js';
import type { QualityKind } from '../shared/model-facts.js';

/**
 * How good a model is at editing code, on Aider's polyglot scale, and how that is known:
 * - measured: Aider ran that very id (./data/aider-benchmarks.json);
 * - lineage: a rule shipped in ./data/quality-evidence.json says the id is, or follows, a model
 *   Aider measured (a GA release of a measured preview, an alias of a measured snapshot, the same
 *   weights on another host, the next model of the same line);
 * - calibrated: the model maker's (or the benchmark's own) SWE-bench Verified figure, put on
 *   Aider's scale by a straight line fitted on the models both measured, with that fit's error;
 * - config / rule: what the user's config says (a score, or `sameAs`).
 * Measured evidence comes first, then rules about the same model, then calibration, then rules
 * that only assume a successor is no worse. Nothing else: a model none of these covers has
 * unknown quality, and the router goes by its tier.
 */
export type { QualityKind };

export interface QualityScore {
  value: number;
  /** Where it comes from, in words: "Aider polyglot 2025-10-03: DeepSeek-V3.2-Exp (Chat), diff". */
  source: string;
  kind: QualityKind;
  /** For a calibrated score: the fit's typical error, in points (leave-one-out RMSE). */
  error?: number;
}

export interface LineageRule {
  /** What config's quality.disabledRules names to turn this rule off. */
  id: string;
  model: string;
  /** The id whose evidence this model takes. */
  from: string;
  kind: 'ga-of-preview' | 'alias-of-snapshot' | 'same-weights' | 'successor';
  /** The Aider run to take, when `from` has several: its results folder. */
  dirname?: string;
  /** The reasoning settings of the Aider run to take, when not the defaults. */
  settings?: ScoreOptions;
  why: string;
  source: string;
  date: string;
}

export interface SweBenchFigure {
  /** The model as its maker names it. */
  name: string;
  /** The Lodestar ids the figure is for (an alias and its dated snapshot, say). */
  modelIds: string[];
  value: number;
  /** Reasoning or thinking setting, as published. */
  setting: string;
  publisher: string;
  url: string;
  date: string;
  /** For the models Aider also measured: which of its runs pairs with the figure in the fit. */
  polyglot?: { id: string; settings?: ScoreOptions; dirname?: string };
  /** Why a figure is kept but attached to no id, or anything else to know. */
  note?: string;
}

export interface CalibrationFit {
  /** polyglot = intercept + slope x SWE-bench Verified. */
  slope: number;
  intercept: number;
  /** Models measured on both. */
  n: number;
  /** Pearson correlation of the pairs. */
  r: number;
  /** Residual standard error of the fit, in points. */
  residualStandardError: number;
  /** Root mean square error of each model predicted by the fit on the others: the error shown. */
  leaveOneOutRmse: number;
}

interface EvidenceFile {
  lineage: LineageRule[];
  calibration: { benchmark: string; target: string; fit: CalibrationFit; figures: SweBenchFigure[] };
}

const FILE = data as unknown as EvidenceFile;

export const LINEAGE_RULES: readonly LineageRule[] = FILE.lineage;
export const SWE_BENCH_FIGURES: readonly SweBenchFigure[] = FILE.calibration.figures;
export const CALIBRATION: Readonly<CalibrationFit> = FILE.calibration.fit;

/**
 * A calibrated score is uncertain by its error (taken as one standard deviation of a normal
 * spread): against a floor it counts as its value less 0.674 errors, the 25th percentile, so a
 * model passes only where it clears the floor with 75% confidence. Measured and lineage scores
 * count as they are.
 */
export const FLOOR_CONFIDENCE_Z = 0.674;

/** Config key `quality`: which kinds of shipped evidence the router believes. */
export interface EvidenceSettings {
  lineage: boolean;
  calibration: boolean;
  /** Lineage rule ids turned off one by one. */
  disabledRules: readonly string[];
}

export const DEFAULT_EVIDENCE: EvidenceSettings = { lineage: true, calibration: true, disabledRules: [] };

/** A rule can point at a model that itself takes a rule; this bounds the chain. */
const MAX_CHAIN = 4;

/** Aider's measurement of exactly this id at these settings (or the run in that folder), with where it comes from. */
export function measuredQuality(modelId: string, settings: ScoreOptions = {}, dirname?: string): QualityScore | undefined {
  const row: BenchmarkRow | undefined =
    dirname === undefined ? polyglotScore(modelId, settings)?.row : benchmarkScores(modelId).find((entry) => entry.benchmark === 'polyglot' && entry.dirname === dirname);
  return row && { value: row.passRate2, source: `Aider polyglot ${row.date}: ${row.name}, ${row.editFormat}`, kind: 'measured' };
}

/** The calibrated score of an id from its SWE-bench Verified figure, if one is shipped. */
export function calibratedQuality(modelId: string): QualityScore | undefined {
  const figure = SWE_BENCH_FIGURES.find((entry) => entry.modelIds.includes(modelId));
  if (!figure) return undefined;
  const value = round1(Math.min(100, Math.max(0, CALIBRATION.intercept + CALIBRATION.slope * figure.value)));
  const error = round1(CALIBRATION.leaveOneOutRmse);
  return {
    value,
    error,
    kind: 'calibrated',
    source: `calibrated ±${error} from SWE-bench Verified ${figure.value}% (${figure.publisher}, ${figure.date}; ${figure.setting})`,
  };
}

/**
 * The shipped evidence for an id: measured, then same-model lineage, then calibrated, then
 * successor lineage; undefined when none (or none the settings allow).
 */
export const shippedQuality = memoizedEvidence((modelId, settings) => resolveEvidence(modelId, settings, POLYGLOT_SCALE));

/** Ids come from config and Ollama's model list: bounded, but not by the catalog alone. */
const MEMO_LIMIT = 5000;

/**
 * A scale's lookup, each answer worked out once per id and settings: the data never changes
 * while the process runs, and the router asks for the same ids again and again.
 */
export function memoizedEvidence(lookup: (modelId: string, settings: EvidenceSettings) => QualityScore | undefined): (modelId: string, settings?: EvidenceSettings) => QualityScore | undefined {
  const memo = new Map<string, QualityScore | undefined>();
  return (modelId, settings = DEFAULT_EVIDENCE) => {
    const key = `${Number(settings.lineage)}${Number(settings.calibration)}${settings.disabledRules.join(',')}|${modelId}`;
    if (memo.has(key)) return memo.get(key);
    const score = lookup(modelId, settings);
    if (memo.size < MEMO_LIMIT) memo.set(key, score);
    return score;
  };
}

/** How one scale (Aider's polyglot, SWE-bench Verified) knows a model: what resolveEvidence orders. */
export interface EvidenceScale {
  measured(modelId: string): QualityScore | undefined;
  calibrated(modelId: string, settings: EvidenceSettings): QualityScore | undefined;
  /** What a rule's target gives on this scale (before it is labelled lineage). */
  inherit(rule: LineageRule, settings: EvidenceSettings, depth: number): QualityScore | undefined;
}

/**
 * The evidence for an id on a scale, in the one order both scales keep: measured, then the
 * lineage rules about the same model, then calibration, then the rules that only assume a
 * successor is no worse; a chain of rules is followed at most MAX_CHAIN deep.
 */
export function resolveEvidence(modelId: string, settings: EvidenceSettings, scale: EvidenceScale, depth = 0): QualityScore | undefined {
  const measured = scale.measured(modelId);
  if (measured) return measured;
  if (depth >= MAX_CHAIN) return undefined;
  const rules = settings.lineage ? LINEAGE_RULES.filter((rule) => rule.model === modelId && !settings.disabledRules.includes(rule.id)) : [];
  const inherit = (successors: boolean): QualityScore | undefined => {
    for (const rule of rules) {
      if ((rule.kind === 'successor') !== successors) continue;
      const base = scale.inherit(rule, settings, depth);
      if (base) return { ...base, kind: 'lineage', source: `lineage ${rule.id} (${KIND_WORDS[rule.kind]} ${rule.from}): ${base.source}` };
    }
    return undefined;
  };
  return inherit(false) ?? (settings.calibration ? scale.calibrated(modelId, settings) : undefined) ?? inherit(true);
}

const POLYGLOT_SCALE: EvidenceScale = {
  measured: (modelId) => measuredQuality(modelId),
  calibrated: (modelId) => calibratedQuality(modelId),
  inherit: (rule, settings, depth) =>
    rule.dirname !== undefined || rule.settings !== undefined ? measuredQuality(rule.from, rule.settings, rule.dirname) : resolveEvidence(rule.from, settings, POLYGLOT_SCALE, depth + 1),
};

export const KIND_WORDS: Readonly<Record<LineageRule['kind'], string>> = {
  'ga-of-preview': 'GA release of',
  'alias-of-snapshot': 'alias of',
  'same-weights': 'same weights as',
  successor: 'successor of',
};

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

/** What is wrong with config's quality.disabledRules (an id no rule has), or undefined. */
export function checkEvidenceSettings(settings: EvidenceSettings): string | undefined {
  const known = LINEAGE_RULES.map((rule) => rule.id);
  const unknown = settings.disabledRules.filter((id) => !known.includes(id));
  if (!unknown.length) return undefined;
  return `names ${unknown.map((id) => JSON.stringify(id)).join(', ')}, which ${unknown.length === 1 ? 'is no lineage rule' : 'are no lineage rules'}: the rules are ${known.join(', ')}`;
}

/**
 * Stops a command or the daemon, as any bad config value does, when quality.disabledRules names
 * a rule that does not exist (which rules exist is this module's data, not the schema's).
 */
export function assertEvidenceSettings(settings: EvidenceSettings, configFile: string): void {
  const problem = checkEvidenceSettings(settings);
  if (problem) throw new ConfigError(configFile, 'quality.disabledRules', problem);
}
