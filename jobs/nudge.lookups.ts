/**
 * The worker's reads from MongoDB. Loads that many concurrent jobs make at once are
 * coalesced: every task (or consortium) asked for within a few milliseconds is fetched
 * with one query per workspace, so a burst of due nudges costs a handful of queries
 * instead of one each. Workspace settings and organisation contacts change
 * rarely and are cached briefly; tasks, consortia and tenders, whose changes make a
 * nudge stale, are always read fresh.
 */
import type { Consortium, Task, Tender, Workspace } from '../src/core/domain.js';
import { orgContacts } from '../src/core/nudges/nudge.recipients.js';
import type { Store } from '../src/core/ports.js';

type Fetch<V> = (workspaceId: string, refs: string[]) => Promise<V[]>;

interface Waiting<V> {
  refs: Map<string, ((v: V | null) => void)[]>;
  rejects: ((e: unknown) => void)[];
}

/**
 * Collects `ref` lookups per workspace and runs them together a few milliseconds later.
 * A workspace has at most one query in flight, and the process at most `maxInFlight`:
 * lookups that arrive meanwhile wait and go together in the next query, so under load the
 * batches grow instead of the queries piling up on the database.
 */
class Coalescer<V extends { ref: string }> {
  private readonly waiting = new Map<string, Waiting<V>>();
  private readonly busy = new Set<string>();
  private readonly ready: string[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fetch: Fetch<V>,
    private readonly windowMs: number,
    private readonly maxInFlight: number,
  ) {}

  load(workspaceId: string, ref: string): Promise<V | null> {
    return new Promise<V | null>((resolve, reject) => {
      let w = this.waiting.get(workspaceId);
      if (!w) {
        w = { refs: new Map(), rejects: [] };
        this.waiting.set(workspaceId, w);
      }
      const list = w.refs.get(ref) ?? [];
      list.push(resolve);
      w.refs.set(ref, list);
      w.rejects.push(reject);
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.windowMs);
    });
  }

  /** Starts queries for waiting workspaces, within the limits. */
  private pump(): void {
    for (const ws of this.waiting.keys()) {
      if (!this.busy.has(ws) && !this.ready.includes(ws)) this.ready.push(ws);
    }
    while (this.busy.size < this.maxInFlight && this.ready.length) {
      const ws = this.ready.shift() as string;
      const w = this.waiting.get(ws);
      if (!w) continue;
      this.waiting.delete(ws);
      this.busy.add(ws);
      this.fetch(ws, [...w.refs.keys()]).then(
        (found) => {
          const byRef = new Map(found.map((v) => [v.ref, v]));
          for (const [ref, resolvers] of w.refs) for (const resolve of resolvers) resolve(byRef.get(ref) ?? null);
        },
        (err: unknown) => {
          for (const reject of w.rejects) reject(err);
        },
      ).finally(() => {
        this.busy.delete(ws);
        this.pump();
      });
    }
  }
}

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
  /** How long a lookup waits for others to share its query. @defaultValue 5 */
  coalesceMs?: number;
  /** Most lookup queries of one kind in flight at once. @defaultValue 8 */
  maxQueries?: number;
}

export class NudgeLookups {
  private readonly tasks: Coalescer<Task>;
  private readonly consortia: Coalescer<Consortium>;
  private readonly tenders: Coalescer<Tender>;
  private readonly workspaces: TtlCache<Workspace | null>;
  private readonly contacts: TtlCache<string[]>;
  private readonly leads: TtlCache<string | null>;

  constructor(private readonly store: Store, opts: LookupOptions = {}) {
    const window = opts.coalesceMs ?? 5;
    const limit = opts.maxQueries ?? 8;
    this.tasks = new Coalescer((ws, refs) => store.scoped(ws).tasks.find({ ref: { in: refs } }), window, limit);
    this.consortia = new Coalescer((ws, refs) => store.scoped(ws).consortia.find({ ref: { in: refs } }), window, limit);
    this.tenders = new Coalescer((ws, refs) => store.scoped(ws).tenders.find({ ref: { in: refs } }), window, limit);
    this.workspaces = new TtlCache(opts.settingsTtlMs ?? 1_000);
    this.contacts = new TtlCache(opts.contactsTtlMs ?? 5_000);
    this.leads = new TtlCache(opts.contactsTtlMs ?? 5_000);
  }

  workspace(id: string): Promise<Workspace | null> {
    return this.workspaces.get(id, () => this.store.workspaces.get(id));
  }

  task(workspaceId: string, ref: string): Promise<Task | null> {
    return this.tasks.load(workspaceId, ref);
  }

  consortium(workspaceId: string, ref: string): Promise<Consortium | null> {
    return this.consortia.load(workspaceId, ref);
  }

  tender(workspaceId: string, ref: string): Promise<Tender | null> {
    return this.tenders.load(workspaceId, ref);
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
      const c = await this.consortia.load(workspaceId, consortiumRef);
      return c?.members.find((m) => m.role === 'lead')?.orgSlug ?? null;
    });
  }

  /** Tasks of a consortium, for the progress line of a countdown. */
  consortiumTasks(workspaceId: string, consortiumRef: string): Promise<Task[]> {
    return this.store.scoped(workspaceId).tasks.find({ consortiumRef });
  }
}
