// `calendar` hands each person a private feed link; the feed, parsed back by a real
// iCalendar reader, holds their tasks and their consortia's deadlines at the right times.
import ICAL from 'ical.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calendarFeed } from '../../src/core/calendar/feed.js';
import { formConsortium, startOpsCore, type OpsCore } from './ops-core.js';

const WS = 'cal';
const BASE = 'https://consortia.example.org';
let t: OpsCore;
let cref = '';

function parse(ics: string): { calendar: ICAL.Component; events: ICAL.Event[] } {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return { calendar, events: calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c)) };
}

/** The raw, unfolded DTSTART line of the event whose summary contains `title`. */
function dtstart(ics: string, title: string): string | undefined {
  const blocks = ics.replace(/\r\n /g, '').split('BEGIN:VEVENT').slice(1);
  const block = blocks.find((b) => b.includes(title));
  return block?.split('\r\n').find((l) => l.startsWith('DTSTART'));
}

async function linkFor(user: string, text = 'calendar'): Promise<string> {
  const r = await t.say(WS, user, text);
  expect(r.outcome).toBe('ok');
  const m = new RegExp(`${BASE}/calendar/([A-Za-z0-9_-]+)\\.ics`).exec(r.text);
  if (!m?.[1]) throw new Error(`no link in: ${r.text}`);
  return m[1];
}

async function feedFor(token: string): Promise<string | null> {
  return calendarFeed(t.store, token, t.clock.now());
}

beforeAll(async () => {
  t = await startOpsCore(import.meta.url, { publicUrl: BASE });
  cref = await formConsortium(t, WS);
  for (const [user, text] of [
    ['ana', `task add ${cref} "Draft method statement" due 01/06/2027 17:00 owner @ana`],
    ['ana', `task add ${cref} "Gather case studies" due 15/01/2027 09:30 owner @ana`],
    ['ana', `task add ${cref} "Already done" due 20/01/2027 owner @ana`],
    ['ana', 'task done K-3'],
    ['bo', `task add ${cref} "Pricing" due 03/06/2027 owner @bo`],
  ] as const) {
    const r = await t.say(WS, user, text);
    if (r.outcome !== 'ok') throw new Error(`${text}: ${r.text}`);
  }
});
afterAll(async () => t.close());

describe('the calendar command', () => {
  it('gives a private link on the public address, and the same one when asked again', async () => {
    const r = await t.say(WS, 'ana', 'calendar');
    expect(r.private).toBe(true);
    expect(r.text).toContain('Keep it private');
    const first = await linkFor('ana');
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(await linkFor('ana')).toBe(first);
    expect(await linkFor('bo')).not.toBe(first);
  });

  it('refuses anything else after it, changing nothing', async () => {
    const before = await linkFor('ana');
    const r = await t.say(WS, 'ana', 'calendar please');
    expect(r.outcome).toBe('invalid');
    expect(r.text).toContain('calendar reset');
    expect(await linkFor('ana')).toBe(before);
  });
});

describe('the feed', () => {
  it('parses as iCalendar in the workspace zone', async () => {
    const ics = (await feedFor(await linkFor('ana'))) as string;
    expect(ics).toBeTypeOf('string');
    const { calendar } = parse(ics);
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/London');
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/London');
  });

  it('holds the person\'s open tasks at their due times, summer and winter', async () => {
    const ics = (await feedFor(await linkFor('ana'))) as string;
    const { events } = parse(ics);
    const byTitle = (s: string) => events.find((e) => e.summary.includes(s));
    const summer = byTitle('Draft method statement');
    const winter = byTitle('Gather case studies');
    expect(summer?.startDate.toJSDate().toISOString()).toBe('2027-06-01T16:00:00.000Z');
    expect(dtstart(ics, 'Draft method statement')).toBe('DTSTART;TZID=Europe/London:20270601T170000');
    expect(winter?.startDate.toJSDate().toISOString()).toBe('2027-01-15T09:30:00.000Z');
    expect(dtstart(ics, 'Gather case studies')).toBe('DTSTART;TZID=Europe/London:20270115T093000');
    expect(summer?.summary).toContain(cref);
    expect(byTitle('Already done')).toBeUndefined();
    expect(byTitle('Pricing')).toBeUndefined();
  });

  it('holds the tender deadlines of the person\'s consortia', async () => {
    const ics = (await feedFor(await linkFor('ana'))) as string;
    const { events } = parse(ics);
    const deadline = events.find((e) => e.summary === 'Bid deadline: Mental health support (T-1)');
    expect(deadline?.startDate.toJSDate().toISOString()).toBe('2027-07-15T11:00:00.000Z');
    expect(dtstart(ics, 'Bid deadline')).toBe('DTSTART;TZID=Europe/London:20270715T120000');
    expect(deadline?.description).toContain('Bristol ICB');
    const tender = await t.store.scoped(WS).tenders.findOne({ ref: 'T-1' });
    const clarify = events.find((e) => e.summary.startsWith('Clarification questions due'));
    expect(clarify?.startDate.toJSDate().getTime()).toBe(tender?.dates.clarification?.getTime());
    // The same deadline appears in a partner's feed, with its own tasks only.
    const bo = parse((await feedFor(await linkFor('bo'))) as string).events;
    expect(bo.some((e) => e.summary.startsWith('Bid deadline: Mental health support'))).toBe(true);
    expect(bo.some((e) => e.summary.includes('Pricing'))).toBe(true);
    expect(bo.some((e) => e.summary.includes('Draft method statement'))).toBe(false);
  });

  it('gives someone in no consortium an empty but valid calendar', async () => {
    const ics = (await feedFor(await linkFor('nobody'))) as string;
    expect(parse(ics).events).toEqual([]);
  });

  it('follows the workspace\'s time zone when it changes', async () => {
    const token = await linkFor('ana');
    expect((await t.say(WS, 'coord', 'settings timezone America/New_York')).outcome).toBe('ok');
    const ics = (await feedFor(token)) as string;
    expect(dtstart(ics, 'Bid deadline')).toBe('DTSTART;TZID=America/New_York:20270715T070000');
    const deadline = parse(ics).events.find((e) => e.summary.startsWith('Bid deadline'));
    expect(deadline?.startDate.toJSDate().toISOString()).toBe('2027-07-15T11:00:00.000Z');
    await t.say(WS, 'coord', 'settings timezone Europe/London');
  });
});

describe('revoking a link', () => {
  it('calendar reset stops the old link and the new one works', async () => {
    const old = await linkFor('ana');
    const fresh = await linkFor('ana', 'calendar reset');
    expect(fresh).not.toBe(old);
    expect(await feedFor(old)).toBeNull();
    expect(await feedFor(fresh)).toContain('Draft method statement');
    expect(await linkFor('ana')).toBe(fresh);
  });

  it('calendar off stops the link altogether', async () => {
    const token = await linkFor('bo');
    const r = await t.say(WS, 'bo', 'calendar off');
    expect(r.text).toContain('no longer works');
    expect(await feedFor(token)).toBeNull();
    expect(await t.store.scoped(WS).calendarTokens.count({ userId: 'bo' })).toBe(0);
  });

  it('finds nothing for a token that was never issued', async () => {
    expect(await feedFor('x'.repeat(32))).toBeNull();
    expect(await feedFor('../../etc/passwd')).toBeNull();
  });
});
