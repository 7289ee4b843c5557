/**
 * Ollama's keep_alive as milliseconds (reference/ollama-gpu.md 1.6): a number is seconds, a
 * string a Go duration ("30m", "1h30m"); negative means forever (Infinity here). The config
 * schema has already refused anything else.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function keepAliveMs(value: string | number): number {
  let ms: number;
  if (typeof value === 'number') ms = value * 1000;
  else {
    const sign = value.startsWith('-') ? -1 : 1;
    ms = 0;
    for (const match of value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) ms += Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0);
    ms *= sign;
  }
  return ms < 0 ? Infinity : ms;
}
