/**
 * `plan <consortium>`: the bid plan generated back from the tender's dates, in working
 * days, one task per template step, owned by the lead organisation.
 */
import type { Ctx, Handler } from '../context.js';
import type { Consortium, PlanStep, Task, Tender } from '../domain.js';
import { planTemplate } from '../plan/plan.template.js';
import { reply, type Block, type Reply } from '../reply.js';
import { findConsortium, isOrgAdmin, plural, when } from './common.js';

const USAGE = 'plan <consortium>';

function leadOf(c: Consortium): string {
  return c.members.find((m) => m.role === 'lead')?.orgSlug ?? (c.memberSlugs[0] as string);
}

/** Where a step's date is counted from; null when the tender has no such date. */
function anchorDate(step: PlanStep, tender: Tender): Date | null {
  const d = tender.dates[step.anchor];
  return d instanceof Date && !Number.isNaN(d.getTime()) ? d : null;
}

/**
 * A step's due date: `offsetDays` working days before its anchor, at the anchor's time
 * of day. Publication is the one anchor that lies in the past of every step, so a
 * `published` step counts forwards from it.
 */
export function stepDue(ctx: Pick<Ctx, 'cal'>, step: PlanStep, anchor: Date): Date {
  return ctx.cal.addWorkingDays(anchor, step.anchor === 'published' ? step.offsetDays : -step.offsetDays);
}

interface Planned {
  step: PlanStep;
  due: Date;
  late: boolean;
}

export const planHandler: Handler = {
  path: ['plan'],
  usage: USAGE,
  summary: 'generate the bid plan of a formed consortium from its tender\'s dates',
  details: [
    'Each step of the workspace\'s plan template becomes a task owned by the lead organisation, due a number of working days before the tender\'s deadline (or its clarification deadline), skipping weekends and bank holidays.',
    'Running it again adds only the steps that are missing. Dates that have already passed are flagged. Coordinators adjust the template with `settings plan <step>=<days>,..`.',
  ],
  role: 'anyone',
  async run(ctx, args) {
    if (args.length > 1) return reply.invalid('Give just the consortium, like C-2.', USAGE);
    const found = await findConsortium(ctx, args[0]?.text, USAGE);
    if (!found.ok) return found.reply;
    const c = found.value;
    const lead = leadOf(c);
    if (!ctx.isCoordinator && !isOrgAdmin(ctx, lead)) {
      return reply.denied(`Only a coordinator or an admin of @${lead} (${c.ref}'s lead) can generate its bid plan.`);
    }
    if (c.state !== 'formed') return reply.conflict(`${c.ref} is ${c.state}; a bid plan is made once every organisation has accepted and it is formed.`);
    const tender = await ctx.data.tenders.findOne({ ref: c.tenderRef });
    if (!tender) return reply.notFound(`${c.ref}'s tender ${c.tenderRef} no longer exists, so there are no dates to plan from.`);
    // Two people running `plan` at once would both see a step missing: one plans at a time,
    // and whoever comes second finds the first one's tasks.
    return ctx.data.withLock(`plan:${c.ref}`, async () => {
      const current = await ctx.data.consortia.findOne({ ref: c.ref });
      if (!current || current.state !== 'formed') return reply.conflict(`${c.ref} changed while I was planning. Nothing was added; run \`plan ${c.ref}\` again.`);
      return generatePlan(ctx, current, tender, lead);
    });
  },
};

async function generatePlan(ctx: Ctx, c: Consortium, tender: Tender, lead: string): Promise<Reply> {
  const existing = await ctx.data.tasks.find({ consortiumRef: c.ref });
  const have = new Set(existing.map((t) => t.step).filter((s): s is string => typeof s === 'string'));
  const planned: Planned[] = [];
  const already: PlanStep[] = [];
  const undated: PlanStep[] = [];
  for (const step of planTemplate(ctx.ws.settings.planTemplate)) {
    if (have.has(step.key)) {
      already.push(step);
      continue;
    }
    const anchor = anchorDate(step, tender);
    if (!anchor) {
      undated.push(step);
      continue;
    }
    const due = stepDue(ctx, step, anchor);
    planned.push({ step, due, late: due.getTime() < ctx.now.getTime() });
  }

  const created: Task[] = [];
  for (const p of planned) {
    const ref = await ctx.data.nextRef('K');
    const res = await ctx.data.tasks.insert({
      ref, consortiumRef: c.ref, title: p.step.title, due: p.due, owner: { kind: 'org', slug: lead },
      status: 'open', step: p.step.key, latePlanned: p.late, createdBy: ctx.actor.userId, version: 1,
    });
    if (res.ok) created.push(res.value);
  }
  // The lock keeps plans of one consortium apart; the revision check also catches a
  // change made by anything else meanwhile (whoever moves it first keeps their tasks).
  if (created.length) {
    const claimed = await ctx.data.consortia.update({ ref: c.ref, rev: c.rev }, {}, { inc: { rev: 1 } });
    if (!claimed.ok || !claimed.value) {
      await ctx.data.tasks.delete({ ref: { in: created.map((t) => t.ref) } });
      return reply.conflict(`${c.ref} changed while I was planning (someone else may be generating its plan). Nothing was added; run \`plan ${c.ref}\` again.`);
    }
    await ctx.audit('plan.generate', c.ref, { added: created.map((t) => t.step), skipped: already.map((s) => s.key) });
  }
  for (const t of created) await ctx.deps.scheduler.taskChanged(ctx.ws.id, t.ref);
  await ctx.deps.scheduler.consortiumChanged(ctx.ws.id, c.ref);
  return planReply(ctx, c, tender, created, already, undated);
}

function planReply(ctx: Ctx, c: Consortium, tender: Tender, created: Task[], already: PlanStep[], undated: PlanStep[]): Reply {
  const blocks: Block[] = [{ kind: 'heading', text: `Bid plan for ${c.ref} — ${tender.ref} "${tender.title}"` }];
  blocks.push({ kind: 'text', text: `Submission deadline: ${when(ctx, tender.dates.submission)}. Dates are in working days (${ctx.ws.settings.holidays} bank holidays skipped).` });
  if (created.length) {
    blocks.push({
      kind: 'list',
      title: `Added ${plural(created.length, 'task')}`,
      items: created.map((t) => `${t.ref} ${t.title} — @${t.owner.kind === 'org' ? t.owner.slug : t.owner.id}, due ${when(ctx, t.due)}${t.latePlanned ? ' ⚠ already past' : ''}`),
    });
  } else {
    blocks.push({ kind: 'text', text: 'Nothing to add: every step of the plan is already there.' });
  }
  if (already.length) blocks.push({ kind: 'text', text: `Skipped ${plural(already.length, 'step')} already in the plan: ${already.map((s) => s.key).join(', ')}.` });
  if (undated.length) blocks.push({ kind: 'text', text: `Not added: ${undated.map((s) => s.key).join(', ')} — ${tender.ref} has no ${[...new Set(undated.map((s) => s.anchor))].join(' or ')} date. Add it to the tender and run \`plan ${c.ref}\` again.` });
  const late = created.filter((t) => t.latePlanned);
  if (late.length) {
    blocks.push({ kind: 'text', text: `⚠ ${plural(late.length, 'date')} had already passed when planned (${late.map((t) => t.ref).join(', ')}); they show as overdue. Give them a new date with \`task due <task> <date>\`.` });
  }
  if (created.length) blocks.push({ kind: 'buttons', buttons: [{ label: 'Show tasks', command: `tasks ${c.ref}` }] });
  return reply.ok(...blocks);
}
