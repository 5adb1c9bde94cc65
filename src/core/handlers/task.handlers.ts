/** Bid tasks: add, done, re-date, assign, snooze, and the lists people work from. */
import type { Ctx, Handler } from '../context.js';
import type { Consortium, Task, TaskOwner } from '../domain.js';
import { keywordArgs, tokenize, type Token } from '../parse/tokens.js';
import { reply, type Block, type Reply } from '../reply.js';
import { applyDuration, formatRelative, parseDuration, parseUkDate } from '../time/uk-date.js';
import { clip, dateArg, findConsortium, findOrg, findTask, mention, userFrom, when } from './common.js';

/** Coordinators and members of any organisation in the consortium may work on its tasks. */
export function canWorkOn(ctx: Ctx, c: Consortium): boolean {
  return ctx.isCoordinator || ctx.memberships.some((m) => c.memberSlugs.includes(m.orgSlug));
}

export function ownerText(owner: TaskOwner): string {
  return owner.kind === 'user' ? mention(owner.id) : `@${owner.slug}`;
}

async function ownerFrom(ctx: Ctx, tokens: Token[], c: Consortium, usage: string): Promise<{ ok: true; owner: TaskOwner } | { ok: false; reply: Reply }> {
  const first = tokens[0];
  if (!first) return { ok: false, reply: reply.invalid('Say who should own it: @person or an organisation.', usage) };
  if (tokens.length === 1 && first?.mention) return { ok: true, owner: { kind: 'user', id: first.mention } };
  const text = tokens.map((t) => t.text).join(' ');
  const org = await findOrg(ctx, text, usage);
  if (org.ok) {
    if (!c.memberSlugs.includes(org.value.slug)) return { ok: false, reply: reply.invalid(`${org.value.name} is not in ${c.ref}.`, usage) };
    return { ok: true, owner: { kind: 'org', slug: org.value.slug } };
  }
  const user = tokens.length === 1 ? userFrom(first) : null;
  if (user) return { ok: true, owner: { kind: 'user', id: user } };
  return { ok: false, reply: org.reply };
}

async function taskInScope(ctx: Ctx, text: string | undefined, usage: string): Promise<{ ok: true; task: Task; c: Consortium } | { ok: false; reply: Reply }> {
  const t = await findTask(ctx, text, usage);
  if (!t.ok) return t;
  const c = await ctx.data.consortia.findOne({ ref: t.value.consortiumRef });
  if (!c) return { ok: false, reply: reply.notFound(`${t.value.ref}'s consortium no longer exists.`) };
  if (!canWorkOn(ctx, c)) return { ok: false, reply: reply.denied(`Only members of ${c.ref}'s organisations or a coordinator can change its tasks.`) };
  return { ok: true, task: t.value, c };
}

function taskLine(ctx: Ctx, t: Task): string {
  const late = t.status === 'open' && t.due.getTime() < ctx.now.getTime();
  const status = t.status === 'done' ? '✓ done' : late ? `⚠ overdue since ${when(ctx, t.due)}` : `due ${when(ctx, t.due)} (${formatRelative(t.due, ctx.now, ctx.ws.settings.timezone)})`;
  return `${t.ref} ${t.title} — ${ownerText(t.owner)}, ${status}${t.latePlanned && t.status === 'open' ? ' (its planned date had already passed)' : ''}`;
}

const ADD_USAGE = 'task add <consortium> "<title>" due <date> [owner <@user|org>]';

export const taskAdd: Handler = {
  path: ['task', 'add'],
  usage: ADD_USAGE,
  summary: 'add a task to a consortium\'s bid plan',
  role: 'anyone',
  async run(ctx, args) {
    const c = await findConsortium(ctx, args[0]?.text, ADD_USAGE);
    if (!c.ok) return c.reply;
    if (!canWorkOn(ctx, c.value)) return reply.denied(`Only members of ${c.value.ref}'s organisations or a coordinator can add tasks to it.`);
    if (c.value.state !== 'formed') return reply.conflict(`${c.value.ref} is ${c.value.state}; tasks belong to formed consortia.`);
    const { positional, named } = keywordArgs(args.slice(1), ['due', 'owner']);
    const title = positional.map((t) => t.text).join(' ').replace(/\s+/g, ' ').trim();
    if (title.length < 2 || title.length > 300) return reply.invalid('Give the task a title (2 to 300 characters).', ADD_USAGE);
    const due = dateArg(ctx, named.get('due'), 'the due date', ADD_USAGE);
    if (!due.ok) return due.reply;
    let owner: TaskOwner = { kind: 'org', slug: c.value.members.find((m) => m.role === 'lead')?.orgSlug ?? (c.value.memberSlugs[0] as string) };
    if (named.has('owner')) {
      const o = await ownerFrom(ctx, tokenize(named.get('owner') ?? ''), c.value, ADD_USAGE);
      if (!o.ok) return o.reply;
      owner = o.owner;
    }
    const ref = await ctx.data.nextRef('K');
    const res = await ctx.data.tasks.insert({ ref, consortiumRef: c.value.ref, title, due: due.value, owner, status: 'open', createdBy: ctx.actor.userId, version: 1 });
    if (!res.ok) return reply.invalid(res.message, ADD_USAGE);
    await ctx.audit('task.add', ref, { consortium: c.value.ref, title });
    await ctx.deps.scheduler.taskChanged(ctx.ws.id, ref);
    const past = due.value.getTime() < ctx.now.getTime() ? ' That date has already passed, so it shows as overdue.' : '';
    return reply.text(`Added ${ref} "${title}" for ${ownerText(owner)}, due ${when(ctx, due.value)}.${past}`);
  },
};

export const taskDone: Handler = {
  path: ['task', 'done'],
  usage: 'task done <task>',
  summary: 'mark a task done (its reminders stop)',
  role: 'anyone',
  async run(ctx, args) {
    const s = await taskInScope(ctx, args[0]?.text, this.usage);
    if (!s.ok) return s.reply;
    if (s.task.status === 'done') return reply.text(`${s.task.ref} was already done.`);
    await ctx.data.tasks.update({ ref: s.task.ref }, { status: 'done', doneAt: ctx.now, doneBy: ctx.actor.userId }, { inc: { version: 1 } });
    await ctx.audit('task.done', s.task.ref);
    await ctx.deps.scheduler.taskChanged(ctx.ws.id, s.task.ref);
    return reply.text(`✓ ${s.task.ref} "${s.task.title}" is done.`);
  },
};

export const taskDue: Handler = {
  path: ['task', 'due'],
  usage: 'task due <task> <date>',
  summary: 'change a task\'s due date (its reminders move)',
  role: 'anyone',
  async run(ctx, args) {
    const s = await taskInScope(ctx, args[0]?.text, this.usage);
    if (!s.ok) return s.reply;
    const due = dateArg(ctx, args.slice(1).map((t) => t.text).join(' ') || undefined, 'the new due date', this.usage);
    if (!due.ok) return due.reply;
    await ctx.data.tasks.update({ ref: s.task.ref }, { due: due.value, latePlanned: false }, { inc: { version: 1 }, unset: ['snoozedUntil'] });
    await ctx.audit('task.due', s.task.ref, { from: s.task.due, to: due.value });
    await ctx.deps.scheduler.taskChanged(ctx.ws.id, s.task.ref);
    return reply.text(`${s.task.ref} is now due ${when(ctx, due.value)}.`);
  },
};

export const taskAssign: Handler = {
  path: ['task', 'assign'],
  usage: 'task assign <task> <@user|org>',
  summary: 'give a task to a person or an organisation',
  role: 'anyone',
  async run(ctx, args) {
    const s = await taskInScope(ctx, args[0]?.text, this.usage);
    if (!s.ok) return s.reply;
    if (args.length < 2) return reply.invalid('Say who should own it.', this.usage);
    const o = await ownerFrom(ctx, args.slice(1), s.c, this.usage);
    if (!o.ok) return o.reply;
    await ctx.data.tasks.update({ ref: s.task.ref }, { owner: o.owner }, { inc: { version: 1 } });
    await ctx.audit('task.assign', s.task.ref, { owner: o.owner });
    await ctx.deps.scheduler.taskChanged(ctx.ws.id, s.task.ref);
    if (o.owner.kind === 'user' && o.owner.id !== ctx.actor.userId) {
      await ctx.deps.notifier.send(ctx.ws, { kind: 'user', userId: o.owner.id }, reply.text(`${mention(ctx.actor.userId)} gave you ${s.task.ref} "${s.task.title}" (${s.c.ref}), due ${when(ctx, s.task.due)}.`)).catch(() => undefined);
    }
    return reply.text(`${s.task.ref} now belongs to ${ownerText(o.owner)}.`);
  },
};

export const taskSnooze: Handler = {
  path: ['task', 'snooze'],
  usage: 'task snooze <task> <duration|date>',
  summary: 'put off the next reminder for a task (e.g. 2d, 4h, next Monday)',
  role: 'anyone',
  async run(ctx, args) {
    const s = await taskInScope(ctx, args[0]?.text, this.usage);
    if (!s.ok) return s.reply;
    if (s.task.status === 'done') return reply.conflict(`${s.task.ref} is done; there is nothing to snooze.`);
    const text = args.slice(1).map((t) => t.text).join(' ');
    if (!text) return reply.invalid('Say for how long, like 2d or 4h, or until when.', this.usage);
    let until: Date;
    const d = parseDuration(text);
    if (d.ok) until = applyDuration(ctx.now, d, ctx.cal);
    else {
      const at = parseUkDate(text, { now: ctx.now, calendar: ctx.cal });
      if (!at.ok) return reply.invalid(`"${clip(text)}" is neither a duration (2d, 4h, 1 working day) nor a date.`, this.usage);
      until = at.date;
    }
    if (until.getTime() <= ctx.now.getTime()) return reply.invalid('That time has already passed.', this.usage);
    await ctx.data.tasks.update({ ref: s.task.ref }, { snoozedUntil: until });
    await ctx.audit('task.snooze', s.task.ref, { until });
    await ctx.deps.scheduler.taskChanged(ctx.ws.id, s.task.ref);
    return reply.text(`I'll hold the next reminder for ${s.task.ref} until ${when(ctx, until)}.`);
  },
};

/** Task refs of everything a user owns: their own tasks and their organisations' tasks. */
export async function tasksOwnedBy(ctx: Ctx, userId: string, slugs: string[]): Promise<Task[]> {
  // From the workspace's whole task list, which every command shares, rather than a query
  // per person that would be read from the database for each of them.
  const all = (await ctx.data.tasks.findShared({})).filter((t) => t.status === 'open');
  const orgs = new Set(slugs);
  const mine = all.filter((t) => t.owner.kind === 'user' && t.owner.id === userId);
  const theirs = all.filter((t) => t.owner.kind === 'org' && t.owner.slug !== undefined && orgs.has(t.owner.slug));
  return structuredClone([...mine, ...theirs]).sort((a, b) => a.due.getTime() - b.due.getTime());
}

function taskList(ctx: Ctx, title: string, tasks: Task[], empty: string): Reply {
  if (tasks.length === 0) return reply.text(empty);
  const items = tasks.slice(0, 60).map((t) => taskLine(ctx, t));
  if (tasks.length > 60) items.push(`…and ${tasks.length - 60} more`);
  const blocks: Block[] = [{ kind: 'heading', text: title }, { kind: 'list', items }];
  const open = tasks.filter((t) => t.status === 'open').slice(0, 5);
  if (open.length) blocks.push({ kind: 'buttons', buttons: open.map((t) => ({ label: `Done ${t.ref}`, command: `task done ${t.ref}` })) });
  return reply.ok(...blocks);
}

export const tasks: Handler = {
  path: ['tasks'],
  usage: 'tasks [<consortium>|mine|overdue]',
  summary: 'tasks of a consortium, yours, or everything overdue',
  role: 'anyone',
  async run(ctx, args) {
    const which = args[0]?.text.toLowerCase() ?? 'mine';
    if (args.length > 1) return reply.invalid('Give one of: a consortium (C-2), mine, overdue.', this.usage);
    if (which === 'mine') return mineTasks(ctx);
    if (which === 'overdue') {
      let overdue = await ctx.data.tasks.find({ status: 'open', due: { lt: ctx.now } }, { sort: { due: 1 } });
      if (!ctx.isCoordinator) {
        const mySlugs = new Set(ctx.memberships.map((m) => m.orgSlug));
        const consortia = await ctx.data.consortia.find({ memberSlugs: { in: [...mySlugs] } });
        const refs = new Set(consortia.map((c) => c.ref));
        overdue = overdue.filter((t) => refs.has(t.consortiumRef));
      }
      return taskList(ctx, `Overdue tasks (${overdue.length})`, overdue, 'Nothing is overdue. 🎉');
    }
    const c = await findConsortium(ctx, args[0]?.text, this.usage);
    if (!c.ok) return c.reply;
    if (!canWorkOn(ctx, c.value)) return reply.denied(`Only members of ${c.value.ref}'s organisations or a coordinator can see its tasks.`);
    const list = await ctx.data.tasks.find({ consortiumRef: c.value.ref }, { sort: { due: 1 } });
    const done = list.filter((t) => t.status === 'done').length;
    return taskList(ctx, `${c.value.ref} tasks: ${done} of ${list.length} done`, list, `${c.value.ref} has no tasks yet. \`plan ${c.value.ref}\` generates the bid plan.`);
  },
};

async function mineTasks(ctx: Ctx): Promise<Reply> {
  const adminOf = ctx.memberships.filter((m) => m.role === 'admin').map((m) => m.orgSlug);
  const list = await tasksOwnedBy(ctx, ctx.actor.userId, adminOf);
  return taskList(ctx, `Your tasks (${list.length})`, list, 'You have no open tasks.');
}

export const mine: Handler = {
  path: ['mine'],
  usage: 'mine',
  summary: 'your open tasks and the invitations waiting for your answer',
  role: 'anyone',
  async run(ctx) {
    const r = await mineTasks(ctx);
    const adminOf = ctx.memberships.filter((m) => m.role === 'admin').map((m) => m.orgSlug);
    if (adminOf.length === 0) return r;
    const pending = await ctx.data.consortia.find({ state: 'proposed', memberSlugs: { in: adminOf } });
    const waiting = pending.flatMap((c) => c.members.filter((m) => adminOf.includes(m.orgSlug) && m.answer === 'pending').map((m) => ({ c, m })));
    if (waiting.length === 0) return r;
    const blocks: Block[] = [...r.blocks, { kind: 'heading', text: `Invitations waiting for your answer (${waiting.length})` }];
    for (const { c, m } of waiting.slice(0, 10)) {
      blocks.push({ kind: 'text', text: `${c.ref} for ${c.tenderRef}: @${m.orgSlug} as ${m.role}` });
      blocks.push({ kind: 'buttons', buttons: [{ label: 'Accept', command: `accept ${c.ref} for ${m.orgSlug}`, style: 'primary' }, { label: 'Decline', command: `decline ${c.ref} for ${m.orgSlug}`, style: 'danger' }] });
    }
    return { ...r, outcome: 'ok', blocks };
  },
};

export const taskHandlers: Handler[] = [taskAdd, taskDone, taskDue, taskAssign, taskSnooze, tasks, mine];
