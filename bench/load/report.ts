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
  /** performance.now() when sent. */
  sentAt: number;
  /** Slack: the response_url a late answer goes to. */
  responseUrl?: string;
  /**
   * ms from sending to the answer being delivered: the acknowledgement when it carried the
   * answer (Slack in time, and always Teams, which answers after posting the reply), else
   * the first post to response_url. Unset while (or if never) delivered.
   */
  doneMs?: number;
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

/**
 * Completion, not acknowledgement: when each answer reached the person. Work acknowledged
 * with "working on it" keeps running after the acknowledgement; this shows whether it kept
 * up or piled up behind it.
 */
export function completion(samples: Sample[], seconds: number, windowEndMs: number): string {
  const answered = samples.filter((s) => !s.error);
  const done = answered.filter((s) => s.doneMs !== undefined);
  const ms = done.map((s) => s.doneMs as number).sort((a, b) => a - b);
  const inWindow = done.filter((s) => s.sentAt + (s.doneMs as number) <= windowEndMs).length;
  const lastAfter = Math.max(0, ...done.map((s) => s.sentAt + (s.doneMs as number) - windowEndMs));
  const late = answered.filter((s) => s.late);
  return [
    `Answers delivered: ${done.length} of ${answered.length} acknowledged (${late.length} of them late, after "working on it"); ${answered.length - done.length} never arrived.`,
    `  delivered within the measured window: ${inWindow} (${f1(inWindow / seconds)}/s); the last one ${f1(lastAfter / 1000)} s after it closed`,
    `  time to the answer: p50 ${f1(percentile(ms, 50))} ms, p95 ${f1(percentile(ms, 95))} ms, p99 ${f1(percentile(ms, 99))} ms, max ${f1(ms[ms.length - 1] ?? 0)} ms`,
    ...(late.length ? [`  late Slack answers alone: p50 ${f1(percentile(late.filter((s) => s.doneMs !== undefined).map((s) => s.doneMs as number).sort((a, b) => a - b), 50))} ms after sending`] : []),
  ].join('\n');
}

export function completionStats(samples: Sample[], seconds: number, windowEndMs: number): { p99: number; perSec: number; missing: number } {
  const answered = samples.filter((s) => !s.error);
  const done = answered.filter((s) => s.doneMs !== undefined);
  const ms = done.map((s) => s.doneMs as number).sort((a, b) => a - b);
  return { p99: percentile(ms, 99), perSec: done.filter((s) => s.sentAt + (s.doneMs as number) <= windowEndMs).length / seconds, missing: answered.length - done.length };
}
