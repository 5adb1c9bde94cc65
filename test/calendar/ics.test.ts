import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { PRODID, buildIcs, escapeText, foldLine } from '../../src/core/calendar/ics.js';
import type { IcsEvent, IcsOptions } from '../../src/core/calendar/ics.js';

const NOW = new Date('2026-11-02T09:15:00Z');

function feed(events: IcsEvent[], extra: Partial<IcsOptions> = {}): string {
  return buildIcs({ calendarName: 'Bid deadlines', timezone: 'Europe/London', events, now: NOW, ...extra });
}

function parse(ics: string): { calendar: ICAL.Component; events: ICAL.Event[] } {
  const calendar = new ICAL.Component(ICAL.parse(ics));
  return { calendar, events: calendar.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c)) };
}

/** Physical lines, without their CRLF. */
function lines(ics: string): string[] {
  return ics.split('\r\n').slice(0, -1);
}

/** Logical lines: folds undone as RFC 5545 says (CRLF followed by one space). */
function unfolded(ics: string): string[] {
  return lines(ics.replace(/\r\n /g, ''));
}

describe('calendar feed structure', () => {
  const ics = feed([{ uid: 'T-1-submission', title: 'Submission: Meals on wheels', start: new Date('2027-01-15T17:00:00Z') }]);

  it('uses CRLF line endings throughout and ends with one', () => {
    expect(ics.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('describes itself as a published Gregorian calendar in the workspace zone', () => {
    const { calendar } = parse(ics);
    expect(calendar.getFirstPropertyValue('prodid')).toBe(PRODID);
    expect(PRODID).toBe('-//Consortia//Bid deadlines//EN');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Bid deadlines');
    expect(calendar.getFirstPropertyValue('x-wr-timezone')).toBe('Europe/London');
    expect(calendar.getFirstSubcomponent('vtimezone')?.getFirstPropertyValue('tzid')).toBe('Europe/London');
  });

  it('defines London summer time by its yearly rule', () => {
    const text = unfolded(ics).join('\n');
    expect(text).toMatch(/BEGIN:DAYLIGHT\nTZOFFSETFROM:\+0000\nTZOFFSETTO:\+0100\nTZNAME:BST\nDTSTART:\d{8}T010000\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU/);
    expect(text).toMatch(/BEGIN:STANDARD\nTZOFFSETFROM:\+0100\nTZOFFSETTO:\+0000\nTZNAME:GMT\nDTSTART:\d{8}T020000\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU/);
  });

  it('stamps each event with the generation time and a reminder the day before', () => {
    const { events } = parse(ics);
    const event = events[0]!;
    expect(event.uid).toBe('T-1-submission');
    expect(event.component.getFirstPropertyValue('dtstamp')?.toString()).toBe('2026-11-02T09:15:00Z');
    const alarm = event.component.getFirstSubcomponent('valarm');
    expect(alarm?.getFirstPropertyValue('action')).toBe('DISPLAY');
    expect((alarm?.getFirstPropertyValue('trigger') as ICAL.Duration).toSeconds()).toBe(-86_400);
  });

  it('leaves the reminder out when asked', () => {
    const out = feed([{ uid: 'a', title: 'No alarm', start: new Date('2027-01-15T17:00:00Z'), remindDaysBefore: 0 }]);
    expect(out).not.toContain('VALARM');
  });

  it('leaves out events whose start is not a real date', () => {
    const out = feed([
      { uid: 'bad', title: 'Bad', start: new Date('nonsense') },
      { uid: 'good', title: 'Good', start: new Date('2027-03-01T12:00:00Z') },
    ]);
    expect(parse(out).events.map((e) => e.uid)).toEqual(['good']);
  });
});

describe('times', () => {
  it('writes wall-clock times in the zone, winter and summer', () => {
    const ics = feed([
      { uid: 'w', title: 'Winter', start: new Date('2027-01-15T17:00:00Z') },
      { uid: 's', title: 'Summer', start: new Date('2027-07-15T16:00:00Z'), end: new Date('2027-07-15T17:30:00Z') },
    ]);
    const text = unfolded(ics);
    expect(text).toContain('DTSTART;TZID=Europe/London:20270115T170000');
    expect(text).toContain('DTSTART;TZID=Europe/London:20270715T170000');
    expect(text).toContain('DTEND;TZID=Europe/London:20270715T183000');
    const [winter, summer] = parse(ics).events;
    expect(winter!.startDate.zone?.tzid).toBe('Europe/London');
    expect(winter!.startDate.toJSDate().toISOString()).toBe('2027-01-15T17:00:00.000Z');
    expect(summer!.startDate.toJSDate().toISOString()).toBe('2027-07-15T16:00:00.000Z');
    expect(summer!.endDate.toJSDate().toISOString()).toBe('2027-07-15T17:30:00.000Z');
  });

  it('gives a deadline with no end no DTEND', () => {
    const ics = feed([{ uid: 'd', title: 'Deadline', start: new Date('2027-07-15T16:00:00Z') }]);
    expect(ics).not.toContain('DTEND');
  });

  it('keeps both 01:30s of the autumn change apart', () => {
    const first = new Date('2026-10-25T00:30:00Z'); // 01:30 BST
    const second = new Date('2026-10-25T01:30:00Z'); // 01:30 GMT, an hour later
    const ics = feed([{ uid: 'a', title: 'First', start: first }, { uid: 'b', title: 'Second', start: second }]);
    // The same wall time names two instants, so neither may be written as one.
    expect(unfolded(ics)).toEqual(expect.arrayContaining(['DTSTART:20261025T003000Z', 'DTSTART:20261025T013000Z']));
    const [a, b] = parse(ics).events;
    expect(a!.startDate.toJSDate().getTime()).toBe(first.getTime());
    expect(b!.startDate.toJSDate().getTime()).toBe(second.getTime());
  });

  it('round-trips any instant in any zone through a calendar client', () => {
    const zones = ['Europe/London', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata', 'America/Sao_Paulo', 'Europe/Dublin', 'Pacific/Chatham'];
    const anyTime = fc.integer({ min: Date.UTC(2016, 0, 1) / 1000, max: Date.UTC(2036, 0, 1) / 1000 }).map((s) => new Date(s * 1000));
    // Times within a few hours of a clock change are where a wrong definition shows.
    const nearChange = fc.tuple(fc.integer({ min: 2016, max: 2035 }), fc.constantFrom(2, 3, 3, 4, 9, 10, 10, 11), fc.integer({ min: 0, max: 31 * 24 * 4 - 1 }))
      .map(([year, month, quarter]) => new Date(Date.UTC(year, month, 1) + quarter * 900_000 - 24 * 3_600_000));
    const instant = fc.oneof(anyTime, nearChange);
    fc.assert(fc.property(fc.constantFrom(...zones), fc.array(instant, { minLength: 1, maxLength: 4 }), (timezone, starts) => {
      const ics = feed(starts.map((start, i) => ({ uid: `e${i}`, title: `Event ${i}`, start })), { timezone });
      const { events } = parse(ics);
      expect(events.map((e) => e.startDate.toJSDate().getTime())).toEqual(starts.map((d) => d.getTime()));
    }), { numRuns: 60 });
  });

  it('describes a zone whose rules changed by each change, exactly', () => {
    // Brazil stopped daylight saving in 2019, so no single yearly rule covers 2018–2020.
    const starts = [new Date('2018-12-01T15:00:00Z'), new Date('2019-06-01T15:00:00Z'), new Date('2020-01-10T15:00:00Z')];
    const ics = feed(starts.map((start, i) => ({ uid: `b${i}`, title: 'Prazo', start })), { timezone: 'America/Sao_Paulo' });
    expect(ics).not.toContain('RRULE');
    expect(unfolded(ics)).toContain('DTSTART;TZID=America/Sao_Paulo:20181201T130000');
    expect(parse(ics).events.map((e) => e.startDate.toJSDate().getTime())).toEqual(starts.map((d) => d.getTime()));
  });

  it('writes plain UTC times for a UTC workspace, and for an unknown zone', () => {
    for (const timezone of ['UTC', 'Not/AZone']) {
      const ics = feed([{ uid: 'u', title: 'UTC', start: new Date('2027-07-15T16:00:00Z') }], { timezone });
      expect(ics).toContain('DTSTART:20270715T160000Z');
      expect(ics).not.toContain('VTIMEZONE');
      expect(parse(ics).events[0]!.startDate.toJSDate().toISOString()).toBe('2027-07-15T16:00:00.000Z');
    }
  });

  it('gives all-day events the date in the workspace zone, ending the next day', () => {
    // 23:30 UTC on 14 July is already 15 July in London.
    const ics = feed([{ uid: 'day', title: 'Clarifications close', start: new Date('2027-07-14T23:30:00Z'), allDay: true }]);
    expect(unfolded(ics)).toContain('DTSTART;VALUE=DATE:20270715');
    expect(unfolded(ics)).toContain('DTEND;VALUE=DATE:20270716');
    const event = parse(ics).events[0]!;
    expect(event.startDate.isDate).toBe(true);
    expect(event.startDate.toString()).toBe('2027-07-15');
    expect(event.endDate.toString()).toBe('2027-07-16');
  });
});

describe('hostile text', () => {
  const hostile = 'Bid; "Meals, on wheels" \\ back\r\nslash\nnew line\rcarriage 😀 👩🏽‍🤝‍👩🏻 £€ ünïcödé\u0000\u0007';
  const expected = 'Bid; "Meals, on wheels" \\ back\nslash\nnew line\ncarriage 😀 👩🏽‍🤝‍👩🏻 £€ ünïcödé';

  it('escapes backslashes, semicolons, commas and line breaks, and drops control characters', () => {
    expect(escapeText('a\\b;c,d\ne')).toBe('a\\\\b\\;c\\,d\\ne');
    const ics = feed([{ uid: 'x;y,z', title: hostile, description: hostile, start: new Date('2027-01-15T17:00:00Z') }]);
    const event = parse(ics).events[0]!;
    expect(event.summary).toBe(expected);
    expect(event.description).toBe(expected);
    expect(event.uid).toBe('x;y,z');
  });

  it('cannot inject lines or events through any field', () => {
    const injection = 'x\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:owned';
    const ics = feed([{ uid: injection, title: injection, description: injection, url: `https://example.org/${injection}`, start: new Date('2027-01-15T17:00:00Z') }]);
    expect(unfolded(ics).filter((l) => l.startsWith('BEGIN:VEVENT'))).toHaveLength(1);
    expect(ics).not.toContain('URL:');
    expect(parse(ics).events).toHaveLength(1);
  });

  it('keeps a safe link and adds it to the description for clients that hide URL', () => {
    const url = 'https://www.contractsfinder.service.gov.uk/Notice/be92ba01?a=1,2;b';
    const event = parse(feed([{ uid: 'l', title: 'T', start: new Date('2027-01-15T17:00:00Z'), url }])).events[0]!;
    expect(event.component.getFirstPropertyValue('url')).toBe(url);
    expect(event.description).toBe(url);
  });

  it('folds a 2,000-character title at 75 octets without splitting a character or an escape', () => {
    const title = Array.from({ length: 2_000 }, (_, i) => 'a;é😀,\n€'[i % 7]).join('');
    const ics = feed([{ uid: 'long', title, start: new Date('2027-01-15T17:00:00Z') }]);
    for (const line of lines(ics)) {
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
      expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
      expect(line).not.toMatch(/(^|[^\\])(\\\\)*\\$/);
    }
    expect(lines(ics).filter((l) => l.startsWith(' ')).length).toBeGreaterThan(30);
    expect(parse(ics).events[0]!.summary).toBe(title);
  });

  it('folds any text so that unfolding gives it back', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme', minLength: 60, maxLength: 400 }), (text) => {
      const line = `SUMMARY:${escapeText(text)}`;
      const folded = foldLine(line);
      for (const part of folded.split('\r\n')) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
      expect(folded.replace(/\r\n /g, '')).toBe(line);
    }), { numRuns: 200 });
  });
});
