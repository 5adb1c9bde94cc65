// Forms, buttons and shortcuts: modals open on the trigger Slack gave, a form that cannot
// open is offered again as a button, answers go where the press happened (or to a DM from
// the App Home), and a slow submission still closes the modal in time.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Handler } from '../../src/core/context.js';
import { reply } from '../../src/core/reply.js';
import { buttonsOf, Harness, textOf } from './harness.js';

const TEAM = 'T0FORMS';
const COORD = 'U0COORD';
const USER = 'U0PAT';

const slowForm: Handler = {
  path: ['slowform'], usage: 'slowform', summary: 'test: a form whose submission takes 600 ms', role: 'anyone', forms: ['slow.form'],
  async run() {
    return reply.form({ id: 'slow.form', title: 'Slow form', submitLabel: 'Send', fields: [{ name: 'answer', label: 'Answer', type: 'text', required: true }] });
  },
  async submit(_ctx, form) {
    await new Promise((r) => setTimeout(r, 600));
    return reply.form({ id: 'slow.form', title: 'Slow form', submitLabel: 'Send', fields: [{ name: 'answer', label: 'Answer', type: 'text' }], errors: { answer: `"${String(form.values.answer)}" is not the answer.` } });
  },
};

let h: Harness;

beforeAll(async () => {
  h = await Harness.start(import.meta.url, { handlers: [slowForm], ackDeadlineMs: 250 });
  await h.store.workspaces.ensure(`slack:${TEAM}`, 'slack', 'Forms', COORD);
});
afterAll(async () => {
  await h?.close();
});
beforeEach(async () => {
  await h.adapter.home.idle();
  h.fake.reset();
});

describe('forms as modals', () => {
  it('opens the form of a bare command in a modal on the command\'s trigger', async () => {
    const res = await h.command(TEAM, USER, 'org register');
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    await h.fake.until(() => h.fake.callsOf('views.open').length > 0, 3000, 'the modal');
    const open = h.fake.callsOf('views.open');
    expect(open).toHaveLength(1);
    expect(open[0]!.args.trigger_id).toBe(res.triggerId);
    expect((open[0]!.args.view as { callback_id: string }).callback_id).toBe('form:org.register');
  });

  it('offers a button that opens the form again when Slack refuses the trigger', async () => {
    h.fake.fail('views.open', { error: 'expired_trigger_id' });
    const res = await h.command(TEAM, USER, 'org register');
    await h.fake.until(() => h.fake.responsesTo(res.responseUrl).length > 0, 3000, 'the fallback');
    const body = h.fake.responsesTo(res.responseUrl)[0]!.body;
    expect(body.response_type).toBe('ephemeral');
    expect(buttonsOf(body)).toEqual([expect.objectContaining({ command: 'org register' })]);
  });

  it('opens a form from a button press on the press\'s trigger', async () => {
    await h.press(TEAM, COORD, 'tender add');
    await h.fake.until(() => h.fake.callsOf('views.open').length > 0, 3000, 'the modal');
    expect((h.fake.callsOf('views.open')[0]!.args.view as { callback_id: string }).callback_id).toBe('form:tender.add');
  });

  it('closes the modal in time when the submission is slow, and sends the refusal by DM', async () => {
    await h.command(TEAM, USER, 'slowform');
    await h.fake.until(() => h.fake.callsOf('views.open').length > 0, 3000, 'the modal');
    const view = h.fake.callsOf('views.open')[0]!.args.view as Record<string, unknown>;
    const res = await h.submit(TEAM, USER, view, { answer: { type: 'plain_text_input', value: 'forty-one' } });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(550);
    expect(res.text).toBe('');
    await h.fake.until(() => h.fake.postsTo(USER).length > 0, 3000, 'the DM');
    expect(textOf(h.fake.postsTo(USER)[0]!.args)).toMatch(/Slow form was not saved[\s\S]*forty-one/);
  });

  it('acknowledges submissions of views that are not forms', async () => {
    const res = await h.submit(TEAM, USER, { callback_id: 'something-else' }, {});
    expect(res.status).toBe(200);
    expect(h.fake.calls).toHaveLength(0);
  });
});

describe('buttons and shortcuts', () => {
  it('answers a press on a home-tab button by DM, since there is no message to answer', async () => {
    const res = await h.press(TEAM, USER, 'help', { responseUrl: null });
    expect(res.status).toBe(200);
    await h.fake.until(() => h.fake.postsTo(USER).length > 0, 3000, 'the DM');
    expect(textOf(h.fake.postsTo(USER)[0]!.args)).toMatch(/org register/);
  });

  it('answers a press in the channel it happened in, privately when the core says so', async () => {
    const res = await h.press(TEAM, USER, 'tender show T-99', { channel: 'C0ROOM' });
    await h.fake.until(() => h.fake.responsesTo(res.responseUrl!).length > 0, 3000, 'the answer');
    const body = h.fake.responsesTo(res.responseUrl!)[0]!.body;
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  });

  it('ignores actions that are not commands, and shortcuts it does not know', async () => {
    const action = await h.interaction({
      type: 'block_actions', team: { id: TEAM, domain: 'x' }, user: { id: USER, username: 'pat' }, api_app_id: 'A', token: 't', trigger_id: 'tr',
      container: { type: 'view', view_id: 'V' }, actions: [{ type: 'datepicker', action_id: 'deadline', block_id: 'b', selected_date: '2027-01-01', action_ts: '1' }],
    });
    const shortcut = await h.shortcut(TEAM, USER, 'not_ours');
    expect([action.status, shortcut.status]).toEqual([200, 200]);
    await new Promise((r) => setTimeout(r, 150));
    expect(h.fake.calls.filter((c) => c.method !== 'views.publish')).toHaveLength(0);
  });

  it('posts a public answer in the channel and a refusal only to the person', async () => {
    const listed = await h.command(TEAM, USER, 'org list');
    expect(listed.json().response_type).toBe('in_channel');
    const refused = await h.command(TEAM, USER, 'tender add "Sneaky" value 1m deadline 01/01/2030');
    expect(refused.json().response_type).toBe('ephemeral');
  });
});
