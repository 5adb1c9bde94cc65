import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Block, Form, FormField, Reply } from '../../src/core/reply.js';
import { escapeMrkdwn, sanitizeText, unescapeMrkdwn } from '../../adapters/slack/slack.escape.js';
import { SLACK_CAPS, SLACK_LIMITS, slackPayloadProblems } from '../../adapters/slack/slack.limits.js';
import type { SlackBlock, SlackMessage, SlackView } from '../../adapters/slack/slack.limits.js';
import { modalErrors, parseViewSubmission, renderHome, renderMessage, renderModal } from '../../adapters/slack/slack.renderer.js';
import { controlFree } from '../helpers/control.js';

const ok = (...blocks: Block[]): Reply => ({ outcome: 'ok', blocks });

/** Every mrkdwn string Slack would parse for control sequences. */
function mrkdwnTexts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((b) => {
    if (b.type === 'section') return [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)];
    if (b.type === 'context') return b.elements.map((e) => e.text);
    return [];
  });
}

/** Whether shown text is free of control characters and direction overrides (values are data, not shown). */
const sectionTexts = (m: SlackMessage[]): string[] => m.flatMap((x) => x.blocks).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
const notes = (blocks: SlackBlock[]): string[] => blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []));
const moreCount = (texts: string[], noun: string): number | undefined => {
  for (const t of texts) {
    const m = new RegExp(`…and (\\d+) more ${noun}`).exec(t);
    if (m) return Number(m[1]);
  }
  return undefined;
};

// ——— Generators: hostile text, huge content ———

const hostile = fc.constantFrom('<!channel>', '<!here>', '<!everyone>', '<http://evil.example|click>', '<@U123ABC>', '<#C0123|general>', '&amp;', '&', '<', '>', '\u0000', '\u202E', '\uD800', '*bold*', '```', '\n', 'é', '😀', '£1.2m');
const fragment = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), hostile);
const shortText = fc.array(fragment, { maxLength: 6 }).map((p) => p.join(''));
const longText = fc.oneof(
  shortText,
  fc.tuple(shortText, fc.integer({ min: 0, max: 12_000 }), fc.constantFrom('word ', '&', '<!channel>', 'x', '\n')).map(([a, n, unit]) => a + unit.repeat(Math.ceil(n / unit.length))),
);
const bigArray = <T>(arb: fc.Arbitrary<T>, max: number): fc.Arbitrary<T[]> =>
  fc.oneof(fc.array(arb, { maxLength: 8 }), fc.tuple(arb, fc.integer({ min: 0, max })).map(([x, n]) => Array.from({ length: n }, () => x)));

const button = fc.record({ label: shortText, command: fc.oneof(shortText, fc.constant('propose T-3 1'), fc.constant('x'.repeat(2500))), style: fc.constantFrom(undefined, 'primary' as const, 'danger' as const) });
const block: fc.Arbitrary<Block> = fc.oneof(
  fc.record({ kind: fc.constant('heading' as const), text: longText }),
  fc.record({ kind: fc.constant('text' as const), text: longText }),
  fc.record({ kind: fc.constant('fields' as const), fields: bigArray(fc.record({ label: shortText, value: longText }), 80) }),
  fc.record({ kind: fc.constant('list' as const), title: fc.option(shortText, { nil: undefined }), items: bigArray(shortText, 10_000) }),
  fc.record({
    kind: fc.constant('grid' as const),
    grid: fc.record({ title: fc.option(longText, { nil: undefined }), columns: bigArray(shortText, 40), rows: bigArray(fc.record({ label: shortText, cells: fc.array(shortText, { maxLength: 40 }) }), 300) }),
  }),
  fc.record({ kind: fc.constant('buttons' as const), buttons: bigArray(button, 500) }),
  fc.constant({ kind: 'divider' as const }),
);
const replyArb: fc.Arbitrary<Reply> = fc.record({ outcome: fc.constant('ok' as const), blocks: bigArray(block, 120) });

const option = fc.record({ value: fc.oneof(shortText, fc.constant('v'.repeat(200))), label: longText });
const formField: fc.Arbitrary<FormField> = fc.record({
  name: fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/),
  label: longText,
  type: fc.constantFrom('text', 'textarea', 'number', 'money', 'date', 'select', 'multiselect', 'boolean'),
  required: fc.option(fc.boolean(), { nil: undefined }),
  hint: fc.option(longText, { nil: undefined }),
  placeholder: fc.option(longText, { nil: undefined }),
  options: fc.option(bigArray(option, 300), { nil: undefined }),
  allowOther: fc.option(fc.boolean(), { nil: undefined }),
  initial: fc.option(fc.oneof(shortText, fc.constant('15/01/2027'), fc.constant('42'), fc.array(shortText, { maxLength: 3 })), { nil: undefined }),
});
const formArb: fc.Arbitrary<Form> = fc.record({
  id: fc.stringMatching(/^[a-z-]{1,30}$/),
  title: longText,
  submitLabel: shortText,
  fields: fc.array(formField, { maxLength: 45 }),
  errors: fc.option(fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), longText, { maxKeys: 5 }), { nil: undefined }),
  context: fc.option(fc.stringMatching(/^[A-Z]-\d{1,4}$/), { nil: undefined }),
});

describe('escaping', () => {
  it('turns broadcasts, links and user groups into literal text', () => {
    const out = escapeMrkdwn('Hi <!channel> <!here> <!everyone> <!subteam^S1> <http://evil.example|click> <#C1|x> & co');
    expect(out).toBe('Hi &lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt; &lt;!subteam^S1&gt; &lt;http://evil.example|click&gt; &lt;#C1|x&gt; &amp; co');
  });

  it('lets exact user mentions through and nothing that merely looks like one', () => {
    expect(escapeMrkdwn('ask <@U123ABC> or <@W9ZZ>')).toBe('ask <@U123ABC> or <@W9ZZ>');
    expect(escapeMrkdwn('<@U123|bob> <@u123> <@U1> <@C123> <@U123 >')).toBe('&lt;@U123|bob&gt; &lt;@u123&gt; &lt;@U1&gt; &lt;@C123&gt; &lt;@U123 &gt;');
  });

  it('removes control characters and direction overrides and repairs lone surrogates', () => {
    expect(sanitizeText('a\u0000b\u0007c\u202Ed\r\ne\tf\u0085')).toBe('abcd\ne\tf');
    expect(sanitizeText('x\uD800y😀')).toBe('x\uFFFDy😀');
  });

  it('never leaves a control sequence in escaped text', () => {
    fc.assert(
      fc.property(longText, (s) => {
        const out = escapeMrkdwn(s);
        expect(out.replace(/<@[UW][A-Z0-9]{2,}>/g, '')).not.toMatch(/[<>]/);
        expect(unescapeMrkdwn(out)).toBe(sanitizeText(s));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps user text from pinging a channel anywhere in a message', () => {
    const evil = 'Evil <!channel> <http://evil.example|click me>';
    const reply = ok(
      { kind: 'heading', text: evil },
      { kind: 'text', text: evil },
      { kind: 'fields', fields: [{ label: evil, value: evil }] },
      { kind: 'list', title: evil, items: [evil] },
      { kind: 'grid', grid: { title: evil, columns: [evil], rows: [{ label: evil, cells: [evil] }] } },
      { kind: 'buttons', buttons: [{ label: evil, command: 'org show x' }] },
    );
    const [message] = renderMessage(reply);
    for (const t of [...mrkdwnTexts(message!.blocks), message!.text]) {
      expect(t).not.toContain('<!');
      expect(t).not.toContain('<http');
    }
    expect(mrkdwnTexts(message!.blocks).join('\n')).toContain('&lt;!channel&gt;');
  });
});

describe('renderMessage', () => {
  it('renders each kind of block as its Block Kit counterpart', () => {
    const [message, ...rest] = renderMessage(
      ok(
        { kind: 'heading', text: 'Tender T-3' },
        { kind: 'text', text: 'Two proposals.' },
        { kind: 'fields', fields: [{ label: 'Value', value: '£1.2m' }] },
        { kind: 'list', title: 'Gaps', items: ['Advice in Bath', 'Housing in Bristol'] },
        { kind: 'grid', grid: { columns: ['Bristol', 'Bath'], rows: [{ label: 'Advice', cells: ['Org A', ''] }] } },
        { kind: 'divider' },
        { kind: 'buttons', buttons: [{ label: 'Propose 1', command: 'propose T-3 1', style: 'primary' }, { label: 'Decline', command: 'decline C-4', style: 'danger' }] },
      ),
    );
    expect(rest).toEqual([]);
    expect(message!.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'section', 'divider', 'actions']);
    expect(message!.blocks[2]).toEqual({ type: 'section', fields: [{ type: 'mrkdwn', text: '*Value*\n£1.2m' }] });
    expect(sectionTexts([message!])[1]).toBe('*Gaps*\n• Advice in Bath\n• Housing in Bristol');
    expect(sectionTexts([message!])[2]).toMatch(/^```\n.*Bristol \| Bath\n-+\nAdvice +\| Org A +\|?\n```$/s);
    const actions = message!.blocks[6];
    expect(actions).toMatchObject({ type: 'actions', elements: [{ action_id: 'cmd:0', value: 'propose T-3 1', style: 'primary' }, { action_id: 'cmd:1', value: 'decline C-4', style: 'danger' }] });
    expect(message!.text).toContain('Tender T-3');
  });

  it('returns no messages for a reply with nothing to show', () => {
    expect(renderMessage(ok())).toEqual([]);
    expect(renderMessage({ ...ok(), form: { id: 'f', title: 'F', submitLabel: 'Go', fields: [] } })).toEqual([]);
  });

  it('splits a 10,000-character text over sections that join back to the text', () => {
    const text = Array.from({ length: 2000 }, (_, i) => `w${i % 10}rd`).join(' ');
    const messages = renderMessage(ok({ kind: 'text', text }));
    const sections = sectionTexts(messages);
    expect(text.length).toBe(9999);
    expect(sections.length).toBe(4);
    expect(sections.slice(0, 3).every((s) => s.endsWith(' '))).toBe(true);
    expect(sections.every((s) => s.length <= SLACK_LIMITS.sectionText)).toBe(true);
    expect(sections.join('')).toBe(text);
  });

  it('cuts an enormous text and says how many characters were left out', () => {
    const text = '&'.repeat(20_000);
    const [message] = renderMessage(ok({ kind: 'text', text }));
    const shown = sectionTexts([message!]).map(unescapeMrkdwn).join('');
    expect(shown).toBe('&'.repeat(shown.length));
    expect(moreCount(notes(message!.blocks), 'characters')).toBe(20_000 - shown.length);
    expect(sectionTexts([message!]).length).toBe(SLACK_CAPS.sectionsPerText);
  });

  it('shows a huge list over several sections and counts the items left out', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => `Organisation number ${i}`);
    const messages = renderMessage(ok({ kind: 'list', title: 'Directory', items }));
    const lines = sectionTexts(messages).flatMap((s) => s.split('\n')).filter((l) => l.startsWith('• '));
    expect(lines[0]).toBe('• Organisation number 0');
    expect(lines.map((l) => l.slice(2))).toEqual(items.slice(0, lines.length));
    expect(moreCount(notes(messages.flatMap((m) => m.blocks)), 'items')).toBe(10_000 - lines.length);
  });

  it('shows at most 100 of 500 buttons, 25 per actions block, and counts the rest', () => {
    const buttons = Array.from({ length: 500 }, (_, i) => ({ label: `Task K-${i}`, command: `task done K-${i}` }));
    const messages = renderMessage(ok({ kind: 'buttons', buttons }));
    const actions = messages.flatMap((m) => m.blocks).filter((b) => b.type === 'actions');
    expect(actions.map((a) => a.elements.length)).toEqual([25, 25, 25, 25]);
    const elements = actions.flatMap((a) => a.elements);
    expect(new Set(elements.map((e) => e.action_id)).size).toBe(100);
    expect(elements.map((e) => e.value)).toEqual(buttons.slice(0, 100).map((b) => b.command));
    expect(moreCount(notes(messages.flatMap((m) => m.blocks)), 'buttons')).toBe(400);
  });

  it('leaves out a button whose command Slack could not carry rather than cutting the command', () => {
    const [message] = renderMessage(ok({ kind: 'buttons', buttons: [{ label: 'Long', command: 'x'.repeat(2001) }, { label: 'Fine', command: 'help' }] }));
    expect(message!.blocks[0]).toMatchObject({ type: 'actions', elements: [{ value: 'help' }] });
    expect(moreCount(notes(message!.blocks), 'buttons')).toBe(1);
  });

  it('truncates a wide, long grid and counts the columns and rows left out', () => {
    const columns = Array.from({ length: 30 }, (_, i) => `Area ${i}`);
    const rows = Array.from({ length: 500 }, (_, r) => ({ label: `Service ${r}`, cells: columns.map((_, c) => (r + c) % 3 ? '✓' : '') }));
    const [message] = renderMessage(ok({ kind: 'grid', grid: { title: 'Coverage', columns, rows } }));
    const text = sectionTexts([message!])[0]!;
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    const table = /```\n([\s\S]*)\n```/.exec(text)![1]!.split('\n');
    const shownColumns = table[0]!.split(' | ').length - 1;
    const shownRows = table.length - 2;
    expect(table.every((l) => [...l].length <= SLACK_CAPS.gridLineWidth)).toBe(true);
    expect(text).toContain(`…and ${30 - shownColumns} more columns`);
    expect(text).toContain(`…and ${500 - shownRows} more rows`);
    expect(table[2]!.startsWith('Service 0')).toBe(true);
  });

  it('splits a long reply into messages of at most 50 blocks without stranding a heading', () => {
    const blocks: Block[] = Array.from({ length: 49 }, (_, i) => ({ kind: 'text', text: `Line ${i}` }));
    blocks.push({ kind: 'heading', text: 'Next part' }, ...Array.from({ length: 30 }, (_, i): Block => ({ kind: 'text', text: `More ${i}` })));
    const messages = renderMessage(ok(...blocks));
    expect(messages.map((m) => m.blocks.length)).toEqual([49, 31]);
    expect(messages[1]!.blocks[0]).toMatchObject({ type: 'header', text: { text: 'Next part' } });
  });

  it('stops after ten messages and counts the parts of the reply left out', () => {
    const blocks: Block[] = Array.from({ length: 600 }, (_, i) => ({ kind: 'text', text: `Part ${i}` }));
    const messages = renderMessage(ok(...blocks));
    expect(messages.length).toBe(SLACK_CAPS.messagesPerReply);
    const shown = sectionTexts(messages).length;
    expect(moreCount(notes(messages.at(-1)!.blocks), 'parts')).toBe(600 - shown);
  });

  it('keeps every rendered message within Slack limits, whatever the reply', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        const messages = renderMessage(reply);
        expect(messages.length).toBeLessThanOrEqual(SLACK_CAPS.messagesPerReply);
        let buttons = 0;
        for (const m of messages) {
          expect(slackPayloadProblems(m)).toEqual([]);
          expect(controlFree(m)).toBe(true);
          for (const t of [...mrkdwnTexts(m.blocks), m.text]) expect(t.replace(/<@[UW][A-Z0-9]{2,}>/g, '')).not.toMatch(/[<>]/);
          buttons += m.blocks.filter((b) => b.type === 'actions').length;
        }
        expect(buttons).toBeLessThanOrEqual(reply.blocks.length * SLACK_CAPS.actionsBlocksPerButtons);
      }),
      { numRuns: 60 },
    );
  });
});

describe('the limits check', () => {
  it('notices payloads Slack would refuse', () => {
    const tooMany: SlackMessage = { text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' as const })) };
    expect(slackPayloadProblems(tooMany)).toEqual(['51 blocks > 50']);
    const longButton: SlackMessage = {
      text: 'x',
      blocks: [{ type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'b'.repeat(76) }, action_id: 'a', value: 'v' }, { type: 'button', text: { type: 'plain_text', text: 'ok' }, action_id: 'a', value: 'v' }] }],
    };
    expect(slackPayloadProblems(longButton).join('\n')).toMatch(/76 chars > 75[\s\S]*duplicate id a/);
    const options = Array.from({ length: 101 }, (_, i) => ({ text: { type: 'plain_text' as const, text: `o${i}` }, value: `${i}` }));
    const view: SlackView = {
      type: 'modal',
      callback_id: 'c',
      title: { type: 'plain_text', text: 'A title that is far too long' },
      blocks: [{ type: 'input', block_id: 'b', label: { type: 'plain_text', text: 'L' }, element: { type: 'static_select', action_id: 'b', options } }],
    };
    expect(slackPayloadProblems(view)).toEqual(['blocks[0] input.element: 101 options > 100', 'title: 28 chars > 24', 'modal with inputs needs submit']);
  });
});

describe('renderModal', () => {
  const form: Form = {
    id: 'org-register',
    title: 'Register your organisation',
    submitLabel: 'Register',
    context: 'T-7',
    fields: [
      { name: 'name', label: 'Name', type: 'text', required: true },
      { name: 'about', label: 'About', type: 'textarea' },
      { name: 'years', label: 'Years', type: 'number', initial: '3' },
      { name: 'income', label: 'Annual income', type: 'money', required: true },
      { name: 'deadline', label: 'Deadline', type: 'date', initial: '15/01/2027' },
      { name: 'home', label: 'Home area', type: 'select', options: [{ value: 'bristol', label: 'Bristol' }, { value: 'bath', label: 'Bath' }], initial: 'bath', required: true },
      { name: 'services', label: 'Services', type: 'multiselect', allowOther: true, options: [{ value: 'advice', label: 'Advice' }, { value: 'housing', label: 'Housing' }], initial: ['advice', 'gardening'] },
      { name: 'lead', label: 'Willing to lead', type: 'boolean', initial: 'no' },
    ],
  };

  it('gives each field a typed input named after it', () => {
    const view = renderModal(form);
    expect(slackPayloadProblems(view)).toEqual([]);
    expect(view).toMatchObject({ type: 'modal', callback_id: 'form:org-register', private_metadata: 'T-7', submit: { text: 'Register' }, close: { text: 'Cancel' } });
    expect(view.title.text.length).toBeLessThanOrEqual(24);
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => [b.block_id, b.element.action_id, b.element.type, b.optional])).toEqual([
      ['name', 'name', 'plain_text_input', false],
      ['about', 'about', 'plain_text_input', true],
      ['years', 'years', 'number_input', true],
      ['income', 'income', 'plain_text_input', false],
      ['deadline', 'deadline', 'datepicker', true],
      ['home', 'home', 'static_select', false],
      ['services', 'services', 'multi_static_select', true],
      ['services__other', 'services__other', 'plain_text_input', true],
      ['lead', 'lead', 'radio_buttons', true],
    ]);
    const byName = new Map(inputs.map((b) => [b.block_id, b]));
    expect(byName.get('about')!.element).toMatchObject({ multiline: true });
    expect(byName.get('years')!.element).toMatchObject({ initial_value: '3' });
    expect(byName.get('income')!.hint!.text).toContain('£1.2m');
    expect(byName.get('deadline')!.element).toMatchObject({ initial_date: '2027-01-15' });
    expect(byName.get('home')!.element).toMatchObject({ initial_option: { value: 'bath' } });
    expect(byName.get('services')!.element).toMatchObject({ initial_options: [{ value: 'advice' }] });
    expect(byName.get('services__other')!.element).toMatchObject({ initial_value: 'gardening' });
    expect(byName.get('lead')!.element).toMatchObject({ initial_option: { value: 'no' } });
  });

  it('lists 100 of 300 options and offers a box for the rest', () => {
    const options = Array.from({ length: 300 }, (_, i) => ({ value: `area-${i}`, label: `Area ${i}` }));
    const view = renderModal({ id: 'f', title: 'Areas', submitLabel: 'Save', fields: [{ name: 'area', label: 'Area', type: 'select', options, required: true }] });
    expect(slackPayloadProblems(view)).toEqual([]);
    const [select, other] = view.blocks.filter((b) => b.type === 'input');
    expect(select!.element.type === 'static_select' && select!.element.options.length).toBe(100);
    expect(other).toMatchObject({ block_id: 'area__other', optional: true });
    expect(other!.hint!.text).toContain('…and 200 more options');
  });

  it('shows errors under their fields, and errors about no field at the top', () => {
    const view = renderModal({ ...form, errors: { income: 'Income must be an amount, like £85,000.', _form: 'Tender <!channel> is closed.' } });
    const incomeAt = view.blocks.findIndex((b) => b.type === 'input' && b.block_id === 'income');
    expect(view.blocks[incomeAt + 1]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: ':warning: Income must be an amount, like £85,000.' }] });
    expect(view.blocks[0]).toEqual({ type: 'section', text: { type: 'mrkdwn', text: ':warning: Tender &lt;!channel&gt; is closed.' } });
  });

  it('answers a refused submission with errors keyed by the fields’ blocks', () => {
    expect(modalErrors({ income: 'Not an amount' })).toEqual({ response_action: 'errors', errors: { income: 'Not an amount' } });
    expect(modalErrors({ income: 'Not an amount', _form: 'Closed' }, form).errors).toEqual({ name: 'Closed', income: 'Not an amount' });
  });

  it('refuses metadata Slack would cut rather than losing the context', () => {
    expect(() => renderModal(form, { privateMetadata: 'x'.repeat(3001) })).toThrow(RangeError);
  });

  it('keeps every rendered modal within Slack limits, whatever the form', () => {
    fc.assert(
      fc.property(formArb, (f) => {
        const view = renderModal(f);
        expect(slackPayloadProblems(view)).toEqual([]);
        expect(controlFree(view)).toBe(true);
      }),
      { numRuns: 80 },
    );
  });
});

describe('parseViewSubmission', () => {
  it('turns a submitted modal back into the values the core reads', () => {
    const values = parseViewSubmission({
      state: {
        values: {
          name: { name: { type: 'plain_text_input', value: 'Bristol Advice Hub' } },
          about: { about: { type: 'plain_text_input', value: null } },
          years: { years: { type: 'number_input', value: '3' } },
          deadline: { deadline: { type: 'datepicker', selected_date: '2027-01-15' } },
          clarify: { clarify: { type: 'datepicker', selected_date: null } },
          home: { home: { type: 'static_select', selected_option: { text: { type: 'plain_text', text: 'Bath' }, value: 'bath' } } },
          area: { area: { type: 'static_select', selected_option: null } },
          area__other: { area__other: { type: 'plain_text_input', value: ' St. Pauls ' } },
          services: { services: { type: 'multi_static_select', selected_options: [{ value: 'advice' }] } },
          services__other: { services__other: { type: 'plain_text_input', value: 'gardening, advice,  food ' } },
          lead: { lead: { type: 'radio_buttons', selected_option: { value: 'yes' } } },
        },
      },
    });
    expect(values).toEqual({
      name: 'Bristol Advice Hub',
      about: '',
      years: '3',
      deadline: '15/01/2027',
      clarify: '',
      home: 'bath',
      area: 'St. Pauls',
      services: ['advice', 'gardening', 'food'],
      lead: 'yes',
    });
  });

  it('cannot be steered into changing object prototypes', () => {
    const values = parseViewSubmission({ state: { values: { b: { __proto__: { type: 'plain_text_input', value: 'x' } } as Record<string, unknown> } } });
    expect(Object.getPrototypeOf(values)).toBe(Object.prototype);
  });

  it('reads back the initial values a modal was opened with', () => {
    const view = renderModal({
      id: 'f',
      title: 'T',
      submitLabel: 'Go',
      fields: [
        { name: 'd', label: 'D', type: 'date', initial: '2027-03-01' },
        { name: 's', label: 'S', type: 'select', options: [{ value: 'a', label: 'A' }], allowOther: true, initial: 'elsewhere' },
        { name: 'm', label: 'M', type: 'multiselect', options: [{ value: 'a', label: 'A' }, { value: 'b', label: 'B' }], initial: ['b'] },
        { name: 't', label: 'T', type: 'text', initial: 'hello' },
      ],
    });
    // What Slack sends when the user submits without touching anything.
    const state: Record<string, Record<string, unknown>> = {};
    for (const b of view.blocks) {
      if (b.type !== 'input') continue;
      const e = b.element;
      const s =
        e.type === 'datepicker' ? { type: e.type, selected_date: e.initial_date ?? null }
        : e.type === 'static_select' || e.type === 'radio_buttons' ? { type: e.type, selected_option: e.initial_option ?? null }
        : e.type === 'multi_static_select' ? { type: e.type, selected_options: e.initial_options ?? [] }
        : { type: e.type, value: e.initial_value ?? null };
      state[b.block_id] = { [e.action_id]: s };
    }
    expect(parseViewSubmission({ state: { values: state } })).toEqual({ d: '01/03/2027', s: 'elsewhere', m: ['b'], t: 'hello' });
  });
});

describe('renderHome', () => {
  it('fits many sections into 100 blocks and counts the sections left out', () => {
    const sections: Reply[] = Array.from({ length: 30 }, (_, i) =>
      ok({ kind: 'heading', text: `Consortium C-${i}` }, { kind: 'text', text: 'Status' }, { kind: 'buttons', buttons: [{ label: 'Tasks', command: `tasks C-${i}` }] }, { kind: 'text', text: 'Due soon' }),
    );
    const home = renderHome(sections);
    expect(home.type).toBe('home');
    expect(slackPayloadProblems(home)).toEqual([]);
    const shown = home.blocks.filter((b) => b.type === 'header').length;
    expect(moreCount(notes(home.blocks), 'sections')).toBe(30 - shown);
    const ids = home.blocks.flatMap((b) => (b.type === 'actions' ? b.elements.map((e) => e.action_id) : []));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('stays within limits for any sections', () => {
    fc.assert(
      fc.property(fc.array(replyArb, { maxLength: 4 }), (sections) => {
        expect(slackPayloadProblems(renderHome(sections))).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });
});
