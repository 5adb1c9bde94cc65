import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Block, Form, FormField, Reply } from '../../src/core/reply.js';
import { CARD_SCHEMA, TEAMS_CAPS, TEAMS_LIMITS, cardProblems, jsonBytes } from '../../adapters/teams/teams.limits.js';
import type { AdaptiveCard, CardElement, TextBlock } from '../../adapters/teams/teams.limits.js';
import { neutraliseMarkdown, parseCardSubmit, renderCard, renderFormCard } from '../../adapters/teams/teams.renderer.js';
import { controlFree } from '../helpers/control.js';

const ok = (...blocks: Block[]): Reply => ({ outcome: 'ok', blocks });

/** Every TextBlock anywhere in a card, including table cells. */
function textBlocks(elements: CardElement[]): TextBlock[] {
  return elements.flatMap((e) => (e.type === 'TextBlock' ? [e] : e.type === 'Table' ? e.rows.flatMap((r) => r.cells.flatMap((c) => textBlocks(c.items))) : []));
}
const allText = (cards: AdaptiveCard[]): string[] => cards.flatMap((c) => [...textBlocks(c.body).map((t) => t.text), ...c.body.flatMap((e) => (e.type === 'FactSet' ? e.facts.flatMap((f) => [f.title, f.value]) : []))]);
const moreCount = (texts: string[], noun: string): number | undefined => {
  for (const t of texts) {
    const m = new RegExp(`…and (\\d+) more ${noun}`).exec(t);
    if (m) return Number(m[1]);
  }
  return undefined;
};
/** Whether shown text is free of control characters and direction overrides (values are data, not shown). */
const body = (cards: AdaptiveCard[]): CardElement[] => cards.flatMap((c) => c.body);

// ——— Generators: hostile text, huge content ———

const hostile = fc.constantFrom('[click](http://evil.example)', '<at>Bob</at>', '<@U123ABC>', '![img](http://x/y.png)', '"', '\\', '\u0000', '\u202E', '\uD800', '**bold**', '\n', '\r', 'é', '😀', '£1.2m', ',', '%2C');
const fragment = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), hostile);
const shortText = fc.array(fragment, { maxLength: 6 }).map((p) => p.join(''));
const longText = fc.oneof(
  shortText,
  fc.tuple(shortText, fc.integer({ min: 0, max: 40_000 }), fc.constantFrom('word ', '😀', '"', 'x', '\n')).map(([a, n, unit]) => a + unit.repeat(Math.ceil(n / unit.length))),
);
const bigArray = <T>(arb: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> =>
  fc.oneof(fc.array(arb, { maxLength: 8 }), fc.tuple(arb, fc.integer({ min: 0, max })).map(([x, n]) => Array.from({ length: n }, () => x)));

const button = fc.record({ label: shortText, command: fc.oneof(shortText, fc.constant('propose T-3 1'), fc.constant('x'.repeat(2500))), style: fc.constantFrom(undefined, 'primary' as const, 'danger' as const) });
const block: fc.Arbitrary<Block> = fc.oneof(
  fc.record({ kind: fc.constant('heading' as const), text: longText }),
  fc.record({ kind: fc.constant('text' as const), text: longText }),
  fc.record({ kind: fc.constant('fields' as const), fields: bigArray(fc.record({ label: shortText, value: longText }), 200) }),
  fc.record({ kind: fc.constant('list' as const), title: fc.option(shortText, { nil: undefined }), items: bigArray(shortText, 10_000) }),
  fc.record({
    kind: fc.constant('grid' as const),
    grid: fc.record({ title: fc.option(longText, { nil: undefined }), columns: bigArray(shortText, 40), rows: bigArray(fc.record({ label: shortText, cells: fc.array(shortText, { maxLength: 40 }) }), 300) }),
  }),
  fc.record({ kind: fc.constant('buttons' as const), buttons: bigArray(button, 500) }),
  fc.constant({ kind: 'divider' as const }),
);
const replyArb: fc.Arbitrary<Reply> = fc.record({ outcome: fc.constant('ok' as const), blocks: bigArray(block, 120) });

const option = fc.record({ value: fc.oneof(shortText, fc.constant('a,b'), fc.constant('50%,')), label: longText });
const formField: fc.Arbitrary<FormField> = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/),
  label: shortText,
  type: fc.constantFrom('text', 'textarea', 'number', 'money', 'date', 'select', 'multiselect', 'boolean'),
  required: fc.option(fc.boolean(), { nil: undefined }),
  hint: fc.option(longText, { nil: undefined }),
  placeholder: fc.option(shortText, { nil: undefined }),
  options: fc.option(bigArray(option, 300), { nil: undefined }),
  allowOther: fc.option(fc.boolean(), { nil: undefined }),
  initial: fc.option(fc.oneof(shortText, fc.constant('15/01/2027'), fc.constant('42'), fc.array(shortText, { maxLength: 3 })), { nil: undefined }),
});
const formArb: fc.Arbitrary<Form> = fc.record({
  id: fc.stringMatching(/^[a-z-]{1,30}$/),
  title: shortText,
  submitLabel: shortText,
  fields: fc.array(formField, { maxLength: 30 }),
  errors: fc.option(fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), shortText, { maxKeys: 5 }), { nil: undefined }),
  context: fc.option(fc.stringMatching(/^[A-Z]-\d{1,4}$/), { nil: undefined }),
});

describe('renderCard', () => {
  it('renders each kind of block as its Adaptive Card counterpart', () => {
    const cards = renderCard(
      ok(
        { kind: 'heading', text: 'Tender T-3' },
        { kind: 'text', text: 'Two proposals.' },
        { kind: 'divider' },
        { kind: 'fields', fields: [{ label: 'Value', value: '£1.2m' }] },
        { kind: 'list', title: 'Gaps', items: ['Advice in Bath', 'Housing in Bristol'] },
        { kind: 'grid', grid: { title: 'Coverage', columns: ['Bristol', 'Bath'], rows: [{ label: 'Advice', cells: ['Org A', ''] }] } },
        { kind: 'buttons', buttons: [{ label: 'Propose 1', command: 'propose T-3 1', style: 'primary' }, { label: 'Decline', command: 'decline C-4', style: 'danger' }] },
      ),
    );
    expect(cards).toHaveLength(1);
    const [card] = cards;
    expect(cardProblems(card!)).toEqual([]);
    expect(card).toMatchObject({ $schema: CARD_SCHEMA, type: 'AdaptiveCard', version: '1.5' });
    expect(card!.body.map((e) => e.type)).toEqual(['TextBlock', 'TextBlock', 'FactSet', 'TextBlock', 'TextBlock', 'TextBlock', 'Table', 'ActionSet']);
    expect(card!.body[0]).toEqual({ type: 'TextBlock', text: 'Tender T-3', wrap: true, size: 'Large', weight: 'Bolder' });
    expect(card!.body[2]).toEqual({ type: 'FactSet', facts: [{ title: 'Value', value: '£1.2m' }], separator: true });
    expect(card!.body[4]).toMatchObject({ type: 'TextBlock', text: '- Advice in Bath\r- Housing in Bristol' });
    const table = card!.body[6]!;
    expect(table.type === 'Table' && table.firstRowAsHeader).toBe(true);
    expect(table.type === 'Table' && table.rows.map((r) => r.cells.map((c) => c.items[0]?.text))).toEqual([
      [undefined, 'Bristol', 'Bath'],
      ['Advice', 'Org A', '—'],
    ]);
    expect(card!.body[7]).toEqual({
      type: 'ActionSet',
      actions: [
        { type: 'Action.Submit', title: 'Propose 1', data: { consortiaCommand: 'propose T-3 1' }, style: 'positive' },
        { type: 'Action.Submit', title: 'Decline', data: { consortiaCommand: 'decline C-4' }, style: 'destructive' },
      ],
    });
  });

  it('returns no cards for a reply with nothing to show', () => {
    expect(renderCard(ok())).toEqual([]);
  });

  it('neutralises links and mentions in user text but keeps the core’s mention tokens', () => {
    const evil = 'See [our site](http://evil.example) <at>Everyone</at> ![x](http://evil.example/p.png) for <@U123ABC>\u202E';
    const cards = renderCard(ok({ kind: 'heading', text: evil }, { kind: 'text', text: evil }, { kind: 'fields', fields: [{ label: evil, value: evil }] }, { kind: 'list', items: [evil] }, { kind: 'grid', grid: { columns: [evil], rows: [{ label: evil, cells: [evil] }] } }));
    const texts = allText(cards);
    expect(texts.length).toBeGreaterThanOrEqual(7);
    for (const t of texts) {
      expect(t).not.toMatch(/\]\(/);
      expect(t).not.toMatch(/<\/?at>/i);
      expect(t).not.toContain('\u202E');
      if (!t.endsWith('…')) expect(t).toContain('<@U123ABC>');
    }
    expect(texts.filter((t) => t.includes('<@U123ABC>')).length).toBeGreaterThanOrEqual(5);
    expect(neutraliseMarkdown('[a](b) <at>x</at> a<b')).toBe('[a]\u200B(b) <\u200Bat>x<\u200B/at> a<\u200Bb');
  });

  it('splits a long reply over cards under the size limit, keeping the text in order', () => {
    const texts = Array.from({ length: 60 }, (_, i) => `${i}: ${'lorem ipsum '.repeat(170)}`);
    const cards = renderCard(ok(...texts.map((text): Block => ({ kind: 'text', text }))));
    expect(cards.length).toBeGreaterThan(3);
    for (const c of cards) expect(cardProblems(c)).toEqual([]);
    expect(allText(cards)).toEqual(texts);
  });

  it('moves a heading that would end a card to the start of the next', () => {
    const blocks: Block[] = [];
    for (let i = 0; i < 30; i++) blocks.push({ kind: 'heading', text: `Part ${i}` }, { kind: 'text', text: 'x '.repeat(2000) });
    const cards = renderCard(ok(...blocks));
    expect(cards.length).toBeGreaterThan(1);
    for (const c of cards) expect(c.body.at(-1)).not.toMatchObject({ size: 'Large' });
  });

  it('cuts an enormous text and counts the characters left out', () => {
    const cards = renderCard(ok({ kind: 'text', text: '😀'.repeat(100_000) }));
    const shown = [...allText(cards).filter((t) => !t.includes('more characters')).join('')].length;
    expect(shown).toBe(TEAMS_CAPS.textChars);
    expect(moreCount(allText(cards), 'characters')).toBe(100_000 - shown);
    for (const c of cards) expect(cardProblems(c)).toEqual([]);
  });

  it('counts the list items, facts and buttons left out', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => `Organisation ${i}`);
    const fields = Array.from({ length: 250 }, (_, i) => ({ label: `L${i}`, value: `V${i}` }));
    const buttons = Array.from({ length: 500 }, (_, i) => ({ label: `Done K-${i}`, command: `task done K-${i}` }));
    const cards = renderCard(ok({ kind: 'list', items }, { kind: 'fields', fields }, { kind: 'buttons', buttons }));
    for (const c of cards) expect(cardProblems(c)).toEqual([]);
    const texts = allText(cards);
    const lines = texts.flatMap((t) => t.split('\r')).filter((l) => l.startsWith('- Organisation'));
    expect(lines.map((l) => l.slice(2))).toEqual(items.slice(0, lines.length));
    expect(moreCount(texts, 'items')).toBe(10_000 - lines.length);
    const facts = body(cards).flatMap((e) => (e.type === 'FactSet' ? e.facts : []));
    expect(moreCount(texts, 'fields')).toBe(250 - facts.length);
    const actions = body(cards).flatMap((e) => (e.type === 'ActionSet' ? e.actions : []));
    expect(body(cards).every((e) => e.type !== 'ActionSet' || e.actions.length <= TEAMS_LIMITS.actionsPerSet)).toBe(true);
    expect(actions.map((a) => a.data.consortiaCommand)).toEqual(buttons.slice(0, actions.length).map((b) => b.command));
    expect(moreCount(texts, 'buttons')).toBe(500 - actions.length);
  });

  it('truncates a wide, long grid and counts the columns and rows left out', () => {
    const columns = Array.from({ length: 30 }, (_, i) => `Area ${i}`);
    const rows = Array.from({ length: 200 }, (_, r) => ({ label: `Service ${r}`, cells: columns.map((_, c) => ((r + c) % 3 ? `Org ${c}` : '')) }));
    const cards = renderCard(ok({ kind: 'grid', grid: { columns, rows } }));
    for (const c of cards) expect(cardProblems(c)).toEqual([]);
    const table = body(cards).find((e) => e.type === 'Table');
    if (table?.type !== 'Table') throw new Error('no table');
    const shownColumns = table.columns.length - 1;
    const shownRows = table.rows.length - 1;
    expect(moreCount(allText(cards), 'columns')).toBe(30 - shownColumns);
    expect(moreCount(allText(cards), 'rows')).toBe(200 - shownRows);
    expect(table.rows[1]!.cells[0]!.items[0]!.text).toBe('Service 0');
  });

  it('stops after ten cards and counts the parts of the reply left out', () => {
    const blocks: Block[] = Array.from({ length: 400 }, (_, i) => ({ kind: 'text', text: `${i} ${'y'.repeat(1500)}` }));
    const cards = renderCard(ok(...blocks));
    expect(cards).toHaveLength(TEAMS_CAPS.cardsPerReply);
    const shown = allText(cards).filter((t) => t.endsWith('y')).length;
    expect(moreCount(allText(cards), 'parts')).toBe(400 - shown);
  });

  it('keeps every card valid and under the size limit, whatever the reply', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        const cards = renderCard(reply);
        expect(cards.length).toBeLessThanOrEqual(TEAMS_CAPS.cardsPerReply);
        for (const c of cards) {
          expect(cardProblems(c)).toEqual([]);
          expect(controlFree(c)).toBe(true);
          expect(jsonBytes(c)).toBeLessThanOrEqual(TEAMS_LIMITS.cardBytes);
        }
      }),
      { numRuns: 40 },
    );
    // Forty large replies rendered and checked: seconds alone, far longer beside the other
    // test files on a busy two-core machine. The limit is for a hang, not a speed check.
  }, 180_000);
});

describe('the card check', () => {
  it('notices cards Teams would refuse or render wrongly', () => {
    const bad = {
      $schema: CARD_SCHEMA,
      type: 'AdaptiveCard',
      version: '1.4',
      body: [
        { type: 'TextBlock', text: '' },
        { type: 'FactSet', facts: [] },
        { type: 'Input.Text', id: 'a' },
        { type: 'Input.Date', id: 'a', value: '15/01/2027' },
        { type: 'Input.ChoiceSet', id: 'c', choices: [], style: 'compact' },
        { type: 'ActionSet', actions: [{ type: 'Action.Submit', title: '', data: {} }] },
        { type: 'TextBlock', text: 'x'.repeat(30_000) },
      ],
    } as unknown as AdaptiveCard;
    expect(cardProblems(bad)).toEqual([
      'version must be 1.5',
      'body[0]: TextBlock needs text',
      'body[1]: FactSet needs facts',
      'body[3]: duplicate input id a',
      'body[3]: date value 15/01/2027',
      'body[4]: Input.ChoiceSet needs choices',
      'body[5].actions[0]: Action.Submit needs a title',
      `${jsonBytes(bad)} bytes > ${TEAMS_LIMITS.cardBytes}`,
    ]);
  });
});

describe('renderFormCard', () => {
  const form: Form = {
    id: 'org-register',
    title: 'Register your organisation',
    submitLabel: 'Register',
    context: 'T-7',
    errors: { income: 'Income must be an amount, like £85,000.', _form: 'Nearly there' },
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'about', label: 'About', type: 'textarea' },
      { name: 'years', label: 'Years', type: 'number', initial: '3' },
      { name: 'income', label: 'Annual income', type: 'money', required: true },
      { name: 'deadline', label: 'Deadline', type: 'date', initial: '15/01/2027' },
      { name: 'home', label: 'Home area', type: 'select', options: [{ value: 'bristol', label: 'Bristol' }, { value: 'bath', label: 'Bath' }], initial: 'bath', required: true },
      { name: 'services', label: 'Services', type: 'multiselect', allowOther: true, options: [{ value: 'advice', label: 'Advice' }, { value: 'food, drink', label: 'Food and drink' }], initial: ['food, drink', 'gardening'] },
      { name: 'lead', label: 'Willing to lead', type: 'boolean', initial: 'yes' },
    ],
  };

  it('gives each field a typed, labelled input and shows errors in red under their fields', () => {
    const card = renderFormCard(form);
    expect(cardProblems(card)).toEqual([]);
    const inputs = card.body.filter((e) => e.type.startsWith('Input.'));
    expect(inputs.map((e) => [e.type, 'id' in e ? e.id : ''])).toEqual([
      ['Input.Text', 'name'],
      ['Input.Text', 'about'],
      ['Input.Number', 'years'],
      ['Input.Text', 'income'],
      ['Input.Date', 'deadline'],
      ['Input.ChoiceSet', 'home'],
      ['Input.ChoiceSet', 'services'],
      ['Input.Text', 'services__other'],
      ['Input.Toggle', 'lead'],
    ]);
    expect(inputs[0]).toMatchObject({ label: 'Name', isRequired: true, errorMessage: 'Name is required.' });
    expect(inputs[1]).toMatchObject({ isMultiline: true });
    expect(inputs[2]).toMatchObject({ value: 3 });
    expect(inputs[4]).toMatchObject({ value: '2027-01-15' });
    expect(inputs[5]).toMatchObject({ style: 'compact', value: 'bath', isRequired: true });
    expect(inputs[6]).toMatchObject({ style: 'compact', isMultiSelect: true });
    expect(inputs[7]).toMatchObject({ value: 'gardening' });
    expect(inputs[8]).toMatchObject({ title: 'Willing to lead', valueOn: 'yes', valueOff: 'no', value: 'yes' });
    const incomeAt = card.body.findIndex((e) => 'id' in e && e.id === 'income');
    const after = card.body.slice(incomeAt + 1, incomeAt + 3);
    expect(after).toContainEqual(expect.objectContaining({ type: 'TextBlock', text: 'Income must be an amount, like £85,000.', color: 'Attention' }));
    expect(card.body[1]).toMatchObject({ type: 'TextBlock', text: 'Nearly there', color: 'Attention' });
    expect(card.actions).toEqual([expect.objectContaining({ type: 'Action.Submit', title: 'Register', data: expect.objectContaining({ consortiaForm: 'org-register', consortiaContext: 'T-7' }) })]);
  });

  it('lists 100 of 300 choices and offers a box for the rest', () => {
    const options = Array.from({ length: 300 }, (_, i) => ({ value: `area-${i}`, label: `Area ${i}` }));
    const card = renderFormCard({ id: 'f', title: 'Areas', submitLabel: 'Save', fields: [{ name: 'area', label: 'Area', type: 'select', options, required: true }] });
    expect(cardProblems(card)).toEqual([]);
    const choice = card.body.find((e) => e.type === 'Input.ChoiceSet');
    expect(choice?.type === 'Input.ChoiceSet' && choice.choices.length).toBe(100);
    expect(card.body.find((e) => e.type === 'Input.Text')).toMatchObject({ id: 'area__other' });
    expect(moreCount(textBlocks(card.body).map((t) => t.text), 'options')).toBe(200);
  });

  it('shortens choice lists, then leaves fields out, to stay under the size limit', () => {
    const options = Array.from({ length: 300 }, (_, i) => ({ value: `v${i}-${'k'.repeat(40)}`, label: `${'Label '.repeat(20)}${i}` }));
    const fields: FormField[] = Array.from({ length: 40 }, (_, i) => ({ name: `f${i}`, label: `Field ${i}`, type: 'multiselect', options, hint: 'h'.repeat(900) }));
    const card = renderFormCard({ id: 'big', title: 'Big', submitLabel: 'Go', fields });
    expect(cardProblems(card)).toEqual([]);
    const choiceSets = card.body.filter((e) => e.type === 'Input.ChoiceSet');
    expect(choiceSets.length).toBeLessThan(40);
    expect(moreCount(textBlocks(card.body).map((t) => t.text), 'fields not shown')).toBe(40 - choiceSets.length);
  });

  it('keeps every form card valid and under the size limit, whatever the form', () => {
    fc.assert(
      fc.property(formArb, (f) => {
        const card = renderFormCard(f);
        expect(cardProblems(card)).toEqual([]);
        expect(controlFree(card)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});

/** What Teams sends for a submit pressed without changing anything: the data plus each input's value. */
function submitUntouched(card: AdaptiveCard): Record<string, unknown> {
  const value: Record<string, unknown> = { ...card.actions![0]!.data };
  for (const e of card.body) {
    if (e.type === 'Input.Toggle') value[e.id] = e.value ?? e.valueOff;
    else if (e.type.startsWith('Input.') && 'id' in e) value[e.id] = 'value' in e && e.value !== undefined ? String(e.value) : '';
  }
  return value;
}

describe('parseCardSubmit', () => {
  it('reads a button press as its command', () => {
    expect(parseCardSubmit({ consortiaCommand: 'propose T-3 1' })).toEqual({ kind: 'command', text: 'propose T-3 1' });
  });

  it('ignores anything this renderer did not produce', () => {
    for (const v of [null, 'text', 42, [], {}, { consortiaCommand: 7 }, { consortiaForm: 3 }, { consortiaCommand: '  ' }]) expect(parseCardSubmit(v)).toBeNull();
  });

  it('reads a form back with UK dates, split multiselects and merged free text', () => {
    const data = renderFormCard(form()).actions![0]!.data;
    const result = parseCardSubmit({ ...data, name: 'Hub', deadline: '2027-01-15', services: 'advice,food%2C drink', services__other: ' gardening, advice ', area: '', area__other: 'St. Pauls', lead: 'no' });
    expect(result).toEqual({
      kind: 'form',
      id: 'f',
      context: 'T-9',
      values: { name: 'Hub', deadline: '15/01/2027', services: ['advice', 'food, drink', 'gardening'], area: 'St. Pauls', lead: 'no' },
    });
    function form(): Form {
      return {
        id: 'f',
        title: 'F',
        submitLabel: 'Go',
        context: 'T-9',
        fields: [
          { name: 'name', label: 'Name', type: 'text' },
          { name: 'deadline', label: 'Deadline', type: 'date' },
          { name: 'services', label: 'Services', type: 'multiselect', allowOther: true, options: [{ value: 'advice', label: 'Advice' }, { value: 'food, drink', label: 'Food' }] },
          { name: 'area', label: 'Area', type: 'select', allowOther: true, options: [{ value: 'bath', label: 'Bath' }] },
          { name: 'lead', label: 'Lead', type: 'boolean' },
        ],
      };
    }
  });

  it('accepts a form submit that carries only an id and context', () => {
    expect(parseCardSubmit({ consortiaForm: 'f', context: 'T-1', title: 'x' })).toEqual({ kind: 'form', id: 'f', context: 'T-1', values: { title: 'x' } });
  });

  it('reads back exactly the initial values a form card was sent with', () => {
    const pool = fc.constantFrom('a', 'b', 'c,d', '50%,', '%2C', 'St. Pauls', 'zz');
    const options = fc.uniqueArray(pool, { maxLength: 5 }).map((vs) => vs.map((value) => ({ value, label: value.toUpperCase() })));
    const field: fc.Arbitrary<FormField> = fc.oneof(
      fc.record({ name: fc.constant('t'), label: fc.constant('T'), type: fc.constant('text' as const), initial: shortText }),
      fc.record({ name: fc.constant('n'), label: fc.constant('N'), type: fc.constant('number' as const), initial: fc.integer().map(String) }),
      fc.record({ name: fc.constant('d'), label: fc.constant('D'), type: fc.constant('date' as const), initial: fc.constantFrom('15/01/2027', '2027-02-28', '1/3/2028') }),
      fc.record({ name: fc.constant('s'), label: fc.constant('S'), type: fc.constant('select' as const), allowOther: fc.constant(true), options, initial: pool }),
      fc.record({ name: fc.constant('m'), label: fc.constant('M'), type: fc.constant('multiselect' as const), allowOther: fc.constant(true), options, initial: fc.uniqueArray(pool, { maxLength: 4 }) }),
      fc.record({ name: fc.constant('b'), label: fc.constant('B'), type: fc.constant('boolean' as const), initial: fc.constantFrom('yes', 'no') }),
    );
    const uk = (d: string): string => {
      const [day, month, year] = d.includes('/') ? d.split('/') : d.split('-').reverse();
      return `${day!.padStart(2, '0')}/${month!.padStart(2, '0')}/${year}`;
    };
    fc.assert(
      fc.property(fc.uniqueArray(field, { selector: (f) => f.name, maxLength: 6 }), (fields) => {
        const parsed = parseCardSubmit(submitUntouched(renderFormCard({ id: 'f', title: 'F', submitLabel: 'Go', fields })));
        if (parsed?.kind !== 'form') throw new Error('not a form');
        const expected = Object.fromEntries(
          fields.map((f) => {
            const initial = f.initial as string | string[];
            if (f.type === 'date') return [f.name, uk(initial as string)];
            // Values off the list travel as comma-separated free text, so they come back split.
            if (f.type === 'multiselect') return [f.name, expect.any(Array)];
            return [f.name, initial];
          }),
        );
        expect(parsed.values).toEqual(expected);
        const multi = fields.find((f) => f.type === 'multiselect');
        if (multi) {
          const listed = (v: string): boolean => multi.options!.some((o) => o.value === v);
          const expected = (multi.initial as string[]).flatMap((v) => (listed(v) ? [v] : v.split(',').map((x) => x.trim()).filter(Boolean)));
          expect(new Set(parsed.values.m)).toEqual(new Set(expected));
          expect((parsed.values.m as string[]).filter(listed)).toEqual((multi.initial as string[]).filter(listed));
        }
      }),
      { numRuns: 150 },
    );
  });
});
