/** The directory: register, show, list, edit, join, leave, and admins of an organisation. */
import type { Ctx, Handler } from '../context.js';
import { sizeBand, type Organisation, type SizeBand } from '../domain.js';
import { formatMoney } from '../money.js';
import { key, keywordArgs, serviceKey, serviceLabel, type Token } from '../parse/tokens.js';
import { reply, type Block, type Reply } from '../reply.js';
import { canManageOrg, clip, findOrg, isOrgAdmin, mention, plural, userFrom } from './common.js';
import { areas, knownVocabulary, NO, orgFormFields, services, validateOrg, YES, type OrgValues } from './org.input.js';

const REGISTER_USAGE = 'org register "<name>" income <money> services <s,..> areas <a,..> home <area> [capacity <money>] [lead yes|no] [accreditations <x,..>] [charity <number>]';
const REGISTER_KEYS = ['income', 'services', 'areas', 'home', 'capacity', 'lead', 'accreditations', 'charity'] as const;

async function createOrg(ctx: Ctx, values: OrgValues): Promise<{ ok: true; org: Organisation } | { ok: false; errors: Record<string, string> }> {
  const vocab = await knownVocabulary(ctx);
  const v = validateOrg(values, vocab.areas);
  if (!v.ok) return v;
  const res = await ctx.data.orgs.insert({
    ...v.org,
    partners: [],
    unavailable: false,
    createdBy: ctx.actor.userId,
  });
  if (!res.ok) {
    return { ok: false, errors: { name: res.error === 'duplicate' ? `An organisation called ${v.org.name} (@${v.org.slug}) is already registered. \`org join ${v.org.slug}\` to join it.` : res.message } };
  }
  await ctx.data.members.insert({ userId: ctx.actor.userId, orgSlug: v.org.slug, role: 'admin', ...(ctx.actor.userName ? { displayName: ctx.actor.userName } : {}) });
  await ctx.audit('org.register', `@${v.org.slug}`, { name: v.org.name });
  return { ok: true, org: res.value };
}

function registered(org: Organisation): Reply {
  return reply.ok(
    { kind: 'heading', text: `Registered ${org.name}` },
    { kind: 'text', text: `You are its admin. Others can join with \`org join ${org.slug}\`.` },
    ...orgBlocks(org).slice(1),
  );
}

export const orgRegister: Handler = {
  path: ['org', 'register'],
  usage: REGISTER_USAGE,
  summary: 'register your organisation in the directory (opens a form without details)',
  role: 'anyone',
  forms: ['org.register'],
  async run(ctx, args) {
    if (args.length === 0) {
      const vocab = await knownVocabulary(ctx);
      return reply.form({ id: 'org.register', title: 'Register organisation', submitLabel: 'Register', fields: orgFormFields(vocab) });
    }
    const { positional, named } = keywordArgs(args, REGISTER_KEYS);
    const values: OrgValues = { name: positional.map((t) => t.text).join(' ') };
    for (const k of REGISTER_KEYS) values[k] = named.get(k);
    if (!named.has('income') || !named.has('services') || !named.has('areas')) {
      return reply.invalid('To register in one line I need the name, income, services and areas (or type `org register` on its own for a form).', REGISTER_USAGE);
    }
    const res = await createOrg(ctx, values);
    if (!res.ok) return reply.invalid(Object.values(res.errors)[0] ?? 'Those details are not valid.', REGISTER_USAGE);
    return registered(res.org);
  },
  async submit(ctx, form) {
    const res = await createOrg(ctx, form.values);
    if (!res.ok) {
      const vocab = await knownVocabulary(ctx);
      return reply.form({ id: 'org.register', title: 'Register organisation', submitLabel: 'Register', fields: orgFormFields(vocab), errors: res.errors });
    }
    return registered(res.org);
  },
};

export function orgBlocks(org: Organisation, admins: string[] = []): Block[] {
  const blocks: Block[] = [
    { kind: 'heading', text: `${org.name} (@${org.slug})` },
    {
      kind: 'fields',
      fields: [
        { label: 'Size', value: `${sizeBand(org.income)} (income ${formatMoney(org.income)} a year)` },
        { label: 'Based in', value: org.home },
        { label: 'Services', value: org.services.map(serviceLabel).join(', ') || 'none yet' },
        { label: 'Areas', value: org.areas.join(', ') || 'none yet' },
        { label: 'Could take on', value: `${formatMoney(org.capacity)} a year` },
        { label: 'Willing to lead', value: org.canLead ? 'yes' : 'no' },
        ...(org.accreditations.length ? [{ label: 'Accreditations', value: org.accreditations.join(', ') }] : []),
        ...(org.charityNumber ? [{ label: 'Charity number', value: org.charityNumber }] : []),
        ...(org.partners.length ? [{ label: 'Has worked with', value: org.partners.map((p) => '@' + p).join(', ') }] : []),
        ...(org.unavailable ? [{ label: 'Availability', value: 'not taking on new bids' }] : []),
      ],
    },
  ];
  if (admins.length) blocks.push({ kind: 'text', text: `Admins: ${admins.map(mention).join(', ')}` });
  return blocks;
}

export const orgShow: Handler = {
  path: ['org', 'show'],
  usage: 'org show [<org>]',
  summary: 'an organisation\'s profile (yours if you leave the name out)',
  role: 'anyone',
  async run(ctx, args) {
    let text = args.map((t) => t.text).join(' ');
    if (!text) {
      if (ctx.memberships.length === 0) return reply.invalid('Which organisation? You are not in one yet.', this.usage);
      text = (ctx.memberships[0] as { orgSlug: string }).orgSlug;
    }
    const found = await findOrg(ctx, text, this.usage);
    if (!found.ok) return found.reply;
    const admins = (await ctx.data.members.find({ orgSlug: found.value.slug, role: 'admin' })).map((m) => m.userId);
    const blocks = orgBlocks(found.value, admins);
    if (canManageOrg(ctx, found.value.slug)) {
      blocks.push({ kind: 'buttons', buttons: [{ label: 'Export data', command: `org export ${found.value.slug}` }] });
    } else if (!ctx.memberships.some((m) => m.orgSlug === found.value.slug)) {
      blocks.push({ kind: 'buttons', buttons: [{ label: 'Join', command: `org join ${found.value.slug}` }] });
    }
    return reply.ok(...blocks);
  },
};

const BANDS: SizeBand[] = ['micro', 'small', 'medium', 'large', 'major'];

export const orgList: Handler = {
  path: ['org', 'list'],
  usage: 'org list [service <s>] [area <a>] [size <band>]',
  summary: 'the directory, filtered by service, area or size band',
  role: 'anyone',
  async run(ctx, args) {
    const { positional, named } = keywordArgs(args, ['service', 'area', 'size']);
    if (positional.length) return reply.invalid(`I didn't understand "${clip(positional.map((t) => t.text).join(' '))}".`, this.usage);
    const size = named.get('size')?.toLowerCase();
    if (size !== undefined && !BANDS.includes(size as SizeBand)) return reply.invalid(`Size bands are ${BANDS.join(', ')}.`, this.usage);
    const svc = named.has('service') ? serviceKey(named.get('service') ?? '') : undefined;
    const area = named.has('area') ? key(named.get('area') ?? '') : undefined;
    let orgs = await ctx.data.orgs.find({}, { sort: { name: 1 } });
    if (svc) orgs = orgs.filter((o) => o.services.includes(svc));
    if (area) orgs = orgs.filter((o) => o.areas.some((a) => key(a) === area));
    if (size) orgs = orgs.filter((o) => sizeBand(o.income) === size);
    if (orgs.length === 0) {
      return reply.text(named.size > 0 ? 'No organisation matches that. Try fewer filters.' : 'No organisation matches that. `org list` on its own shows everyone.');
    }
    const shown = orgs.slice(0, 60);
    const items = shown.map((o) => `${o.name} (@${o.slug}) — ${sizeBand(o.income)}, ${o.home}; ${o.services.map(serviceLabel).join(', ')}${o.canLead ? '; can lead' : ''}`);
    if (orgs.length > shown.length) items.push(`…and ${orgs.length - shown.length} more: add a filter to narrow the list`);
    return reply.ok({ kind: 'heading', text: `${plural(orgs.length, 'organisation')} in the directory` }, { kind: 'list', items });
  },
};

const EDIT_FIELDS = ['name', 'income', 'capacity', 'services', 'areas', 'home', 'lead', 'accreditations', 'charity', 'partners', 'available'] as const;
const EDIT_USAGE = `org edit <org> <field> <value>   (fields: ${EDIT_FIELDS.join(', ')})`;

export const orgEdit: Handler = {
  path: ['org', 'edit'],
  usage: EDIT_USAGE,
  summary: 'change one field of an organisation\'s profile',
  role: 'anyone',
  async run(ctx, args) {
    const idx = args.findIndex((t) => !t.quoted && (EDIT_FIELDS as readonly string[]).includes(t.text.toLowerCase()));
    if (idx < 1) return reply.invalid('Say which organisation and which field to change.', EDIT_USAGE);
    const found = await findOrg(ctx, args.slice(0, idx).map((t) => t.text).join(' '), EDIT_USAGE);
    if (!found.ok) return found.reply;
    const org = found.value;
    if (!canManageOrg(ctx, org.slug)) return reply.denied(`Only an admin of ${org.name} or a coordinator can change its profile.`);
    const field = (args[idx] as Token).text.toLowerCase() as (typeof EDIT_FIELDS)[number];
    const value = args.slice(idx + 1).map((t) => t.text).join(' ').trim();
    if (!value) return reply.invalid(`Give the new value for ${field}.`, EDIT_USAGE);
    const patch: Partial<Organisation> = {};
    const vocab = await knownVocabulary(ctx);
    switch (field) {
      case 'partners': {
        const slugs: string[] = [];
        for (const p of value.split(/\s*,\s*/)) {
          const f = await findOrg(ctx, p, EDIT_USAGE);
          if (!f.ok) return f.reply;
          if (f.value.slug !== org.slug) slugs.push(f.value.slug);
        }
        patch.partners = [...new Set(slugs)];
        break;
      }
      case 'available': {
        const v = value.toLowerCase();
        if (!YES.has(v) && !NO.has(v)) return reply.invalid('Say yes or no.', 'org edit <org> available yes|no');
        patch.unavailable = NO.has(v);
        break;
      }
      default: {
        const current: OrgValues = {
          name: org.name, income: String(org.income), capacity: String(org.capacity), services: org.services.join(','),
          areas: org.areas.join(','), home: org.home, lead: org.canLead ? 'yes' : 'no', accreditations: org.accreditations.join(','),
          charity: org.charityNumber,
        };
        current[field] = value;
        if (field === 'areas' && !areas(value).some((a) => key(a) === key(org.home))) current.home = areas(value, vocab.areas)[0];
        if (field === 'services' && services(value).length === 0) return reply.invalid('List at least one service.', EDIT_USAGE);
        const v = validateOrg(current, vocab.areas);
        if (!v.ok) return reply.invalid(Object.values(v.errors)[0] ?? 'That value is not valid.', EDIT_USAGE);
        const { slug: _slug, ...rest } = v.org;
        Object.assign(patch, rest);
      }
    }
    const res = await ctx.data.orgs.update({ slug: org.slug }, patch);
    if (!res.ok || !res.value) return reply.invalid(res.ok ? 'That organisation has gone.' : res.message, EDIT_USAGE);
    await ctx.audit('org.edit', `@${org.slug}`, { field });
    return reply.ok({ kind: 'text', text: `Updated ${field} for ${res.value.name}.` }, ...orgBlocks(res.value).slice(1));
  },
};

export const orgJoin: Handler = {
  path: ['org', 'join'],
  usage: 'org join <org>',
  summary: 'join an organisation as a member (its admins are told)',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findOrg(ctx, args.map((t) => t.text).join(' '), this.usage);
    if (!found.ok) return found.reply;
    const org = found.value;
    if (ctx.memberships.some((m) => m.orgSlug === org.slug)) return reply.text(`You are already a member of ${org.name}.`);
    const res = await ctx.data.members.insert({ userId: ctx.actor.userId, orgSlug: org.slug, role: 'member', ...(ctx.actor.userName ? { displayName: ctx.actor.userName } : {}) });
    if (!res.ok) return reply.text(`You are already a member of ${org.name}.`);
    await ctx.audit('org.join', `@${org.slug}`, { user: ctx.actor.userId });
    const admins = (await ctx.data.members.find({ orgSlug: org.slug, role: 'admin' })).map((m) => m.userId);
    for (const a of admins) {
      await ctx.deps.notifier.send(ctx.ws, { kind: 'user', userId: a }, reply.text(`${mention(ctx.actor.userId)} joined ${org.name} on Consortia. To make them an admin: \`org admin ${org.slug} ${mention(ctx.actor.userId)}\`.`)).catch(() => undefined);
    }
    return reply.text(`You joined ${org.name} as a member.`);
  },
};

export const orgLeave: Handler = {
  path: ['org', 'leave'],
  usage: 'org leave <org>',
  summary: 'leave an organisation',
  role: 'anyone',
  async run(ctx, args) {
    const found = await findOrg(ctx, args.map((t) => t.text).join(' '), this.usage);
    if (!found.ok) return found.reply;
    const org = found.value;
    const me = ctx.memberships.find((m) => m.orgSlug === org.slug);
    if (!me) return reply.text(`You are not a member of ${org.name}.`);
    if (me.role === 'admin') {
      const admins = await ctx.data.members.count({ orgSlug: org.slug, role: 'admin' });
      if (admins <= 1) return reply.conflict(`You are the only admin of ${org.name}. Make someone else an admin first: \`org admin ${org.slug} @someone\`.`);
    }
    await ctx.data.members.delete({ orgSlug: org.slug, userId: ctx.actor.userId });
    await ctx.audit('org.leave', `@${org.slug}`, { user: ctx.actor.userId });
    return reply.text(`You left ${org.name}.`);
  },
};

export const orgAdmin: Handler = {
  path: ['org', 'admin'],
  usage: 'org admin <org> <@user>',
  summary: 'make someone an admin of an organisation',
  role: 'anyone',
  async run(ctx, args) {
    const last = args[args.length - 1];
    const user = userFrom(last);
    if (!user || args.length < 2) return reply.invalid('Say which organisation and who.', this.usage);
    const found = await findOrg(ctx, args.slice(0, -1).map((t) => t.text).join(' '), this.usage);
    if (!found.ok) return found.reply;
    if (!isOrgAdmin(ctx, found.value.slug) && !ctx.isCoordinator) return reply.denied(`Only an admin of ${found.value.name} or a coordinator can add admins.`);
    const existing = await ctx.data.members.findOne({ orgSlug: found.value.slug, userId: user });
    if (existing) await ctx.data.members.update({ orgSlug: found.value.slug, userId: user }, { role: 'admin' });
    else await ctx.data.members.insert({ orgSlug: found.value.slug, userId: user, role: 'admin' });
    await ctx.audit('org.admin', `@${found.value.slug}`, { user });
    return reply.text(`${mention(user)} is now an admin of ${found.value.name}.`);
  },
};

export const orgHandlers: Handler[] = [orgRegister, orgShow, orgList, orgEdit, orgJoin, orgLeave, orgAdmin];
