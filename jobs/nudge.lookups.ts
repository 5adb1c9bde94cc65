/**
 * The worker's reads from MongoDB. A nudge job needs its task (or consortium and tender):
 * each is found in its workspace's whole list, read through the store's read cache and
 * shared rather than copied, so a burst of due nudges in a workspace costs one query until
 * a task changes, and a change anywhere (the revision tokens) makes the next job read the
 * list again: a nudge is never judged on a task as it was before a finished change.
 * Workspace settings and organisation contacts change rarely and are cached briefly.
 */
import type { Consortium, Task, Tender, Workspace } from '../src/core/domain.js';
import { orgContacts } from '../src/core/nudges/nudge.recipients.js';
import { SharedIndex } from '../src/core/shared-index.js';
import { nudgesDueAt, type DueNudge } from '../src/queue/nudge.source.js';
import type { SharedReadOptions, Store } from '../src/core/ports.js';

class TtlCache<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V> }>();

  constructor(private readonly ttlMs: number) {}

  get(key: string, load: () => Promise<V>): Promise<V> {
    const now = Date.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value;
    const value = load();
    if (this.ttlMs > 0) {
      if (this.entries.size > 10_000) this.entries.clear();
      this.entries.set(key, { at: now, value });
      value.catch(() => this.entries.delete(key));
    }
    return value;
  }
}

export interface LookupOptions {
  /** How long workspace settings are reused. @defaultValue 1000 */
  settingsTtlMs?: number;
  /** How long an organisation's contacts are reused. @defaultValue 5000 */
  contactsTtlMs?: number;
}

/** A workspace's records by reference, indexed once per list the cache hands out. */
class ByRef<V extends { ref: string }> {
  private readonly index = new SharedIndex<Readonly<V>, string>((v) => v.ref);

  constructor(private readonly list: (workspaceId: string) => Promise<readonly Readonly<V>[]>) {}

  async get(workspaceId: string, ref: string): Promise<Readonly<V> | null> {
    return this.index.get(await this.list(workspaceId), ref)[0] ?? null;
  }
}

export class NudgeLookups {
  private readonly tasks: ByRef<Task>;
  private readonly consortia: ByRef<Consortium>;
  private readonly tenders: ByRef<Tender>;
  private readonly workspaces: TtlCache<Workspace | null>;
  private readonly contacts: TtlCache<string[]>;
  private readonly leads: TtlCache<string | null>;

  constructor(private readonly store: Store, opts: LookupOptions = {}) {
    this.tasks = new ByRef((ws) => store.scoped(ws).tasks.findShared({}));
    this.consortia = new ByRef((ws) => store.scoped(ws).consortia.findShared({}));
    this.tenders = new ByRef((ws) => store.scoped(ws).tenders.findShared({}));
    this.workspaces = new TtlCache(opts.settingsTtlMs ?? 1_000);
    this.contacts = new TtlCache(opts.contactsTtlMs ?? 5_000);
    this.leads = new TtlCache(opts.contactsTtlMs ?? 5_000);
  }

  workspace(id: string): Promise<Workspace | null> {
    return this.workspaces.get(id, () => this.store.workspaces.get(id));
  }

  /** Shared records: read them, never change them. */
  task(workspaceId: string, ref: string): Promise<Readonly<Task> | null> {
    return this.tasks.get(workspaceId, ref);
  }

  consortium(workspaceId: string, ref: string): Promise<Readonly<Consortium> | null> {
    return this.consortia.get(workspaceId, ref);
  }

  tender(workspaceId: string, ref: string): Promise<Readonly<Tender> | null> {
    return this.tenders.get(workspaceId, ref);
  }

  /** Who hears about an organisation's work: its admins, or all its members if it has none. */
  orgContacts(workspaceId: string, slug: string): Promise<string[]> {
    return this.contacts.get(`${workspaceId}\u0000${slug}`, async () => orgContacts(await this.store.scoped(workspaceId).members.find({ orgSlug: slug })));
  }

  /**
   * The lead organisation of a consortium, for who hears about an overdue task. It says who
   * is told, not whether a nudge is owed, so like contacts it may be a few seconds old.
   */
  leadOf(workspaceId: string, consortiumRef: string): Promise<string | null> {
    return this.leads.get(`${workspaceId}\u0000${consortiumRef}`, async () => {
      const c = await this.consortia.get(workspaceId, consortiumRef);
      return c?.members.find((m) => m.role === 'lead')?.orgSlug ?? null;
    });
  }

  /**
   * The workspace's nudges due at `at` with the records they are about, as they stand now
   * (see nudgesDueAt), and its tasks, for the progress line of a countdown. Shared: read only.
   * `read.freshUntil`: when the records will be wanted again (see SharedReadOptions).
   */
  async dueAt(ws: Workspace, at: Date, read: SharedReadOptions = {}): Promise<{ due: readonly DueNudge[]; tasks: readonly Readonly<Task>[] }> {
    const data = this.store.scoped(ws.id);
    const [tasks, consortia, tenders] = await Promise.all([data.tasks.findShared({}, read), data.consortia.findShared({}, read), data.tenders.findShared({}, read)]);
    return { due: nudgesDueAt(ws, { tasks, consortia, tenders }, at), tasks };
  }

  /** Every task of the workspace, for the progress line of a countdown (shared: read only). */
  tasksOf(workspaceId: string): Promise<readonly Readonly<Task>[]> {
    return this.store.scoped(workspaceId).tasks.findShared({});
  }
}
