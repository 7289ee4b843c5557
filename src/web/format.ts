// How the page writes numbers, times and lists. Money is src/shared/format.ts's formatMoney.

/** Today in a time zone, YYYY-MM-DD. */
export function todayIn(timeZone: string, now: Date = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** Every day from `from` to `to`, inclusive, YYYY-MM-DD. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const cursor = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (cursor <= end) {
    days.push(cursor.toISOString().slice(0, 10));
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}

/** "2026-05-03" → "May 3". */
export function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric' });
}

/** "2026-05" → "May 2026". */
export function monthLabel(day: string): string {
  return new Date(`${day.slice(0, 7)}-01T00:00:00Z`).toLocaleDateString('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' });
}

/** Clock time of an ISO instant in a time zone: 14:03:27. */
export function clockTime(iso: string, timeZone: string, seconds = true): string {
  return new Date(iso).toLocaleTimeString('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', ...(seconds ? { second: '2-digit' } : {}) });
}

/** An ISO instant from now: "just now", "4 min ago", "in 3 h", "2 d ago". */
export function relativeTime(iso: string, now: number = Date.now()): string {
  const delta = Math.round((Date.parse(iso) - now) / 1000);
  const seconds = Math.abs(delta);
  if (seconds < 45) return 'just now';
  const amount = seconds < 3600 ? `${Math.round(seconds / 60)} min` : seconds < 86_400 ? `${Math.round(seconds / 3600)} h` : `${Math.round(seconds / 86_400)} d`;
  return delta > 0 ? `in ${amount}` : `${amount} ago`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatPercent(value: number): string {
  return `${Math.abs(value) < 10 && !Number.isInteger(value) ? value.toFixed(1) : Math.round(value)}%`;
}

/** MiB as people read memory: 850 MiB, 5.2 GiB. */
export function formatMiB(mib: number): string {
  return mib < 1024 ? `${Math.round(mib)} MiB` : `${(mib / 1024).toFixed(1)} GiB`;
}

/** A context window in tokens: 8k, 128k, 1M. */
export function formatContext(tokens: number | undefined): string {
  if (tokens === undefined) return '–';
  if (tokens >= 1_000_000) return `${Number((tokens / 1_000_000).toFixed(1))}M`;
  return `${Math.round(tokens / 1000)}k`;
}

export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

/** Same items in the same order. */
export function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/** "a, b ,c" → ["a", "b", "c"]. */
export function parseList(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
