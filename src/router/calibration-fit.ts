import { measuredQuality, SWE_BENCH_FIGURES, type CalibrationFit, type SweBenchFigure } from './quality-evidence.js';

/** One model measured on both benchmarks: the points the calibration is fitted on. */
export interface CalibrationPair {
  name: string;
  sweBench: number;
  polyglot: number;
  /** The Aider run it pairs with. */
  polyglotSource: string;
}

/**
 * The pairs: every shipped SWE-bench Verified figure that names an Aider run, with that run's
 * pass rate. A named run Aider does not have is an error in the data, not a pair to skip.
 */
export function calibrationPairs(figures: readonly SweBenchFigure[] = SWE_BENCH_FIGURES): CalibrationPair[] {
  const pairs: CalibrationPair[] = [];
  for (const figure of figures) {
    if (!figure.polyglot) continue;
    const { id, settings, dirname } = figure.polyglot;
    const measured = measuredQuality(id, settings ?? {}, dirname);
    if (!measured) throw new Error(`quality-evidence.json: ${figure.name} pairs with ${id}${dirname ? ` (${dirname})` : ''}, which Aider did not measure so`);
    pairs.push({ name: figure.name, sweBench: figure.value, polyglot: measured.value, polyglotSource: measured.source });
  }
  return pairs;
}

/**
 * Ordinary least squares of the polyglot score on the SWE-bench Verified figure, with its
 * residual standard error and the leave-one-out RMSE (each pair predicted by the line fitted on
 * the others): the error a calibrated score is shown with, since it is how far a model outside
 * the fit typically lands from its line.
 */
export function fitCalibration(pairs: readonly CalibrationPair[]): CalibrationFit {
  if (pairs.length < 3) throw new Error(`a calibration needs at least 3 pairs, got ${pairs.length}`);
  const line = fitLine(pairs);
  let squared = 0;
  let looSquared = 0;
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index] as CalibrationPair;
    squared += (pair.polyglot - (line.intercept + line.slope * pair.sweBench)) ** 2;
    const others = fitLine(pairs.filter((_, other) => other !== index));
    looSquared += (pair.polyglot - (others.intercept + others.slope * pair.sweBench)) ** 2;
  }
  return {
    slope: round4(line.slope),
    intercept: round4(line.intercept),
    n: pairs.length,
    r: round4(line.r),
    residualStandardError: round4(Math.sqrt(squared / (pairs.length - 2))),
    leaveOneOutRmse: round4(Math.sqrt(looSquared / pairs.length)),
  };
}

function fitLine(pairs: readonly CalibrationPair[]): { slope: number; intercept: number; r: number } {
  const n = pairs.length;
  const meanX = pairs.reduce((sum, pair) => sum + pair.sweBench, 0) / n;
  const meanY = pairs.reduce((sum, pair) => sum + pair.polyglot, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const pair of pairs) {
    sxx += (pair.sweBench - meanX) ** 2;
    sxy += (pair.sweBench - meanX) * (pair.polyglot - meanY);
    syy += (pair.polyglot - meanY) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX, r: sxy / Math.sqrt(sxx * syy) };
}

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
