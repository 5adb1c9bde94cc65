/** Workspace settings: time zone, hours, holidays, coordinators, nudges, weights, plan. */
import type { Ctx, Handler } from '../context.js';
import { DEFAULT_WEIGHTS, type HolidayRegion, type MatchWeights, type WorkspaceSettings } from '../domain.js';
import { keywordArgs, tokenize } from '../parse/tokens.js';
import { planTemplate } from '../plan/plan.template.js';
import { reply, type Reply } from '../reply.js';
import { isValidTimeZone } from '../time/civil-day.js';
import { clip, mention, userFrom } from './common.js';

const USAGE = 'settings [timezone <tz>] [hours <09:00-17:30>] [holidays <england-and-wales|scotland|northern-ireland>] [coordinator add|remove <@user>] [nudges on|off [me|everyone]] [weights <name>=<n>,..] [reminders <days,..>] [retention <months>] [plan <step>=<days>,..|reset]';
const KEYS = ['timezone', 'hours', 'holidays', 'coordinator', 'nudges', 'weights', 'reminders', 'retention', 'plan'] as const;
const REGIONS: HolidayRegion[] = ['england-and-wales', 'scotland', 'northern-ireland'];

function show(ctx: Ctx, s: WorkspaceSettings, note?: string): Reply {
  const w = s.weights;
  return reply.ok(
    ...(note ? [{ kind: 'text' as const, text: note }] : []),
    { kind: 'heading', text: 'Settings' },
    {
      kind: 'fields',
      fields: [
        { label: 'Time zone', value: s.timezone },
        { label: 'Working hours', value: `${s.hoursStart}–${s.hoursEnd}` },
        { label: 'Bank holidays', value: s.holidays },
        { label: 'Coordinators', value: s.coordinators.map(mention).join(', ') || 'none yet' },
        { label: 'Nudges', value: `${s.nudges ? 'on' : 'off'} for the workspace; ${s.nudgesOffFor.includes(ctx.actor.userId) ? 'off' : 'on'} for you` },
        { label: 'Reminders', value: `${s.reminderDays.join(', ')} working days before, and the morning a task is due` },
        { label: 'Matching weights', value: Object.entries(w).map(([k, v]) => `${k}=${v}`).join(', ') },
        { label: 'Keep closed tenders\' personal details', value: `${s.retentionMonths} months` },
        { label: 'Bid plan', value: planTemplate(s.planTemplate).map((p) => `${p.key}=${p.offsetDays}`).join(', ') },
      ],
    },
  );
}

export const settings: Handler = {
  path: ['settings'],
  usage: USAGE,
  summary: 'show or change this workspace\'s settings',
  role: 'anyone',
  async run(ctx, args) {
    const s = ctx.ws.settings;
    if (args.length === 0) return show(ctx, s);
    const { positional, named, repeated } = keywordArgs(args, KEYS);
    if (positional.length) return reply.invalid(`I didn't understand "${clip(positional.map((t) => t.text).join(' '))}".`, USAGE);
    if (repeated.length) return reply.invalid(`Give ${repeated[0]} once.`, USAGE);
    const patch: Partial<WorkspaceSettings> = {};
    const personalOnly = [...named.keys()].every((k) => k === 'nudges') && !/\beveryone\b/i.test(named.get('nudges') ?? '');
    const claiming = s.coordinators.length === 0 && [...named.keys()].every((k) => k === 'coordinator');
    if (!ctx.isCoordinator && !personalOnly && !claiming) {
      return reply.denied(`Only a coordinator can change workspace settings. You can turn your own reminders off with \`settings nudges off\`.`);
    }
    for (const [k, raw] of named) {
      const v = raw.trim();
      switch (k) {
        case 'timezone':
          if (!isValidTimeZone(v)) return reply.invalid(`"${clip(v)}" is not a time zone I know. Try Europe/London.`, USAGE);
          patch.timezone = v;
          break;
        case 'hours': {
          const m = /^(\d{1,2})[:.]?(\d{2})\s*(?:-|–|to)\s*(\d{1,2})[:.]?(\d{2})$/.exec(v);
          const pad = (h: string, mm: string) => `${h.padStart(2, '0')}:${mm}`;
          if (!m) return reply.invalid('Give hours like 09:00-17:30.', USAGE);
          const start = pad(m[1] as string, m[2] as string);
          const end = pad(m[3] as string, m[4] as string);
          if (!(start < end) || end > '23:59' || Number(m[2]) > 59 || Number(m[4]) > 59) return reply.invalid('The start must be before the end, within one day, like 09:00-17:30.', USAGE);
          patch.hoursStart = start;
          patch.hoursEnd = end;
          break;
        }
        case 'holidays': {
          const r = v.toLowerCase().replace(/\s+/g, '-').replace(/^england$|^wales$|^england-&-wales$/, 'england-and-wales');
          if (!REGIONS.includes(r as HolidayRegion)) return reply.invalid(`Bank holidays can be ${REGIONS.join(', ')}.`, USAGE);
          patch.holidays = r as HolidayRegion;
          break;
        }
        case 'coordinator': {
          const toks = tokenize(v);
          const action = toks[0]?.text.toLowerCase();
          const user = userFrom(toks[1]);
          if (!user || !['add', 'remove'].includes(action ?? '') || toks.length !== 2) return reply.invalid('Say `coordinator add @someone` or `coordinator remove @someone`.', USAGE);
          const list = new Set(s.coordinators);
          if (action === 'add') list.add(user);
          else {
            if (!list.has(user)) return reply.text(`${mention(user)} is not a coordinator.`);
            if (list.size === 1) return reply.conflict('That would leave the workspace with no coordinator. Add another first.');
            list.delete(user);
          }
          patch.coordinators = [...list];
          break;
        }
        case 'nudges': {
          const [onoff, who = 'me'] = v.toLowerCase().split(/\s+/);
          if (!['on', 'off'].includes(onoff ?? '') || !['me', 'everyone'].includes(who)) return reply.invalid('Say `nudges on` or `nudges off` (add `everyone` for the whole workspace).', USAGE);
          if (who === 'everyone') patch.nudges = onoff === 'on';
          else {
            const off = new Set(s.nudgesOffFor);
            if (onoff === 'off') off.add(ctx.actor.userId);
            else off.delete(ctx.actor.userId);
            patch.nudgesOffFor = [...off];
          }
          break;
        }
        case 'weights': {
          const w: MatchWeights = { ...s.weights };
          for (const part of v.split(/\s*,\s*/).filter(Boolean)) {
            const m = /^([a-z]+)\s*=\s*(-?\d{1,3})$/i.exec(part);
            const name = m?.[1]?.toLowerCase();
            if (!m || !name || !(name in DEFAULT_WEIGHTS)) return reply.invalid(`"${clip(part)}" is not a weight. Names: ${Object.keys(DEFAULT_WEIGHTS).join(', ')}; values are whole numbers from -999 to 999.`, USAGE);
            w[name as keyof MatchWeights] = Number(m[2]);
          }
          patch.weights = w;
          break;
        }
        case 'reminders': {
          const days = v.split(/\s*,\s*/).map(Number);
          if (!days.length || days.some((d) => !Number.isInteger(d) || d < 1 || d > 30) || days.length > 6) return reply.invalid('Give up to six numbers of working days, like 7,3,1.', USAGE);
          patch.reminderDays = [...new Set(days)].sort((a, b) => b - a);
          break;
        }
        case 'retention': {
          const n = Number(v.replace(/\s*months?$/i, ''));
          if (!Number.isInteger(n) || n < 1 || n > 240) return reply.invalid('Give a number of months from 1 to 240.', USAGE);
          patch.retentionMonths = n;
          break;
        }
        case 'plan': {
          if (v.toLowerCase() === 'reset') {
            patch.planTemplate = null;
            break;
          }
          const steps = planTemplate(s.planTemplate);
          for (const part of v.split(/\s*,\s*/).filter(Boolean)) {
            const m = /^([a-z-]+)\s*=\s*(\d{1,2}|off)$/i.exec(part);
            const step = steps.find((x) => x.key === m?.[1]?.toLowerCase());
            if (!m || !step) return reply.invalid(`"${clip(part)}" is not a plan step. Steps: ${steps.map((x) => x.key).join(', ')}; give working days before the deadline, or off.`, USAGE);
            if (m[2] === 'off') steps.splice(steps.indexOf(step), 1);
            else step.offsetDays = Number(m[2]);
          }
          if (steps.length === 0) return reply.invalid('The plan needs at least one step.', USAGE);
          patch.planTemplate = steps;
          break;
        }
      }
    }
    const updated = await ctx.deps.store.workspaces.updateSettings(ctx.ws.id, patch);
    if (!updated) return reply.notFound('This workspace has no settings record.');
    await ctx.audit('settings', ctx.ws.id, { changed: Object.keys(patch) });
    const moves = ['timezone', 'hoursStart', 'hoursEnd', 'holidays', 'reminderDays', 'nudges', 'nudgesOffFor'];
    if (Object.keys(patch).some((k) => moves.includes(k))) await ctx.deps.scheduler.workspaceChanged?.(ctx.ws.id);
    return show(ctx, updated.settings, 'Saved.');
  },
};

export { USAGE as SETTINGS_USAGE };
