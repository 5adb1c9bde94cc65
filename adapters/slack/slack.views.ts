/**
 * Modals: the global shortcut that opens the organisation form, and form submissions. A
 * submission the core refuses keeps the modal open with each error under its field; an
 * accepted one closes it, and the answer arrives as a DM.
 */
import type { App } from '@slack/bolt';
import type { Reply } from '../../src/core/reply.js';
import { actorOf, newRequestId, within } from './slack.context.js';
import { ask, deliverSafely, refreshHome, type ListenerDeps } from './slack.commands.js';
import { changesHome } from './slack.home.js';
import { dmSink, formErrorsReply, openForm, reopenReply } from './slack.delivery.js';
import { formIdFromCallbackId, modalErrors, parseViewSubmission, renderModal } from './slack.renderer.js';

/** Global shortcut callback id → the command whose form it opens. */
export const SHORTCUTS: Record<string, string> = { register_org: 'org register' };

export function registerViews(app: App, deps: ListenerDeps): void {
  const { core, api, home, log } = deps;

  app.shortcut(/.*/, async ({ ack, shortcut, context }) => {
    await ack();
    const text = SHORTCUTS[shortcut.callback_id];
    const actor = actorOf({ teamId: context.teamId ?? shortcut.team?.id, enterpriseId: context.enterpriseId ?? shortcut.enterprise?.id, userId: shortcut.user.id, userName: shortcut.user.username });
    const token = context.botToken;
    if (!text || !actor || !token) return;
    const sink = () => dmSink(api, token, actor.userId);
    const reply = await ask(core, { actor, text, requestId: newRequestId() }, log);
    if (reply.form && !(await openForm(api, token, shortcut.trigger_id, reply.form, log))) {
      await deliverSafely(reopenReply(reply.form, text), sink, log);
    }
    await deliverSafely(reply, sink, log);
  });

  app.view({ type: 'view_submission', callback_id: /^form:/ }, async ({ ack, body, view, context }) => {
    const formId = formIdFromCallbackId(view.callback_id) ?? '';
    const actor = actorOf({ teamId: context.teamId ?? body.team?.id, enterpriseId: context.enterpriseId ?? body.enterprise?.id, userId: body.user.id, userName: body.user.name });
    const token = context.botToken;
    if (!actor || !token) {
      await ack();
      return;
    }
    const values = parseViewSubmission(view);
    const form = { id: formId, values, ...(view.private_metadata ? { context: view.private_metadata } : {}) };
    const pending = ask(core, { actor, text: '', form, requestId: newRequestId() }, log);
    const sink = () => dmSink(api, token, actor.userId);
    const early = await within(pending, deps.ackDeadlineMs);
    let reply: Reply;
    if (early.late) {
      // The modal closes now; a refused form's errors follow as a DM, since the view is gone.
      await ack();
      reply = await pending;
      await deliverSafely(reply.form?.errors ? formErrorsReply(reply.form) : reply, sink, log);
    } else {
      reply = early.value;
      if (reply.form?.errors && Object.keys(reply.form.errors).length > 0) {
        await ack(modalErrors(reply.form.errors, reply.form));
        return;
      }
      if (reply.form) await ack({ response_action: 'update', view: renderModal(reply.form) });
      else await ack();
      await deliverSafely(reply, sink, log);
    }
    refreshHome(home, actor, token, changesHome(null, reply, true));
  });

  app.view({ type: 'view_submission', callback_id: /^(?!form:)/ }, async ({ ack }) => {
    await ack();
  });

  app.view({ type: 'view_closed', callback_id: /.*/ }, async ({ ack }) => {
    await ack();
  });
}
