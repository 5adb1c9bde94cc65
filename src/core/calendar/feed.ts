/** A person's calendar feed: their open tasks and their consortia's tender deadlines. */
import type { Store } from '../ports.js';
import { buildIcs, type IcsEvent } from './ics.js';

export async function calendarFeed(store: Store, token: string, now: Date, publicUrl?: string): Promise<string | null> {
  const owner = await store.calendarOwner(token);
  if (!owner) return null;
  const ws = await store.workspaces.get(owner.workspaceId);
  if (!ws) return null;
  const data = store.scoped(ws.id);
  const memberships = await data.members.find({ userId: owner.userId });
  const slugs = memberships.map((m) => m.orgSlug);
  const adminOf = memberships.filter((m) => m.role === 'admin').map((m) => m.orgSlug);
  const [mine, orgs] = await Promise.all([
    data.tasks.find({ 'owner.kind': 'user', 'owner.id': owner.userId, status: 'open' }),
    adminOf.length ? data.tasks.find({ 'owner.kind': 'org', 'owner.slug': { in: adminOf }, status: 'open' }) : Promise.resolve([]),
  ]);
  const events: IcsEvent[] = [...mine, ...orgs].map((t) => ({
    uid: `${ws.id}-${t.ref}@consortia`,
    title: `${t.ref} ${t.title} (${t.consortiumRef})`,
    start: t.due,
    description: `Task for consortium ${t.consortiumRef}. Mark it done in chat: task done ${t.ref}`,
  }));
  const consortia = slugs.length ? await data.consortia.find({ memberSlugs: { in: slugs }, state: { in: ['proposed', 'formed'] } }) : [];
  const tenderRefs = [...new Set(consortia.map((c) => c.tenderRef))];
  const tenders = tenderRefs.length ? await data.tenders.find({ ref: { in: tenderRefs }, status: 'open' }) : [];
  for (const t of tenders) {
    events.push({ uid: `${ws.id}-${t.ref}-submission@consortia`, title: `Bid deadline: ${t.title} (${t.ref})`, start: t.dates.submission, description: `Submission deadline for ${t.ref}${t.buyer ? `, ${t.buyer}` : ''}.`, remindDaysBefore: 2 });
    if (t.dates.clarification) events.push({ uid: `${ws.id}-${t.ref}-clarification@consortia`, title: `Clarification questions due: ${t.title} (${t.ref})`, start: t.dates.clarification });
  }
  return buildIcs({ calendarName: `Consortia — ${ws.name}`, timezone: ws.settings.timezone, events, now, ...(publicUrl ? {} : {}) });
}
