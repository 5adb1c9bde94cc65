// Latency statistics and the printed report of the load benchmark.

export interface Sample {
  platform: 'slack' | 'teams';
  type: string;
  text: string;
  /** When the request was sent, ms since the measured window opened. */
  at: number;
  ms: number;
  status: number;
  /** Why the response counts as an error, when it does. */
  error?: string;
  /** Slack acknowledged with "working on it" and answered later. */
  late?: boolean;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export interface Summary {
  count: number;
  perSec: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  errors: number;
}

export function summarise(samples: Sample[], seconds: number): Summary {
  const ms = samples.map((s) => s.ms).sort((a, b) => a - b);
  return {
    count: samples.length,
    perSec: samples.length / seconds,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    p99: percentile(ms, 99),
    max: ms[ms.length - 1] ?? 0,
    errors: samples.filter((s) => s.error).length,
  };
}

const f1 = (n: number): string => n.toFixed(1);
const pad = (s: string, n: number): string => s.padEnd(n);
const lpad = (s: string, n: number): string => s.padStart(n);

export function table(rows: [string, Summary][]): string {
  const head = `${pad('command', 18)}${lpad('count', 8)}${lpad('per s', 9)}${lpad('p50 ms', 9)}${lpad('p95 ms', 9)}${lpad('p99 ms', 9)}${lpad('max ms', 9)}${lpad('errors', 8)}`;
  const lines = rows.map(([name, s]) => `${pad(name, 18)}${lpad(String(s.count), 8)}${lpad(f1(s.perSec), 9)}${lpad(f1(s.p50), 9)}${lpad(f1(s.p95), 9)}${lpad(f1(s.p99), 9)}${lpad(f1(s.max), 9)}${lpad(String(s.errors), 8)}`);
  return [head, '-'.repeat(head.length), ...lines].join('\n');
}

/** Per-type rows, busiest first, then one row per platform and the total. */
export function report(samples: Sample[], seconds: number): string {
  const byType = new Map<string, Sample[]>();
  for (const s of samples) byType.set(s.type, [...(byType.get(s.type) ?? []), s]);
  const rows: [string, Summary][] = [...byType.entries()]
    .map(([type, list]) => [type, summarise(list, seconds)] as [string, Summary])
    .sort((a, b) => b[1].count - a[1].count);
  const platformRows: [string, Summary][] = (['slack', 'teams'] as const).map((p) => [`(${p})`, summarise(samples.filter((s) => s.platform === p), seconds)]);
  return table([...rows, ...platformRows, ['all', summarise(samples, seconds)]]);
}

export function slowest(samples: Sample[], n: number): string {
  return [...samples]
    .sort((a, b) => b.ms - a.ms)
    .slice(0, n)
    .map((s) => `  ${f1(s.ms).padStart(8)} ms  ${s.platform.padEnd(5)}  at ${(s.at / 1000).toFixed(1).padStart(5)} s  ${s.text}${s.error ? `  [${s.error}]` : ''}`)
    .join('\n');
}
