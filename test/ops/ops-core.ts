// A core on a fresh test database with the ports the web process gives it (metrics, a
// document source for `tender import`, a public URL for links), and the commands that take
// a workspace from registration to a formed consortium.
import type { Core } from '../../src/core/app.js';
import type { CoreDeps } from '../../src/core/context.js';
import type { Reply } from '../../src/core/reply.js';
import type { MongoStore } from '../../src/store/mongo.store.js';
import { startTestCore, type FixedClock, type RecordingNotifier } from '../helpers/core.js';

export interface OpsCore {
  core: Core;
  store: MongoStore;
  clock: FixedClock;
  notifier: RecordingNotifier;
  say(workspaceId: string, userId: string, text: string): Promise<Reply & { text: string }>;
  close(): Promise<void>;
}

export type ExtraDeps = Pick<CoreDeps, 'metrics' | 'documents' | 'publicUrl'>;

export async function startOpsCore(fileUrl: string, extra: ExtraDeps = {}, now = new Date('2026-11-24T10:00:00Z')): Promise<OpsCore> {
  // The web process's default for slow matches, not the quicker one other core tests use.
  return startTestCore(fileUrl, { now, deps: { ...extra, slowMatchPool: undefined } });
}

/** Admins by organisation slug, as registered by {@link formConsortium}. */
export const ADMINS: Record<string, string> = { 'easton-wellbeing': 'ana', 'city-mind': 'bo', 'southmead-peers': 'cy' };

/**
 * Three organisations that are all needed (City Mind leads; peer support in Easton and in
 * Southmead each has one provider), tender T-1 (deadline 15 July 2027 12:00, clarifications 1 July) and
 * consortium C-1 formed for it by everyone accepting. Returns the consortium's reference.
 */
export async function formConsortium(t: OpsCore, ws: string): Promise<string> {
  await t.store.workspaces.ensure(ws, 'console', ws, 'coord');
  const must = async (user: string, text: string): Promise<Reply & { text: string }> => {
    const r = await t.say(ws, user, text);
    if (r.outcome !== 'ok') throw new Error(`${text} → ${r.outcome}: ${r.text}`);
    return r;
  };
  await must('ana', 'org register "Easton Wellbeing" income 310k services mental health, peer support areas Easton home Easton');
  await must('bo', 'org register "City Mind" income £4.2m services mental health areas Easton, Southmead home Southmead lead yes capacity 1.5m');
  await must('cy', 'org register "Southmead Peers" income 40k services peer support areas Southmead home Southmead');
  await must('coord', 'tender add "Mental health support" value 1.2m years 3 deadline 15/07/2027 12:00 clarify 01/07/2027 buyer "Bristol ICB"');
  await must('coord', 'tender need T-1 mental health in Easton, Southmead');
  await must('coord', 'tender need T-1 peer support in Easton, Southmead');
  await must('ana', 'interest T-1 as partner');
  await must('coord', 'match T-1 pool directory');
  const proposed = await must('coord', 'propose T-1 1');
  const ref = /Proposed (C-\d+)/.exec(proposed.text)?.[1];
  if (!ref) throw new Error(`no consortium in: ${proposed.text}`);
  const c = await t.store.scoped(ws).consortia.findOne({ ref });
  for (const m of c?.members ?? []) await must(ADMINS[m.orgSlug] ?? 'nobody', `accept ${ref} for ${m.orgSlug}`);
  const formed = await t.store.scoped(ws).consortia.findOne({ ref });
  if (formed?.state !== 'formed') throw new Error(`${ref} is ${formed?.state}`);
  return ref;
}
