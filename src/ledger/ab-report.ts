import { ledgerFile, ledgerMonths } from './ledger-writer.js';
import type { RequestEvent } from './request-event.js';
import { readLines } from './session.js';
import type { AbReport, ArmReport } from '../shared/experiment-facts.js';

/** Below this many edits in an arm, no verdict on the apply rate is given. */
export const MIN_EDITS = 20;
const Z95 = 1.96;

export type { AbReport, ArmReport };


/** The ledger's events of one experiment (tagged ab.experiment), from the month it started on. */
export function experimentEvents(directory: string, experiment: string, startedAt: string): RequestEvent[] {
  const fromMonth = startedAt.slice(0, 7);
  const events: RequestEvent[] = [];
  for (const month of ledgerMonths(directory)) {
    if (month < fromMonth) continue;
    for (const line of readLines(ledgerFile(directory, month))) {
      if (!line.includes(experiment)) continue;
      try {
        const event = JSON.parse(line) as RequestEvent;
        if (event.ab?.experiment === experiment) events.push(event);
      } catch {
        // a torn line
      }
    }
  }
  return events;
}

/**
 * Each arm's requests, cost, tokens, latency, fallbacks, edits and how many did not apply, and
 * the user's ratings; then a verdict in words, or "not enough data yet" until each arm has
 * MIN_EDITS edits. Apply rates are compared with a two-proportion z-test, costs by their 95%
 * intervals.
 */
export function abReport(events: readonly RequestEvent[], models: readonly [string, string], ratings: ReadonlyArray<{ arm: 'a' | 'b'; verdict: 'good' | 'bad' }>): AbReport {
  const arms = (['a', 'b'] as const).map((arm, index) => armReport(arm, models[index] as string, events.filter((event) => event.ab?.arm === arm), ratings.filter((rating) => rating.arm === arm))) as [ArmReport, ArmReport];
  const [a, b] = arms;
  const enoughData = a.edits >= MIN_EDITS && b.edits >= MIN_EDITS;
  return { arms, enoughData, verdict: enoughData ? verdict(a, b) : `not enough data yet: ${a.edits} edits on A and ${b.edits} on B, and a verdict wants ${MIN_EDITS} on each` };
}

function armReport(arm: 'a' | 'b', model: string, events: readonly RequestEvent[], ratings: ReadonlyArray<{ verdict: 'good' | 'bad' }>): ArmReport {
  const edits = events.filter((event) => event.task === 'edit');
  const failedEdits = events.filter((event) => event.editFailed).length;
  const latencies = events.map((event) => event.latencyMs).sort((x, y) => x - y);
  const applyRate = edits.length ? Math.max(0, 1 - failedEdits / edits.length) : undefined;
  const editCosts = edits.map((event) => event.costUsd).filter((cost): cost is number => cost !== undefined);
  return {
    arm,
    model,
    sessions: new Set(events.map((event) => event.session ?? '-')).size,
    requests: events.length,
    costUsd: events.reduce((sum, event) => sum + (event.costUsd ?? 0), 0),
    inputTokens: events.reduce((sum, event) => sum + (event.usage.inputTokens ?? 0), 0),
    outputTokens: events.reduce((sum, event) => sum + (event.usage.outputTokens ?? 0), 0),
    latencyP50Ms: latencies.length ? latencies[Math.floor((latencies.length - 1) / 2)] : undefined,
    fellBack: events.filter((event) => event.fallbacks.length > 0).length,
    edits: edits.length,
    failedEdits,
    applyRate,
    applyInterval: applyRate === undefined ? undefined : wilson(edits.length - Math.min(failedEdits, edits.length), edits.length),
    costPerEdit: editCosts.length ? meanInterval(editCosts) : undefined,
    ratings: { good: ratings.filter((rating) => rating.verdict === 'good').length, bad: ratings.filter((rating) => rating.verdict === 'bad').length },
  };
}

function verdict(a: ArmReport, b: ArmReport): string {
  const pct = (value: number | undefined): string => (value === undefined ? '?' : `${(value * 100).toFixed(0)}%`);
  const money = (value: number): string => `$${value < 0.01 ? value.toPrecision(2) : value.toFixed(4)}`;
  const parts: string[] = [];
  const z = twoProportionZ(a, b);
  let better: ArmReport | undefined;
  if (z !== undefined && Math.abs(z) >= Z95) {
    better = z > 0 ? a : b;
    const worse = better === a ? b : a;
    parts.push(`${label(better)}'s edits apply more often (${pct(better.applyRate)} against ${pct(worse.applyRate)}, p < 0.05)`);
  } else {
    parts.push(`the edits apply about as often (${pct(a.applyRate)} on A, ${pct(b.applyRate)} on B: no difference at 95%)`);
  }
  let cheaper: ArmReport | undefined;
  if (a.costPerEdit && b.costPerEdit) {
    if (a.costPerEdit.interval[1] < b.costPerEdit.interval[0]) cheaper = a;
    else if (b.costPerEdit.interval[1] < a.costPerEdit.interval[0]) cheaper = b;
    if (cheaper) {
      const other = cheaper === a ? b : a;
      parts.push(`${label(cheaper)} is cheaper (${money(cheaper.costPerEdit?.mean ?? 0)} against ${money(other.costPerEdit?.mean ?? 0)} an edit)`);
    } else parts.push('their cost an edit is about the same');
  }
  const prefer = better && cheaper && better !== cheaper ? undefined : (better ?? cheaper);
  const advice = prefer ? `: prefer ${label(prefer)} (${prefer.model})` : better && cheaper ? ': the better one costs more, your call' : ': no reason yet to prefer either';
  const sentence = parts.join(', and ');
  return `${sentence.charAt(0).toUpperCase()}${sentence.slice(1)}${advice}.`;
}

const label = (arm: ArmReport): string => (arm.arm === 'a' ? 'A' : 'B');

/** Positive when A applies more often. */
function twoProportionZ(a: ArmReport, b: ArmReport): number | undefined {
  if (!a.edits || !b.edits || a.applyRate === undefined || b.applyRate === undefined) return undefined;
  const pooled = (a.applyRate * a.edits + b.applyRate * b.edits) / (a.edits + b.edits);
  const error = Math.sqrt(pooled * (1 - pooled) * (1 / a.edits + 1 / b.edits));
  if (error === 0) return a.applyRate === b.applyRate ? 0 : Math.sign(a.applyRate - b.applyRate) * Infinity;
  return (a.applyRate - b.applyRate) / error;
}

/** The 95% Wilson score interval of `successes` in `trials`. */
export function wilson(successes: number, trials: number): [number, number] {
  const p = successes / trials;
  const z2 = Z95 * Z95;
  const center = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials))) / (1 + z2 / trials);
  return [Math.max(0, center - half), Math.min(1, center + half)];
}

function meanInterval(values: readonly number[]): { mean: number; interval: [number, number] } {
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1) : 0;
  const half = Z95 * Math.sqrt(variance / values.length);
  return { mean, interval: [mean - half, mean + half] };
}
