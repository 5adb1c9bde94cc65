/**
 * Keeps messages to one Teams conversation under the Bot Connector's per-thread limits,
 * by reserving each send the earliest moment at which every window still has room. A
 * 429 is the backstop (other processes share the limit); pacing keeps it rare.
 */

/** At most `max` sends in any `ms` milliseconds. */
export interface RateWindow {
  ms: number;
  max: number;
}

/** Teams' limits per bot per conversation (thread): 7 a second, 8 in 2 s, 60 in 30 s, 1800 an hour. */
export const TEAMS_THREAD_LIMITS: readonly RateWindow[] = [
  { ms: 1_000, max: 7 },
  { ms: 2_000, max: 8 },
  { ms: 30_000, max: 60 },
  { ms: 3_600_000, max: 1_800 },
];

/**
 * Extra spacing added to every window when the transport paces real sends: Teams counts
 * messages as they arrive, and a send that leaves late (a busy event loop, a slow
 * connection) would otherwise arrive inside the window of the ones after it.
 */
export const PACING_MARGIN_MS = 150;

/** Every this many reservations, conversations idle for the longest window are forgotten. */
const SWEEP_EVERY = 1_000;

export class Pacer {
  private readonly sent = new Map<string, number[]>();
  private readonly longest: number;
  private reservations = 0;

  constructor(
    private readonly windows: readonly RateWindow[] = TEAMS_THREAD_LIMITS,
    private readonly now: () => number = Date.now,
    private readonly marginMs = 0,
  ) {
    this.longest = Math.max(0, ...windows.map((w) => w.ms)) + marginMs;
  }

  /**
   * Reserves the next send to `key` and returns how long to wait before sending (ms).
   * Reservations are kept in order, so sends to one conversation leave first come, first served.
   */
  reserve(key: string): number {
    const t = this.now();
    if (++this.reservations % SWEEP_EVERY === 0) this.sweep(t);
    const list = this.sent.get(key) ?? [];
    while (list.length && (list[0] as number) <= t - this.longest) list.shift();
    let at = Math.max(t, list[list.length - 1] ?? t);
    for (const w of this.windows) {
      if (list.length >= w.max) at = Math.max(at, (list[list.length - w.max] as number) + w.ms + this.marginMs);
    }
    list.push(at);
    this.sent.set(key, list);
    return at - t;
  }

  private sweep(t: number): void {
    for (const [key, list] of this.sent) {
      if ((list[list.length - 1] ?? 0) <= t - this.longest) this.sent.delete(key);
    }
  }
}
