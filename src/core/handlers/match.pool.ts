/** Builds a matching instance from the directory: the candidate pool and the tender's model. */
import type { Ctx } from '../context.js';
import type { Cell, Consortium, Organisation, Tender } from '../domain.js';
import type { MatchInstance } from '../matching/match.types.js';
import { key } from '../parse/tokens.js';
import { orgsBySlugs, tenderInterests } from './common.js';

export type Pool = 'interested' | 'directory';

export interface PoolResult {
  instance: MatchInstance;
  orgs: Map<string, Organisation>;
  pool: Pool;
  /** Why some organisations were left out, for the reply. */
  leftOut: { declined: string[]; committed: string[]; unavailable: number };
}

export function covers(o: Organisation, c: Cell): boolean {
  return o.services.includes(c.service) && o.areas.some((a) => key(a) === key(c.area)) &&
    (!c.accreditation || o.accreditations.some((x) => key(x) === key(c.accreditation as string)));
}

/** Organisations committed to a consortium for this tender: accepted in a live one. */
export function committedSlugs(consortia: Consortium[], except?: string): Set<string> {
  const out = new Set<string>();
  for (const c of consortia) {
    if (c.ref === except || (c.state !== 'proposed' && c.state !== 'formed')) continue;
    for (const m of c.members) if (c.state === 'formed' || m.answer === 'accepted') out.add(m.orgSlug);
  }
  return out;
}

export async function buildPool(ctx: Ctx, tender: Tender, pool: Pool, top: number): Promise<PoolResult> {
  const consortiaForTender = await ctx.data.consortia.find({ tenderRef: tender.ref });
  const declined = new Set(consortiaForTender.flatMap((c) => c.members.filter((m) => m.answer === 'declined').map((m) => m.orgSlug)));
  const committed = committedSlugs(consortiaForTender);
  let orgs: Organisation[];
  if (pool === 'interested') {
    orgs = await orgsBySlugs(ctx, (await tenderInterests(ctx, tender.ref)).map((i) => i.orgSlug));
  } else {
    orgs = await ctx.data.orgs.find({});
  }
  const unavailable = orgs.filter((o) => o.unavailable).length;
  const candidates = orgs.filter((o) => !o.unavailable && !declined.has(o.slug) && !committed.has(o.slug));

  // Active bids: live consortia for other open tenders that each organisation is in.
  const openTenders = await ctx.data.tenders.find({ status: 'open' });
  const openRefs = new Set(openTenders.map((t) => t.ref).filter((r) => r !== tender.ref));
  const live = await ctx.data.consortia.find({ state: { in: ['proposed', 'formed'] } });
  const busy = new Map<string, number>();
  for (const c of live) {
    if (!openRefs.has(c.tenderRef)) continue;
    for (const m of c.members) if (c.state === 'formed' || m.answer !== 'declined') busy.set(m.orgSlug, (busy.get(m.orgSlug) ?? 0) + 1);
  }

  const instance: MatchInstance = {
    tender: {
      id: tender.ref,
      annualValue: tender.annualValue,
      leadMinIncome: tender.leadMinIncome ?? tender.annualValue,
      leadAccreditations: tender.leadAccreditations.map(key),
      maxMembers: tender.maxMembers,
      cells: tender.cells.map((c) => ({ service: c.service, area: key(c.area), ...(c.accreditation ? { accreditation: key(c.accreditation) } : {}) })),
    },
    orgs: candidates.map((o) => ({
      id: o.slug,
      services: o.services,
      areas: o.areas.map(key),
      home: key(o.home),
      income: o.income,
      canLead: o.canLead,
      accreditations: o.accreditations.map(key),
      capacity: o.capacity,
      activeBids: busy.get(o.slug) ?? 0,
      partners: o.partners,
    })),
    weights: ctx.ws.settings.weights,
    top,
  };
  return {
    instance,
    orgs: new Map(candidates.map((o) => [o.slug, o])),
    pool,
    leftOut: { declined: [...declined], committed: [...committed], unavailable },
  };
}
