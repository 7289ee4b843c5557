import { createRequire } from 'node:module';

/**
 * An independent parser of Prometheus' text format (parse-prometheus-text-format, a port of
 * Prometheus' own Python client's), so that tests check /metrics against someone else's reading
 * of the format rather than our own renderer's. It loses the labels of labelled histograms (its
 * issue #13): tests read histograms as untyped series where labels matter.
 */
export interface ParsedFamily {
  name: string;
  help: string;
  type: string;
  metrics: Array<{ value?: string; labels?: Record<string, string> }>;
}

export const parsePrometheus = createRequire(import.meta.url)('parse-prometheus-text-format') as (text: string) => ParsedFamily[];
