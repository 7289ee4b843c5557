import { createHash } from 'node:crypto';

/**
 * Wire details of Ollama's native API (/work/shared/reference/ollama-gpu.md, sections 0-4).
 */

export const OLLAMA_VERSION = '0.33.0';
export const JSON_TYPE = 'application/json; charset=utf-8'; // gin's c.JSON
export const NDJSON_TYPE = 'application/x-ndjson';
/** 1.1: below 24 GiB of VRAM the default context is 4k. */
export const DEFAULT_NUM_CTX = 4096;
export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export interface OllamaModelSpec {
  name: string;
  /** Loaded size (weights + KV cache + graph) at the default context of 4096, as /api/ps shows it. */
  sizeBytes: number;
  parameterSize?: string;
  family?: string;
  quantization?: string;
  capabilities?: string[];
  /** On-disk size, as /api/tags shows it; defaults to ~80% of sizeBytes. */
  diskBytes?: number;
}

export interface CatalogModel {
  name: string;
  sizeBytes: number;
  diskBytes: number;
  parameterSize: string;
  family: string;
  quantization: string;
  capabilities: string[];
  digest: string;
  modifiedAt: number;
}

/**
 * Section 8's table: loaded sizes at ctx 4096 (llama3.2:3b verbatim from /api/ps, the others the
 * table's figures), disk sizes from `ollama list`, and the 12-hex digest ids it quotes.
 */
export const DEFAULT_MODELS: ReadonlyArray<OllamaModelSpec & { digestPrefix?: string }> = [
  { name: 'qwen2.5-coder:1.5b', sizeBytes: 1_228_800_000, diskBytes: 986_061_892, parameterSize: '1.5B', family: 'qwen2', quantization: 'Q4_K_M', capabilities: ['completion', 'tools', 'insert'], digestPrefix: 'd7372fd82851' },
  { name: 'qwen2.5-coder:3b', sizeBytes: 2_500_000_000, diskBytes: 1_929_912_432, parameterSize: '3.1B', family: 'qwen2', quantization: 'Q4_K_M', capabilities: ['completion', 'tools', 'insert'], digestPrefix: 'f72c60cabf62' },
  { name: 'llama3.2:3b', sizeBytes: 3_367_856_128, diskBytes: 2_019_393_189, parameterSize: '3.2B', family: 'llama', quantization: 'Q4_K_M', capabilities: ['completion', 'tools'], digestPrefix: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72' },
  { name: 'qwen2.5-coder:7b', sizeBytes: 5_500_000_000, diskBytes: 4_683_087_332, parameterSize: '7.6B', family: 'qwen2', quantization: 'Q4_K_M', capabilities: ['completion', 'tools', 'insert'], digestPrefix: 'dae161e27b0e' },
];

export function toCatalog(specs: ReadonlyArray<OllamaModelSpec & { digestPrefix?: string }>): CatalogModel[] {
  return specs.map((spec, index) => {
    const name = normalizeModelName(spec.name);
    const hash = createHash('sha256').update(name).digest('hex');
    const prefix = spec.digestPrefix ?? '';
    return {
      name,
      sizeBytes: spec.sizeBytes,
      diskBytes: spec.diskBytes ?? Math.round(spec.sizeBytes * 0.8),
      parameterSize: spec.parameterSize ?? '3B',
      family: spec.family ?? 'llama',
      quantization: spec.quantization ?? 'Q4_K_M',
      capabilities: spec.capabilities ?? ['completion', 'tools'],
      digest: prefix + hash.slice(prefix.length),
      modifiedAt: Date.UTC(2026, 9, 1 + index, 17, 37, 44, 706),
    };
  });
}

/** 0: "Model names model:tag, tag defaults to latest". */
export function normalizeModelName(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

/** Go's int64 max in ns (292 years): what a negative keep_alive becomes (1.6). */
export const FOREVER_MS = 9_223_372_036_854.775807;

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * keep_alive exactly per 1.6: a JSON number is whole seconds (Go truncates the float), a string
 * goes through Go's time.ParseDuration (a unitless "3600" fails), any negative value means forever.
 * Returns milliseconds (Infinity = forever), undefined when absent, or Go's error text.
 */
export function parseKeepAlive(value: unknown): { ms: number | undefined } | { error: string } {
  if (value === undefined || value === null) return { ms: undefined };
  if (typeof value === 'number') return { ms: value < 0 ? Infinity : Math.trunc(value) * 1000 };
  if (typeof value !== 'string') return { error: `Unsupported type: '${typeof value === 'boolean' ? 'bool' : typeof value}'` };
  const parsed = parseGoDuration(value);
  if ('error' in parsed) return parsed;
  return { ms: parsed.ms < 0 ? Infinity : parsed.ms };
}

function parseGoDuration(text: string): { ms: number } | { error: string } {
  const quoted = JSON.stringify(text);
  let rest = text;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    sign = rest.startsWith('-') ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === '0') return { ms: 0 };
  if (rest === '') return { error: `time: invalid duration ${quoted}` };
  let total = 0;
  while (rest) {
    const number = /^(\d*)(\.\d*)?/.exec(rest);
    const digits = number?.[0] ?? '';
    if (digits === '' || digits === '.') return { error: `time: invalid duration ${quoted}` };
    rest = rest.slice(digits.length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? '';
    if (unit === '') return { error: `time: missing unit in duration ${quoted}` };
    const factor = UNIT_MS[unit];
    if (factor === undefined) return { error: `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}` };
    total += Number(digits) * factor;
    rest = rest.slice(unit.length);
  }
  return { ms: sign * total };
}

/**
 * Go's RFC3339Nano: fraction trimmed of trailing zeros, "Z" for a zero offset, otherwise the
 * machine's local offset (/api/ps prints local time, 2.1; created_at uses UTC, 1.2).
 */
export function formatGoTime(epochMs: number, zone: 'utc' | 'local'): string {
  const whole = Math.floor(epochMs);
  const offsetMinutes = zone === 'local' ? -new Date(whole).getTimezoneOffset() : 0;
  const shifted = new Date(whole + offsetMinutes * 60_000);
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  const date = `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())}`;
  const time = `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())}`;
  const nanos = Math.round((epochMs - Math.floor(epochMs / 1000) * 1000) * 1e6);
  const fraction = nanos > 0 ? `.${String(Math.min(nanos, 999_999_999)).padStart(9, '0').replace(/0+$/, '')}` : '';
  const offset = offsetMinutes === 0 ? 'Z' : `${offsetMinutes > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(offsetMinutes) / 60))}:${pad(Math.abs(offsetMinutes) % 60)}`;
  return `${date}T${time}${fraction}${offset}`;
}

/** Wall-clock time with sub-millisecond digits, as Go timestamps carry. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export function details(model: CatalogModel): Record<string, unknown> {
  return { parent_model: '', format: 'gguf', family: model.family, families: [model.family], parameter_size: model.parameterSize, quantization_level: model.quantization };
}

/** 2.2: one /api/tags entry. */
export function tagEntry(model: CatalogModel): Record<string, unknown> {
  return { name: model.name, model: model.name, modified_at: formatGoTime(model.modifiedAt, 'local'), size: model.diskBytes, digest: model.digest, details: details(model) };
}

/** The start of the qwen2.5-coder library template (twinnydotdev/twinny#317), its chat branch cut to the prompt alone. */
const FIM_TEMPLATE = '{{- if .Suffix }}<|fim_prefix|>{{ .Prompt }}<|fim_suffix|>{{ .Suffix }}<|fim_middle|>{{- else }}{{ .Prompt }}{{- end }}';

/** 2.3: /api/show for a model (omitempty fields left out). */
export function showBody(model: CatalogModel): Record<string, unknown> {
  const contextLength = model.family === 'llama' ? 131072 : 32768;
  const parameterCount = Math.round(parseFloat(model.parameterSize) * (model.parameterSize.endsWith('M') ? 1e6 : 1e9));
  // A model has "insert" exactly when its template uses .Suffix (vscode-extension.md 3.2): the qwen2.5-coder shape.
  const template = model.capabilities.includes('insert') ? FIM_TEMPLATE : '{{ .Prompt }}';
  return {
    modelfile: `# Modelfile generated by "ollama show"\n# To build a new Modelfile based on this, replace FROM with:\n# FROM ${model.name}\n\nFROM /root/.ollama/models/blobs/sha256-${model.digest}\nTEMPLATE """${template}"""\n`,
    parameters: 'temperature                    0.7',
    template,
    details: details(model),
    model_info: {
      'general.architecture': model.family,
      'general.parameter_count': parameterCount,
      'general.quantization_version': 2,
      [`${model.family}.context_length`]: contextLength,
    },
    capabilities: model.capabilities,
    modified_at: formatGoTime(model.modifiedAt, 'local'),
  };
}

/** Nanosecond durations of one generation; zero ones vanish from the wire (omitempty, 1.2). */
export interface GenerationMetrics {
  totalDuration: bigint;
  loadDuration: bigint;
  promptEvalCount: number;
  promptEvalDuration: bigint;
  evalCount: number;
  evalDuration: bigint;
}

export function metricsFields(metrics: GenerationMetrics): Record<string, number> {
  const fields: Record<string, number> = {
    total_duration: Number(metrics.totalDuration),
    load_duration: Number(metrics.loadDuration),
    prompt_eval_count: metrics.promptEvalCount,
    prompt_eval_duration: Number(metrics.promptEvalDuration),
    eval_count: metrics.evalCount,
    eval_duration: Number(metrics.evalDuration),
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value > 0));
}

/** One NDJSON line: a JSON object and "\n" (section 0). */
export function ndjsonLine(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}
