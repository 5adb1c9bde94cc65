/** `home`: one person's view — tasks, invitations, consortia, and tenders they could join. */
import type { Ctx, Handler } from '../context.js';
import { reply, type Block } from '../reply.js';
import { formatRelative } from '../time/uk-date.js';
import { orgsBySlugs, tenderInterests, when } from './common.js';
import { covers } from './match.pool.js';
import { ownerText, tasksOwnedBy } from './task.handlers.js';

export async function homeBlocks(ctx: Ctx): Promise<Block[]> {
  const tz = ctx.ws.settings.timezone;
  const mySlugs = ctx.memberships.map((m) => m.orgSlug);
  const adminOf = ctx.memberships.filter((m) => m.role === 'admin').map((m) => m.orgSlug);
  const blocks: Block[] = [];

  const tasks = await tasksOwnedBy(ctx, ctx.actor.userId, adminOf);
  blocks.push({ kind: 'heading', text: `Your tasks (${tasks.length})` });
  if (tasks.length) {
    blocks.push({ kind: 'list', items: tasks.slice(0, 15).map((t) => `${t.due < ctx.now ? '⚠ overdue: ' : ''}${t.ref} ${t.title} — ${ownerText(t.owner)}, due ${when(ctx, t.due)} (${formatRelative(t.due, ctx.now, tz)})`) });
    blocks.push({ kind: 'buttons', buttons: tasks.slice(0, 3).map((t) => ({ label: `Done ${t.ref}`, command: `task done ${t.ref}` })) });
  } else blocks.push({ kind: 'text', text: 'Nothing on your list.' });

  const live = mySlugs.length ? await ctx.data.consortia.find({ memberSlugs: { in: mySlugs }, state: { in: ['proposed', 'formed'] } }) : [];
  const waiting = live.filter((c) => c.state === 'proposed').flatMap((c) => c.members.filter((m) => adminOf.includes(m.orgSlug) && m.answer === 'pending').map((m) => ({ c, m })));
  blocks.push({ kind: 'heading', text: `Invitations waiting for an answer (${waiting.length})` });
  if (waiting.length === 0) blocks.push({ kind: 'text', text: 'None.' });
  for (const { c, m } of waiting.slice(0, 5)) {
    blocks.push({ kind: 'text', text: `${c.ref} for ${c.tenderRef}: @${m.orgSlug} as ${m.role}, with ${c.members.filter((x) => x.orgSlug !== m.orgSlug).map((x) => '@' + x.orgSlug).join(', ')}` });
    blocks.push({ kind: 'buttons', buttons: [{ label: 'Accept', command: `accept ${c.ref} for ${m.orgSlug}`, style: 'primary' }, { label: 'Decline', command: `decline ${c.ref} for ${m.orgSlug}`, style: 'danger' }] });
  }

  const tenderRefs = [...new Set(live.map((c) => c.tenderRef))];
  const tenders = tenderRefs.length ? await ctx.data.tenders.find({ ref: { in: tenderRefs } }) : [];
  const byRef = new Map(tenders.map((t) => [t.ref, t]));
  blocks.push({ kind: 'heading', text: `Your consortia (${live.length})` });
  blocks.push(live.length
    ? { kind: 'list', items: live.slice(0, 10).map((c) => { const t = byRef.get(c.tenderRef); return `${c.ref} (${c.state}) for ${c.tenderRef}${t ? ` ${t.title} — deadline ${when(ctx, t.dates.submission)} (${formatRelative(t.dates.submission, ctx.now, tz)})` : ''}`; }) }
    : { kind: 'text', text: 'Not in a consortium yet.' });

  const myOrgs = await orgsBySlugs(ctx, mySlugs);
  const open = await ctx.data.tenders.find({ status: 'open' }, { sort: { 'dates.submission': 1 }, limit: 50 });
  // Per open tender: each tender's interest is read (and kept) on its own, so interest in
  // one tender does not make every home page read all interest again.
  const mine = new Set(mySlugs);
  const interested = mySlugs.length ? await Promise.all(open.map(async (t) => ((await tenderInterests(ctx, t.ref)).some((i) => mine.has(i.orgSlug)) ? t.ref : null))) : [];
  const already = new Set(interested.filter((r): r is string => r !== null));
  const fits = open.filter((t) => !already.has(t.ref) && (myOrgs.length === 0 || t.cells.some((c) => myOrgs.some((o) => covers(o, c)))));
  blocks.push({ kind: 'heading', text: `Open tenders ${myOrgs.length ? 'your organisations could help with' : ''} (${fits.length})`.replace('  ', ' ') });
  if (fits.length === 0) blocks.push({ kind: 'text', text: 'None right now.' });
  for (const t of fits.slice(0, 5)) {
    blocks.push({ kind: 'text', text: `${t.ref} ${t.title} — deadline ${when(ctx, t.dates.submission)} (${formatRelative(t.dates.submission, ctx.now, tz)})` });
    if (myOrgs.length) blocks.push({ kind: 'buttons', buttons: [{ label: `Interested in ${t.ref}`, command: `interest ${t.ref}` }] });
  }
  return blocks;
}

export const home: Handler = {
  path: ['home'],
  usage: 'home',
  summary: 'your tasks, invitations, consortia and tenders you could join, in one view',
  role: 'anyone',
  async run(ctx) {
    return reply.ok(...(await homeBlocks(ctx)));
  },
};
