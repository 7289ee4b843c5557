import data from './data/aider-benchmarks.json' with { type: 'json' };

/**
 * Aider's published benchmark results, imported by scripts/import-aider-benchmarks.mjs into
 * ./data/aider-benchmarks.json (Apache-2.0, Aider-AI/aider; see ./data/README.md for the source,
 * the attribution, and how rows are mapped to Lodestar model ids).
 */
export type BenchmarkName = 'polyglot' | 'edit' | 'quant' | 'qwen3';

export interface BenchmarkRow {
  benchmark: BenchmarkName;
  /** The row's display name on Aider's leaderboard. */
  name: string;
  /** Aider's results folder for the run: unique within a benchmark. */
  dirname: string;
  /** The aider command the row was run with, as published. */
  command: string;
  /** The Lodestar ids ("<provider>/<model>") the row measured; empty when no Lodestar provider serves it. */
  modelIds: string[];
  editFormat: string;
  /** % of exercises passing after the second try (the leaderboard's score). */
  passRate2: number;
  /** % of exercises passing at the first try. */
  passRate1: number;
  /** % of exercises with no malformed edit response. */
  wellFormed: number;
  reasoningEffort?: string;
  thinkingTokens?: number;
  /** The editor model of an architect run, as aider named it. */
  editorModel?: string;
  editorModelIds?: string[];
  /** YYYY-MM-DD, the day of the run. */
  date: string;
  /** USD for the whole run at that day's prices; 0 means unpriced, free or self-hosted; absent when unknown. */
  totalCost?: number;
  testCases: number;
}

export interface BenchmarkSource {
  repository: string;
  commit: string;
  date: string;
  folder: string;
  license: string;
}

interface BenchmarkFile {
  source: BenchmarkSource;
  rows: BenchmarkRow[];
}

const FILE = data as BenchmarkFile;
const ROWS: readonly BenchmarkRow[] = FILE.rows;

export const BENCHMARK_SOURCE: Readonly<BenchmarkSource> = FILE.source;

/** Exercises in a full run: 225 for the polyglot benchmark, 133 for the old Python edit benchmark. */
const FULL_RUN: Readonly<Record<'polyglot' | 'edit', number>> = { polyglot: 225, edit: 133 };

/** A run that skipped a few exercises still counts; one on a different or partial set does not. */
const COMPLETE_SHARE = 0.95;

export interface ScoreOptions {
  /** The reasoning effort ("low", "medium", "high") the model runs at. */
  reasoningEffort?: string;
  /** The thinking-token budget the model runs with. */
  thinkingTokens?: number;
}

export interface Score {
  value: number;
  row: BenchmarkRow;
}

/** Every row, of any benchmark, that measured exactly this id (no aliasing, no fuzzy matching). */
export function benchmarkScores(modelId: string): BenchmarkRow[] {
  return ROWS.filter((row) => row.modelIds.includes(modelId));
}

/** The polyglot leaderboard's pass rate (second try) for this id at the given reasoning settings. */
export function polyglotScore(modelId: string, options: ScoreOptions = {}): Score | undefined {
  return score('polyglot', modelId, options);
}

/** The old Python edit benchmark's pass rate (second try); small local models were measured there. */
export function editLeaderboardScore(modelId: string, options: ScoreOptions = {}): Score | undefined {
  return score('edit', modelId, options);
}

/**
 * The row that stands for this id on one benchmark. Only complete single-model runs count
 * (architect pairs are the editor's score as much as the model's). With no options: the run at
 * the model's defaults, else the medium-effort run. With options: the run at exactly those
 * settings. Among several, the newest, since an undated id ("deepseek/deepseek-chat") answers
 * with its latest model. Nothing matching: undefined, never a guess.
 */
function score(benchmark: 'polyglot' | 'edit', modelId: string, options: ScoreOptions): Score | undefined {
  const full = FULL_RUN[benchmark];
  const runs = ROWS.filter(
    (row) =>
      row.benchmark === benchmark &&
      row.modelIds.includes(modelId) &&
      row.editorModel === undefined &&
      row.testCases <= full &&
      row.testCases >= full * COMPLETE_SHARE,
  );
  const at = (reasoningEffort: string | undefined, thinkingTokens: number | undefined): BenchmarkRow[] =>
    runs.filter((row) => row.reasoningEffort === reasoningEffort && row.thinkingTokens === thinkingTokens);

  let matching: BenchmarkRow[];
  if (options.reasoningEffort === undefined && options.thinkingTokens === undefined) {
    matching = at(undefined, undefined);
    if (!matching.length) matching = at('medium', undefined);
  } else {
    matching = at(options.reasoningEffort, options.thinkingTokens);
  }
  const row = newest(matching);
  return row && { value: row.passRate2, row };
}

/** The latest run; on the same day, the one with more exercises, then the later in the file. */
function newest(rows: readonly BenchmarkRow[]): BenchmarkRow | undefined {
  let best: BenchmarkRow | undefined;
  for (const row of rows) {
    if (!best || row.date > best.date || (row.date === best.date && row.testCases >= best.testCases)) best = row;
  }
  return best;
}
