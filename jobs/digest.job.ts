/**
 * The weekly digest of every formed consortium in a workspace, run by the workspace's
 * job scheduler on Monday at the start of working hours in its zone. The ledger key
 * `digest:<consortium>:<ISO week>:mon` makes each consortium's digest go out once a week
 * however often the job runs (a retry, a catch-up after an outage, two workers).
 */
import type { Queue } from 'bullmq';
import { silentLog, type CoreLog } from '../src/core/context.js';
import { digestContent, digestKey, digestMessage, digestWeek, type DigestWeek } from '../src/core/nudges/digest.policy.js';
import type { Nudge } from '../src/core/nudges/nudge.policy.js';
import { recipientsFor } from '../src/core/nudges/nudge.recipients.js';
import type { Clock, Notifier, Store } from '../src/core/ports.js';
import type { Consortium } from '../src/core/domain.js';
import { digestJobId, type MaintenanceJobData } from '../src/queue/nudge.jobs.js';
import type { NudgeLedger } from '../src/queue/nudge.ledger.js';
import { workspaceCalendar } from '../src/queue/nudge.source.js';
import type { NudgeLookups } from './nudge.lookups.js';

export interface DigestDeps {
  store: Store;
  notifier: Notifier;
  ledger: NudgeLedger;
  lookups: NudgeLookups;
  clock: Clock;
  maintenance: Queue<MaintenanceJobData>;
  log?: CoreLog;
}

/** The ledger entry of a consortium's digest, shaped as a nudge. */
export function digestNudge(c: Consortium, week: DigestWeek): Nudge {
  return { key: digestKey(c.ref, week), kind: 'digest', subject: c.ref, version: week.version, slot: 'mon', dueAt: week.sendAt, audience: 'consortium' };
}

/**
 * Sends this week's digests of one workspace. On a day off (a bank-holiday Monday) it
 * moves itself to the next working morning instead. Returns how many were sent.
 */
export async function runDigests(deps: DigestDeps, workspaceId: string): Promise<number> {
  const log = deps.log ?? silentLog;
  const ws = await deps.store.workspaces.get(workspaceId);
  if (!ws) return 0;
  const cal = workspaceCalendar(ws);
  const now = deps.clock.now();
  const week = digestWeek(now, cal);
  if (!cal.isWorkingDay(now)) {
    const at = cal.nextWorkingMorning(now);
    await deps.maintenance.add('digest', { kind: 'digest', ws: ws.id }, { jobId: digestJobId(ws.id, week.version, 'late'), delay: Math.max(0, at.getTime() - now.getTime()), removeOnComplete: true, removeOnFail: true });
    return 0;
  }
  const data = deps.store.scoped(ws.id);
  const consortia = await data.consortia.find({ state: 'formed' });
  let sent = 0;
  for (const c of consortia) {
    const nudge = digestNudge(c, week);
    const tender = await data.tenders.findOne({ ref: c.tenderRef });
    const tasks = await data.tasks.find({ consortiumRef: c.ref });
    const message = digestMessage(c, tender, digestContent(tasks, now, week), ws.settings.timezone);
    const members = c.conversationId ? [] : (await Promise.all(c.memberSlugs.map((s) => deps.lookups.orgContacts(ws.id, s)))).flat();
    const recipients = message ? recipientsFor('consortium', { owner: [], lead: [], members, ...(c.conversationId ? { conversationId: c.conversationId } : {}) }, ws.settings) : [];
    if (!message || recipients.length === 0) {
      await deps.ledger.settle(ws.id, [nudge], new Date());
      continue;
    }
    const claim = await deps.ledger.claim(ws.id, nudge, new Date());
    // A fresh claim elsewhere is that worker's to finish; a stale one is caught up by the sweeper.
    if (claim.kind !== 'mine') continue;
    try {
      for (const to of recipients) await deps.notifier.send(ws, to, message, { dueAt: week.sendAt, key: nudge.key });
      await deps.ledger.delivered(ws.id, nudge, new Date(), claim.attempts);
      sent += 1;
    } catch (err) {
      await deps.ledger.release(ws.id, nudge, claim);
      log.warn({ err, workspaceId: ws.id, consortium: c.ref }, 'weekly digest not delivered; it will be retried');
      throw err;
    }
  }
  return sent;
}

/**
 * Whether a workspace is owed a digest it has not had this week: its send time has passed
 * and some consortium formed before then has no settled digest. The sweeper uses this to
 * catch up a Monday missed while Redis was down. `known`: keys the caller has just read as
 * settled (the sweep reads every workspace's at once); only digests not among them are
 * looked up in the ledger, which on FerretDB is a scan of every workspace's records.
 */
export async function digestOwed(deps: Pick<DigestDeps, 'store' | 'ledger' | 'clock'>, workspaceId: string, known?: ReadonlySet<string>): Promise<string | null> {
  const ws = await deps.store.workspaces.get(workspaceId);
  if (!ws) return null;
  const now = deps.clock.now();
  const week = digestWeek(now, workspaceCalendar(ws));
  if (now.getTime() < week.sendAt.getTime()) return null;
  const consortia = (await deps.store.scoped(ws.id).consortia.findShared({})).filter((c) => c.state === 'formed' && c.formedAt && c.formedAt.getTime() < week.sendAt.getTime());
  if (consortia.length === 0) return null;
  const unknown = consortia.map((c) => digestKey(c.ref, week)).filter((k) => !known?.has(k));
  if (unknown.length === 0) return null;
  const settled = await deps.ledger.settledKeys(ws.id, unknown);
  return unknown.some((k) => !settled.has(k)) ? week.version : null;
}
