/**
 * The core's Scheduler port on BullMQ: recomputes a subject's nudges from MongoDB and
 * makes Redis hold exactly those, as delayed jobs with deterministic ids.
 *
 * Redis is only the schedule. A change made while Redis is down still succeeds: the
 * scheduler logs, returns within its command timeout, and the sweeper (which calls
 * {@link BullScheduler.syncWorkspace}) queues the nudge once Redis is back.
 */
import { Queue, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { silentLog, type CoreLog } from '../core/context.js';
import type { Workspace } from '../core/domain.js';
import { selectPending, type Nudge } from '../core/nudges/nudge.policy.js';
import { systemClock, type Clock, type Scheduler, type Store } from '../core/ports.js';
import { NUDGE_JOB_OPTIONS, NUDGE_QUEUE, SLOT_LEAD_MS, isSlotJob, nudgeJobId, nudgeSlotJobId, producerRedis, type NudgeJobData, type SingleNudgeData } from './nudge.jobs.js';
import { NudgeClaims } from './nudge.claims.js';
import { NudgeLedger, settledSince } from './nudge.ledger.js';
import { loadConsortiumNudges, loadTaskNudges, loadWorkspaceNudges } from './nudge.source.js';

export interface BullSchedulerOptions {
  store: Store;
  redisUrl: string;
  /** BullMQ key prefix, so several deployments (or test files) share one Redis. */
  prefix: string;
  clock?: Clock;
  log?: CoreLog;
  /**
   * Multiplies every delay, for demos and tests: 0.001 makes a week about ten minutes.
   * @defaultValue 1
   */
  timeScale?: number;
  /**
   * Longest a Redis call may take before the scheduler gives up on it.
   * @defaultValue 1500
   */
  commandTimeoutMs?: number;
  /** Claims older than this are taken over (see NudgeLedger). @defaultValue 60000 */
  claimTtlMs?: number;
  /**
   * A nudge due at least this long from now (real time, after `timeScale`) is queued in its
   * instant's slot job, shared with the workspace's other nudges due then; one due sooner,
   * or late, gets a job of its own (see slotInto). @defaultValue 5000
   */
  slotAheadMs?: number;
  /**
   * A slot job starts this long (real time) before its instant: the worker reads the
   * workspace's records then, while nothing is due, and waits for the instant, so its
   * nudges leave on time even when those reads are slow. @defaultValue 10000
   */
  slotLeadMs?: number;
}

class Timeout extends Error {
  readonly code = 'REDIS_TIMEOUT';
}

const DAY = 86_400_000;
/** A sweep is background work: it may wait for a busy Redis far longer than a command would. */
const SWEEP_TIMEOUT_MS = 30_000;

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

export class BullScheduler implements Scheduler {
  readonly queue: Queue<NudgeJobData>;
  readonly ledger: NudgeLedger;
  private readonly redis: Redis;
  private readonly clock: Clock;
  private readonly log: CoreLog;
  private readonly scale: number;
  private readonly timeoutMs: number;
  private readonly prefix: string;
  private readonly slotAheadMs: number;
  private readonly slotLeadMs: number;

  constructor(private readonly opts: BullSchedulerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLog;
    this.scale = opts.timeScale ?? 1;
    this.timeoutMs = opts.commandTimeoutMs ?? 1_500;
    this.prefix = opts.prefix;
    this.slotAheadMs = opts.slotAheadMs ?? 5_000;
    this.slotLeadMs = Math.max(0, opts.slotLeadMs ?? SLOT_LEAD_MS);
    this.redis = producerRedis(opts.redisUrl, this.timeoutMs);
    // The scheduler settles nudges it will not queue; marking them done in Redis too lets a
    // job queued earlier for one end at once.
    this.ledger = new NudgeLedger(opts.store, new NudgeClaims(this.redis, opts.prefix, opts.claimTtlMs ?? 60_000));
    let lastComplaint = 0;
    const complain = (err: unknown) => {
      // Reconnection errors repeat every retry; once a minute says enough.
      if (Date.now() - lastComplaint < 60_000) return;
      lastComplaint = Date.now();
      this.log.warn({ err }, 'nudge scheduler cannot reach Redis; changes are kept in MongoDB for the sweeper');
    };
    this.redis.on('error', complain);
    this.queue = new Queue<NudgeJobData>(NUDGE_QUEUE, { connection: this.redis, prefix: opts.prefix });
    this.queue.on('error', complain);
  }

  async taskChanged(workspaceId: string, taskRef: string): Promise<void> {
    await this.safely(workspaceId, taskRef, async (ws) => {
      const { nudges } = await loadTaskNudges(ws, this.opts.store.scoped(ws.id), taskRef);
      await this.syncSubject(ws, taskRef, nudges);
    });
  }

  async consortiumChanged(workspaceId: string, consortiumRef: string): Promise<void> {
    await this.safely(workspaceId, consortiumRef, async (ws) => {
      const { nudges } = await loadConsortiumNudges(ws, this.opts.store.scoped(ws.id), consortiumRef);
      await this.syncSubject(ws, consortiumRef, nudges);
    });
  }

  /**
   * After a change to a workspace's hours, zone, holidays or reminder days: every nudge
   * of the workspace moves. Never throws, like the port's methods.
   */
  async workspaceChanged(workspaceId: string): Promise<void> {
    await this.safely(workspaceId, '*', async (ws) => {
      await this.syncWorkspace(ws, 'fresh');
    });
  }

  /** The port's promise: never throw to a command, whatever Redis or MongoDB do. */
  private async safely(workspaceId: string, subject: string, work: (ws: Workspace) => Promise<void>): Promise<void> {
    try {
      const ws = await this.opts.store.workspaces.get(workspaceId);
      if (ws) await work(ws);
    } catch (err) {
      this.log.warn({ err, workspaceId, subject }, 'nudges not scheduled now; the sweeper will schedule them');
    }
  }

  /**
   * Reconciles every open task and formed consortium of a workspace with Redis, queueing
   * what is missing (in `sweep` mode, late nudges to go at once) and dropping what is
   * stale. Returns how many jobs had to be added. Throws when Redis is unreachable, so a
   * sweep can say so.
   *
   * `known` is what the ledger held as settled for this workspace a moment ago (a sweep
   * reads every workspace's at once, see NudgeLedger.settledByWorkspace). Late nudges about
   * to be sent are then checked again in the ledger itself: one may have been delivered
   * since, and after a flush of Redis nothing else would stop it going twice.
   */
  async syncWorkspace(ws: Workspace, mode: 'fresh' | 'sweep' = 'sweep', known?: ReadonlySet<string>): Promise<number> {
    await this.connected();
    const bySubject = await loadWorkspaceNudges(ws, this.opts.store.scoped(ws.id));
    const now = this.clock.now();
    const settled = known ?? (await this.ledger.settledByWorkspace([ws.id], settledSince(now))).get(ws.id) ?? new Set<string>();
    const picks = [...bySubject.entries()].map(([subject, nudges]) => ({ subject, pick: selectPending(nudges, now, settled, mode) }));
    const late = picks.flatMap((p) => p.pick.catchUp.map((n) => n.key));
    if (known && late.length) {
      const since = await this.ledger.settledKeys(ws.id, late);
      for (const p of picks) p.pick.catchUp = p.pick.catchUp.filter((n) => !since.has(n.key));
    }
    // Slots are shared between subjects: checked and added once for the whole workspace.
    const slots = new Map<string, Date>();
    let added = 0;
    for (let i = 0; i < picks.length; i += 50) {
      const counts = await Promise.all(picks.slice(i, i + 50).map(async ({ subject, pick }) => {
        if (pick.settle.length) await this.ledger.settle(ws.id, pick.settle, now);
        const single = this.slotInto(ws.id, [...pick.upcoming, ...pick.catchUp], now, slots);
        return this.reconcile(ws.id, subject, single, SWEEP_TIMEOUT_MS);
      }));
      added += counts.reduce((a, b) => a + b, 0);
    }
    return added + (await this.ensureSlots(ws.id, slots, SWEEP_TIMEOUT_MS));
  }

  /**
   * After one task or consortium changed. The ledger is not read: what is past is settled
   * (an insert that changes nothing for a nudge already delivered or settled), and what is
   * upcoming cannot have been delivered yet (a job queued again for a nudge that was, after
   * a settings change moved it, is stopped by the worker's claim, which reads the ledger).
   * On FerretDB a ledger query scans every workspace's records, which would make each task
   * command wait seconds once the ledger is large.
   */
  private async syncSubject(ws: Workspace, subject: string, nudges: Nudge[]): Promise<void> {
    const now = this.clock.now();
    const pick = selectPending(nudges, now, new Set(), 'fresh');
    if (pick.settle.length) await this.ledger.settle(ws.id, pick.settle, now);
    const slots = new Map<string, Date>();
    const single = this.slotInto(ws.id, [...pick.upcoming, ...pick.catchUp], now, slots);
    await this.reconcile(ws.id, subject, single, this.timeoutMs);
    await this.ensureSlots(ws.id, slots, this.timeoutMs);
  }

  private delayOf(n: Pick<Nudge, 'dueAt'>, now: Date): number {
    return Math.max(0, Math.round((n.dueAt.getTime() - now.getTime()) * this.scale));
  }

  private indexKey(workspaceId: string, subject: string): string {
    return `${this.prefix}:nudge-index:${workspaceId.length}:${workspaceId}:${subject}`;
  }

  /**
   * Sorts nudges by how they are queued. One due `slotAheadMs` or more from now goes in its
   * instant's slot job (added to `slots`): one job for everything the workspace owes at, say,
   * 9:00 on Monday, which works out what that is from MongoDB when the time comes. Returns
   * the rest, due sooner or late, which get a job of their own: their slot may already be
   * running, having worked out what it delivers before these nudges existed.
   */
  private slotInto(workspaceId: string, nudges: readonly Nudge[], now: Date, slots: Map<string, Date>): Nudge[] {
    const single: Nudge[] = [];
    for (const n of nudges) {
      if (this.delayOf(n, now) >= this.slotAheadMs) slots.set(nudgeSlotJobId(workspaceId, n.dueAt), n.dueAt);
      else single.push(n);
    }
    return single;
  }

  /**
   * Adds the slot jobs Redis does not hold; returns how many. A slot is never removed when
   * its nudges move, since other subjects' nudges may share it: one whose nudges have all
   * gone finds nothing owed when it runs, and ends.
   */
  private async ensureSlots(workspaceId: string, slots: ReadonlyMap<string, Date>, limitMs: number): Promise<number> {
    if (slots.size === 0) return 0;
    await this.connected();
    const entries = [...slots.entries()];
    const batch = this.redis.pipeline();
    for (const [id] of entries) batch.exists(this.queue.toKey(id));
    const found = (await within(batch.exec(), limitMs)) ?? [];
    const missing = entries.filter((_, i) => {
      const [err, n] = found[i] ?? [null, 0];
      if (err) throw err;
      return n === 0;
    });
    if (missing.length === 0) return 0;
    // Delays from the clock as the jobs go in, not as the sync began: reading the records
    // took time, and each job would fire that much late.
    const now = this.clock.now();
    const real = Date.now();
    await within(this.queue.addBulk(missing.map(([id, at]) => {
      const delay = this.delayOf({ dueAt: at }, now);
      return {
        name: 'slot',
        data: { ws: workspaceId, at: at.toISOString(), runAt: real + delay },
        opts: { ...NUDGE_JOB_OPTIONS, jobId: id, delay: Math.max(0, delay - this.slotLeadMs) },
      };
    })), limitMs * 2);
    return missing.length;
  }

  /**
   * Makes Redis hold exactly `desired` for one subject, as jobs of their own. The
   * per-subject index set is how stale jobs (an old version's, or one whose nudge is now in
   * a slot) are found without scanning the delayed set; if it is lost with Redis, stale jobs
   * that survive are refused by the worker's MongoDB check. Returns how many jobs it added.
   */
  private async reconcile(workspaceId: string, subject: string, desired: Nudge[], limitMs: number): Promise<number> {
    await this.connected();
    const idx = this.indexKey(workspaceId, subject);
    const want = new Map(desired.map((n) => [nudgeJobId(workspaceId, n.key), n]));
    const had = await within(this.redis.smembers(idx), limitMs);
    const stale = had.filter((id) => !want.has(id));
    // A job being delivered right now cannot be removed; the worker's check stops it.
    await within(Promise.all(stale.map((id) => this.queue.remove(id).catch(() => 0))), limitMs);
    const toAdd: Nudge[] = [];
    await within(Promise.all([...want.entries()].map(async ([id, n]) => {
      const job = await this.queue.getJob(id);
      if (!job) {
        toAdd.push(n);
        return;
      }
      if (!isSlotJob(job.data) && job.data.dueAt !== n.dueAt.toISOString() && (await job.isDelayed())) {
        await (job as Job<SingleNudgeData>).updateData({ ws: workspaceId, key: n.key, dueAt: n.dueAt.toISOString() });
        await job.changeDelay(this.delayOf(n, this.clock.now()));
      }
    })), limitMs * 2);
    // Delays from the clock as the jobs go in (see ensureSlots).
    const now = this.clock.now();
    if (toAdd.length) {
      await within(this.queue.addBulk(toAdd.map((n) => ({
        name: n.kind,
        data: { ws: workspaceId, key: n.key, dueAt: n.dueAt.toISOString() },
        opts: { ...NUDGE_JOB_OPTIONS, jobId: nudgeJobId(workspaceId, n.key), delay: this.delayOf(n, now) },
      }))), limitMs * 2);
    }
    const multi = this.redis.multi();
    if (stale.length) multi.srem(idx, ...stale);
    if (want.size) {
      multi.sadd(idx, ...want.keys());
      const last = Math.max(...desired.map((n) => this.delayOf(n, now)));
      multi.pexpire(idx, last + 14 * DAY);
    }
    if (stale.length || want.size) await within(multi.exec(), limitMs);
    return toAdd.length;
  }

  /**
   * Waits for the first connection (briefly), but fails at once while ioredis is between
   * reconnection attempts: Redis is known to be down, and a command should not wait.
   */
  private async connected(): Promise<void> {
    const status = this.redis.status;
    if (status === 'ready') return;
    if (status !== 'connecting' && status !== 'connect' && status !== 'wait') throw new Error(`Redis is ${status}`);
    await within(new Promise<void>((resolve) => this.redis.once('ready', () => resolve())), this.timeoutMs);
  }

  async close(): Promise<void> {
    await within(this.queue.close(), 2_000).catch(() => undefined);
    await within(this.redis.quit(), 1_000).catch(() => this.redis.disconnect());
  }
}

/** The Scheduler for the core, with the process's Redis and prefix. */
export function createScheduler(opts: BullSchedulerOptions): BullScheduler {
  return new BullScheduler(opts);
}
