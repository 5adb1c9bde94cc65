import { describe, expect, it } from 'vitest';
import { calendarFor } from '../../src/core/app.js';
import type { Consortium, HolidayRegion, Task, Tender, Workspace, WorkspaceSettings } from '../../src/core/domain.js';
import { digestContent, digestMessage, digestSchedule, digestWeek } from '../../src/core/nudges/digest.policy.js';
import { countdownMessage, taskNudgeMessage } from '../../src/core/nudges/nudge.message.js';
import { CATCH_UP_DAYS, countdownNudges, parseNudgeKey, selectPending, taskNudges, type Nudge } from '../../src/core/nudges/nudge.policy.js';
import { recipientsFor } from '../../src/core/nudges/nudge.recipients.js';
import { replyText } from '../../src/core/reply.js';
import { WorkingCalendar } from '../../src/core/time/working-days.js';
import { nudgesOfSharedTask } from '../../src/queue/nudge.source.js';
import { defaultSettings } from '../../src/store/mongo.store.js';

const iso = (s: string) => new Date(s);

function calendar(region: HolidayRegion = 'england-and-wales', hours: [string, string] = ['09:00', '17:30'], timezone = 'Europe/London') {
  return new WorkingCalendar({ timezone, region, hoursStart: hours[0], hoursEnd: hours[1] });
}

const settings = { reminderDays: [7, 3, 1] } satisfies Pick<WorkspaceSettings, 'reminderDays'>;

function task(due: string, extra: Partial<Task> = {}): Task {
  return {
    workspaceId: 'W1', ref: 'K-7', consortiumRef: 'C-2', title: 'Pricing schedule', due: iso(due),
    owner: { kind: 'org', slug: 'food-bank' }, status: 'open', createdBy: 'u1', version: 1, ...extra,
  };
}

function consortium(extra: Partial<Consortium> = {}): Consortium {
  return {
    workspaceId: 'W1', ref: 'C-2', tenderRef: 'T-3', state: 'formed', score: 1, proposedBy: 'u1', rev: 3,
    members: [{ orgSlug: 'lead-org', role: 'lead', answer: 'accepted' }, { orgSlug: 'food-bank', role: 'partner', answer: 'accepted' }],
    memberSlugs: ['lead-org', 'food-bank'], ...extra,
  };
}

function tender(submission: string, status: Tender['status'] = 'open'): Tender {
  return {
    workspaceId: 'W1', ref: 'T-3', title: 'Community wellbeing', annualValue: 500_000, years: 3, currency: 'GBP',
    leadAccreditations: [], maxMembers: 6, cells: [], lots: [], dates: { submission: iso(submission) }, status,
    cpv: [], regions: [], createdBy: 'u1',
  };
}

const at = (nudges: Nudge[], slot: string) => nudges.find((n) => n.slot === slot)?.dueAt.toISOString();

describe('task nudges', () => {
  it('reminds 7, 3 and 1 working days before and the morning it is due, at the start of working hours, skipping weekends', () => {
    // Due Wednesday 20 January 2027, 17:30 (GMT).
    const n = taskNudges(task('2027-01-20T17:30:00Z'), settings, calendar());
    expect(at(n, 'd7')).toBe('2027-01-11T09:00:00.000Z'); // Monday: two weekends back
    expect(at(n, 'd3')).toBe('2027-01-15T09:00:00.000Z'); // Friday
    expect(at(n, 'd1')).toBe('2027-01-19T09:00:00.000Z');
    expect(at(n, 'd0')).toBe('2027-01-20T09:00:00.000Z');
    expect(at(n, 'od')).toBe('2027-01-21T09:00:00.000Z');
    expect(n.map((x) => x.kind)).toEqual(['remind', 'remind', 'remind', 'remind', 'overdue', 'escalate']);
  });

  it('escalates to the coordinators three working days after the overdue nudge', () => {
    const n = taskNudges(task('2027-01-20T17:30:00Z'), settings, calendar());
    const esc = n.find((x) => x.kind === 'escalate');
    expect(esc?.dueAt.toISOString()).toBe('2027-01-26T09:00:00.000Z'); // Thu overdue → Fri, Mon, Tue
    expect(esc?.audience).toBe('coordinators');
    expect(n.find((x) => x.kind === 'overdue')?.audience).toBe('owner-and-lead');
  });

  it('skips bank holidays, and the region decides which days those are', () => {
    // Christmas 2026: 25 Dec (Fri) and the substitute Boxing Day (Mon 28) are off; 1 Jan too,
    // and in Scotland the substitute for 2 January (Mon 4 Jan 2027) as well.
    const due = task('2026-12-24T17:30:00Z');
    const ew = taskNudges(due, settings, calendar('england-and-wales'));
    const sc = taskNudges(due, settings, calendar('scotland'));
    expect(at(ew, 'od')).toBe('2026-12-29T09:00:00.000Z');
    expect(at(ew, 'esc')).toBe('2027-01-04T09:00:00.000Z');
    expect(at(sc, 'esc')).toBe('2027-01-05T09:00:00.000Z');
    // Easter 2027: Monday 29 March is a bank holiday in England and Wales, not in Scotland.
    const easter = task('2027-03-30T16:00:00Z');
    expect(at(taskNudges(easter, settings, calendar('england-and-wales')), 'd1')).toBe('2027-03-25T09:00:00.000Z');
    expect(at(taskNudges(easter, settings, calendar('scotland')), 'd1')).toBe('2027-03-29T08:00:00.000Z');
    expect(at(taskNudges(easter, settings, calendar('northern-ireland')), 'd1')).toBe('2027-03-25T09:00:00.000Z');
  });

  it('keeps reminders at the start of working hours across the clocks going forward', () => {
    // UK clocks go forward on Sunday 29 March 2026: 09:00 is 09:00Z before, 08:00Z after.
    const n = taskNudges(task('2026-03-31T16:00:00Z'), settings, calendar());
    expect(at(n, 'd3')).toBe('2026-03-26T09:00:00.000Z');
    expect(at(n, 'd1')).toBe('2026-03-30T08:00:00.000Z');
    expect(at(n, 'd0')).toBe('2026-03-31T08:00:00.000Z');
  });

  it('uses the workspace\'s hours, and drops a morning reminder that would come after the deadline', () => {
    const n = taskNudges(task('2027-01-20T10:00:00Z'), settings, calendar('england-and-wales', ['10:30', '16:00']));
    expect(at(n, 'd1')).toBe('2027-01-19T10:30:00.000Z');
    expect(at(n, 'd0')).toBeUndefined();
    expect(at(n, 'od')).toBe('2027-01-21T10:30:00.000Z');
  });

  it('reads days and hours in the workspace\'s zone', () => {
    // 03:00Z on Tuesday is still Monday evening in New York.
    const n = taskNudges(task('2027-01-19T03:00:00Z'), settings, calendar('england-and-wales', ['09:00', '17:00'], 'America/New_York'));
    expect(at(n, 'd1')).toBe('2027-01-15T14:00:00.000Z'); // Friday 09:00 EST
    expect(at(n, 'od')).toBe('2027-01-19T14:00:00.000Z'); // Tuesday 09:00 EST
  });

  it('gives every nudge a deterministic key that changes with the task version', () => {
    const a = taskNudges(task('2027-01-20T17:30:00Z'), settings, calendar());
    const again = taskNudges(task('2027-01-20T17:30:00Z'), settings, calendar());
    const redated = taskNudges(task('2027-01-27T17:30:00Z', { version: 2 }), settings, calendar());
    expect(again.map((n) => n.key)).toEqual(a.map((n) => n.key));
    expect(a[0]?.key).toBe('remind:K-7:1:d7');
    expect(parseNudgeKey('remind:K-7:1:d7')).toEqual({ kind: 'remind', subject: 'K-7', version: '1', slot: 'd7' });
    expect(parseNudgeKey('remind:K-7:1:d7:extra')).toBeNull();
    const old = new Set(a.map((n) => n.key));
    expect(redated.some((n) => old.has(n.key))).toBe(false);
  });

  it('has no nudges once done', () => {
    expect(taskNudges(task('2027-01-20T17:30:00Z', { status: 'done' }), settings, calendar())).toEqual([]);
  });

  it('postpones the next reminder to the snooze time and drops the ones it passes over, never the escalation', () => {
    // Snoozed on Mon 11 Jan until Mon 18 Jan 14:00: the 7- and 3-day reminders fold into one then.
    const n = taskNudges(task('2027-01-20T17:30:00Z', { snoozedUntil: iso('2027-01-18T14:00:00Z') }), settings, calendar());
    const snoozed = n.filter((x) => x.snoozed);
    expect(snoozed).toHaveLength(1);
    expect(snoozed[0]?.dueAt.toISOString()).toBe('2027-01-18T14:00:00.000Z');
    expect(snoozed[0]?.slot.startsWith('d3~')).toBe(true);
    expect(at(n, 'd7')).toBeUndefined();
    expect(at(n, 'd3')).toBeUndefined();
    expect(at(n, 'd1')).toBe('2027-01-19T09:00:00.000Z');
    // Snoozed past the deadline on a Saturday: the overdue nudge waits until Monday morning.
    const late = taskNudges(task('2027-01-20T17:30:00Z', { snoozedUntil: iso('2027-01-23T10:00:00Z') }), settings, calendar());
    expect(late.filter((x) => x.snoozed).map((x) => [x.kind, x.dueAt.toISOString()])).toEqual([['overdue', '2027-01-25T09:00:00.000Z']]);
    expect(at(late, 'esc')).toBe('2027-01-26T09:00:00.000Z');
  });
});

describe('nudges of shared task records', () => {
  const ws = (reminderDays = [7, 3, 1]): Workspace => ({ id: 'W1', platform: 'console', name: 'W1', settings: { ...defaultSettings('coord'), reminderDays } });

  it('are worked out once per task content, across copies of the record, and afresh when the task or the settings change', () => {
    const w = ws();
    const first = nudgesOfSharedTask(w, task('2027-01-20T17:30:00Z', { ref: 'K-81' }));
    // Another copy of the same record (a list read again): the same nudges, not worked out again.
    expect(nudgesOfSharedTask(w, task('2027-01-20T17:30:00Z', { ref: 'K-81' }))).toBe(first);
    expect(at([...first], 'd1')).toBe('2027-01-19T09:00:00.000Z');
    const changed: [string, Task][] = [
      ['re-dated', task('2027-01-27T17:30:00Z', { ref: 'K-81', version: 2 })],
      ['due at another time', task('2027-01-20T12:00:00Z', { ref: 'K-81' })],
      ['snoozed', task('2027-01-20T17:30:00Z', { ref: 'K-81', snoozedUntil: iso('2027-01-19T14:00:00Z') })],
      ['finished', task('2027-01-20T17:30:00Z', { ref: 'K-81', status: 'done' })],
      ['another task', task('2027-01-20T17:30:00Z', { ref: 'K-82' })],
    ];
    for (const [what, t] of changed) {
      const got = nudgesOfSharedTask(w, t);
      expect(got, what).not.toBe(first);
      expect(got, what).toEqual(taskNudges(t, w.settings, calendarFor(w.settings)));
    }
    const fewer = nudgesOfSharedTask(ws([1]), task('2027-01-20T17:30:00Z', { ref: 'K-81' }));
    expect(fewer.map((n) => n.slot)).toEqual(['d1', 'd0', 'od', 'esc']);
  });
});

describe('countdown', () => {
  it('counts down 14, 7, 3 and 1 days before inside working hours, and 4 hours before even outside them', () => {
    // Deadline Monday 1 February 2027, 10:00.
    const n = countdownNudges(consortium(), tender('2027-02-01T10:00:00Z'), calendar());
    expect(n.map((x) => [x.slot, x.dueAt.toISOString()])).toEqual([
      ['d14', '2027-01-18T10:00:00.000Z'],
      ['d7', '2027-01-25T10:00:00.000Z'],
      ['d3', '2027-01-29T10:00:00.000Z'],
      // 1 day before is a Sunday; Monday 09:00 would come after the 4-hour one, so it is dropped.
      ['h4', '2027-02-01T06:00:00.000Z'],
    ]);
    expect(n.every((x) => x.audience === 'consortium')).toBe(true);
  });

  it('moves a day countdown out of the night but leaves the 4-hour one where it falls', () => {
    const n = countdownNudges(consortium(), tender('2027-02-05T23:00:00Z'), calendar());
    expect(at(n, 'd1')).toBe('2027-02-05T09:00:00.000Z');
    expect(at(n, 'h4')).toBe('2027-02-05T19:00:00.000Z');
  });

  it('changes its keys when the deadline moves, and stops for a dissolved consortium or a closed tender', () => {
    const a = countdownNudges(consortium(), tender('2027-02-05T12:00:00Z'), calendar());
    const b = countdownNudges(consortium(), tender('2027-02-08T12:00:00Z'), calendar());
    expect(a.some((n) => b.some((m) => m.key === n.key))).toBe(false);
    expect(countdownNudges(consortium({ state: 'dissolved' }), tender('2027-02-05T12:00:00Z'), calendar())).toEqual([]);
    expect(countdownNudges(consortium(), tender('2027-02-05T12:00:00Z', 'withdrawn'), calendar())).toEqual([]);
  });
});

describe('what is still owed', () => {
  const all = taskNudges(task('2027-01-20T17:30:00Z'), settings, calendar());

  it('settles what was already past when the task got its date, rather than sending it', () => {
    const pick = selectPending(all, iso('2027-01-18T12:00:00Z'), new Set(), 'fresh');
    expect(pick.settle.map((n) => n.slot)).toEqual(['d7', 'd3']);
    expect(pick.upcoming.map((n) => n.slot)).toEqual(['d1', 'd0', 'od', 'esc']);
    expect(pick.catchUp).toEqual([]);
  });

  it('after an outage sends only the latest missed nudge of each kind, and nothing settled', () => {
    const pick = selectPending(all, iso('2027-01-20T12:00:00Z'), new Set(['remind:K-7:1:d7']), 'sweep');
    expect(pick.catchUp.map((n) => n.slot)).toEqual(['d0']);
    expect(pick.upcoming.map((n) => n.slot)).toEqual(['od', 'esc']);
    const after = selectPending(all, iso('2027-01-20T12:00:00Z'), new Set(['remind:K-7:1:d0']), 'sweep');
    expect(after.catchUp).toEqual([]);
  });

  it('leaves alone what was due longer ago than the catch-up horizon, settled or not', () => {
    // The escalation is due Tue 26 Jan 2027; CATCH_UP_DAYS later it is still caught up, a day after that it is not.
    const esc = all.find((n) => n.slot === 'esc') as Nudge;
    const within = new Date(esc.dueAt.getTime() + CATCH_UP_DAYS * 86_400_000);
    expect(selectPending(all, within, new Set(), 'sweep').catchUp.map((n) => n.slot)).toEqual(['esc']);
    const beyond = new Date(within.getTime() + 86_400_000);
    expect(selectPending(all, beyond, new Set(), 'sweep')).toEqual({ upcoming: [], catchUp: [], settle: [] });
    expect(selectPending(all, beyond, new Set(), 'fresh')).toEqual({ upcoming: [], catchUp: [], settle: [] });
  });
});

describe('recipients and messages', () => {
  const people = { owner: ['amara', 'jo'], lead: ['priya'], members: ['amara', 'priya', 'sam'] };
  const base = { nudges: true, nudgesOffFor: [] as string[], coordinators: ['coord'] };

  it('sends to the owner, the lead as well when overdue, and the coordinators on escalation', () => {
    const ids = (a: Parameters<typeof recipientsFor>[0], s = base) => recipientsFor(a, people, s).map((r) => (r.kind === 'user' ? r.userId : r.conversationId));
    expect(ids('owner')).toEqual(['amara', 'jo']);
    expect(ids('owner-and-lead')).toEqual(['amara', 'jo', 'priya']);
    expect(ids('coordinators')).toEqual(['coord']);
    expect(ids('owner', { ...base, nudgesOffFor: ['jo'] })).toEqual(['amara']);
    expect(ids('owner', { ...base, nudges: false })).toEqual([]);
    expect(recipientsFor('consortium', { ...people, conversationId: 'CH1' }, base)).toEqual([{ kind: 'conversation', conversationId: 'CH1' }]);
  });

  it('says what is due when, with buttons to finish or snooze', () => {
    const t = task('2027-01-20T17:30:00Z');
    const [d3] = taskNudges(t, settings, calendar()).filter((n) => n.slot === 'd3');
    const text = replyText(taskNudgeMessage(d3 as Nudge, t, 'Europe/London'));
    expect(text).toContain('K-7 "Pricing schedule" (C-2) is due in 3 working days: Wed 20 Jan 2027, 17:30');
    expect(text).toContain('task done K-7');
    const c = consortium();
    const [h4] = countdownNudges(c, tender('2027-02-05T12:00:00Z'), calendar()).filter((n) => n.slot === 'h4');
    expect(replyText(countdownMessage(h4 as Nudge, c, tender('2027-02-05T12:00:00Z'), 'Europe/London', { done: 3, total: 9, overdue: 1 })))
      .toContain('4 hours to go: C-2\'s bid for T-3 "Community wellbeing" must be submitted by Fri 5 Feb 2027, 12:00');
  });
});

describe('weekly digest', () => {
  it('is due Monday at the start of working hours, or Tuesday after a bank-holiday Monday', () => {
    const cal = calendar();
    const w = digestWeek(iso('2027-01-20T12:00:00Z'), cal);
    expect(w.version).toBe('2027-W03');
    expect(w.sendAt.toISOString()).toBe('2027-01-18T09:00:00.000Z');
    expect(digestWeek(iso('2027-03-31T12:00:00Z'), cal).sendAt.toISOString()).toBe('2027-03-30T08:00:00.000Z');
    expect(digestSchedule({ hoursStart: '08:30', timezone: 'Europe/London' })).toEqual({ pattern: '30 8 * * 1', tz: 'Europe/London' });
  });

  it('lists what is due this week, what is overdue and what was done last week', () => {
    const now = iso('2027-01-18T09:00:00Z');
    const w = digestWeek(now, calendar());
    const tasks = [
      task('2027-01-20T17:30:00Z', { ref: 'K-1', title: 'Pricing' }),
      task('2027-01-15T17:30:00Z', { ref: 'K-2', title: 'Agreement' }),
      task('2027-01-12T17:30:00Z', { ref: 'K-3', title: 'Go/no-go', status: 'done', doneAt: iso('2027-01-13T10:00:00Z') }),
      task('2027-02-12T17:30:00Z', { ref: 'K-4', title: 'Later' }),
    ];
    const content = digestContent(tasks, now, w);
    expect(content.dueThisWeek.map((t) => t.ref)).toEqual(['K-1']);
    expect(content.overdue.map((t) => t.ref)).toEqual(['K-2']);
    expect(content.doneLastWeek.map((t) => t.ref)).toEqual(['K-3']);
    expect(replyText(digestMessage(consortium(), tender('2027-02-05T12:00:00Z'), content, 'Europe/London') ?? { outcome: 'ok', blocks: [] })).toContain('Weekly digest — C-2');
    expect(digestMessage(consortium(), null, { dueThisWeek: [], overdue: [], doneLastWeek: [] }, 'Europe/London')).toBeNull();
  });
});
