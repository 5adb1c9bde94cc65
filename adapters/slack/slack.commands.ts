/**
 * The slash command and button presses: each becomes one core command, and the reply goes
 * back to where it was asked. The command is acknowledged within Slack's 3 seconds
 * whatever the core is doing: with the answer when it is ready in time, otherwise with a
 * "working on it" note and the answer through response_url when it is.
 */
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Core } from '../../src/core/app.js';
import type { Actor, Command } from '../../src/core/command.js';
import type { Reply } from '../../src/core/reply.js';
import type { Metrics } from '../../src/metrics.js';
import type { SlackApi } from './slack.api.js';
import { actorOf, newRequestId, within } from './slack.context.js';
import { deliver, dmSink, openForm, reopenReply, responseType, ResponseUrl, type Sink } from './slack.delivery.js';
import { changesHome, commandVerb, type HomePublisher } from './slack.home.js';
import { renderMessage } from './slack.renderer.js';

export interface ListenerDeps {
  core: Core;
  api: SlackApi;
  home: HomePublisher;
  log: Logger;
  metrics: Metrics;
  /** How long a listener waits for the core before acknowledging without the answer. */
  ackDeadlineMs: number;
}

export const WORKING = 'Working on it…';
const UNKNOWN_SENDER = 'Consortia could not tell who sent that. Please try again from your workspace.';

export const APOLOGY: Reply = {
  outcome: 'error',
  private: true,
  blocks: [{ kind: 'text', text: 'Sorry, something went wrong on our side while answering. Nothing was lost; please try again in a moment.' }],
};

/** The core's answer; the core turns its own failures into replies, so a rejection here is a bug, answered with an apology. */
export function ask(core: Core, cmd: Command, log: Logger): Promise<Reply> {
  return core.handle(cmd).catch((err: unknown) => {
    log.error({ err, requestId: cmd.requestId }, 'the core failed outside its own error handling');
    return APOLOGY;
  });
}

/** Delivers a reply, and an apology in its place when delivery or a follow-up fails. */
export async function deliverSafely(reply: Reply, sinkFor: (r: Reply) => Sink, log: Logger, skipFirst = false): Promise<void> {
  try {
    await deliver(reply, sinkFor(reply), skipFirst);
  } catch (err) {
    log.error({ err }, 'could not deliver a Slack reply');
    await deliver(APOLOGY, sinkFor(APOLOGY)).catch((e: unknown) => log.error({ err: e }, 'could not deliver the apology either'));
  }
}

/** Answers a reply whose acknowledgement has already gone: a form needs a fresh trigger, so it becomes a button. */
async function answerLate(reply: Reply, command: string, sinkFor: (r: Reply) => Sink, log: Logger): Promise<void> {
  if (reply.form) await deliverSafely(reopenReply(reply.form, command), sinkFor, log);
  await deliverSafely(reply, sinkFor, log);
}

export function registerCommands(app: App, deps: ListenerDeps): void {
  const { core, api, home, log, metrics } = deps;

  app.command(/.*/, async ({ command, ack, context }) => {
    const actor = actorOf({ teamId: context.teamId ?? command.team_id, enterpriseId: context.enterpriseId ?? command.enterprise_id, userId: command.user_id, userName: command.user_name });
    if (!actor) {
      await ack({ response_type: 'ephemeral', text: UNKNOWN_SENDER });
      return;
    }
    const token = context.botToken;
    const text = typeof command.text === 'string' ? command.text : '';
    const target = new ResponseUrl(command.response_url, metrics, token ? dmSink(api, token, actor.userId) : undefined);
    const sinkFor = (r: Reply): Sink => target.sink(responseType(r));
    const pending = ask(core, { actor, text, requestId: newRequestId(), conversationId: command.channel_id }, log);
    const early = await within(pending, deps.ackDeadlineMs);
    let reply: Reply;
    if (early.late) {
      await ack({ response_type: 'ephemeral', text: WORKING });
      reply = await pending;
      await answerLate(reply, text, sinkFor, log);
    } else {
      reply = early.value;
      if (reply.form) {
        // The modal opens on the command's trigger; the acknowledgement itself says nothing.
        await ack();
        const opened = token ? await openForm(api, token, command.trigger_id, reply.form, log) : false;
        if (!opened) await deliverSafely(reopenReply(reply.form, text), sinkFor, log);
        await deliverSafely(reply, sinkFor, log);
      } else {
        const [first] = renderMessage(reply);
        await ack(first ? { response_type: responseType(reply), text: first.text, blocks: first.blocks } : undefined);
        await deliverSafely(reply, sinkFor, log, true);
      }
    }
    refreshHome(home, actor, token, changesHome(commandVerb(core, text), reply));
  });

  app.action(/.*/, async ({ ack, body, action, context }) => {
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action) || !action.action_id.startsWith('cmd:')) return;
    const text = typeof action.value === 'string' ? action.value : '';
    const actor = actorOf({ teamId: context.teamId ?? body.team?.id, enterpriseId: context.enterpriseId ?? body.enterprise?.id, userId: body.user.id, userName: body.user.username ?? body.user.name });
    const token = context.botToken;
    if (!actor || !text || !token) return;
    const dm = dmSink(api, token, actor.userId);
    const target = body.response_url ? new ResponseUrl(body.response_url, metrics, dm) : undefined;
    const sinkFor = (r: Reply): Sink => (target ? target.sink(responseType(r)) : dm);
    const reply = await ask(core, { actor, text, requestId: newRequestId(), ...(body.channel?.id ? { conversationId: body.channel.id } : {}) }, log);
    if (reply.form && !(await openForm(api, token, body.trigger_id, reply.form, log))) {
      await deliverSafely(reopenReply(reply.form, text), sinkFor, log);
    }
    await deliverSafely(reply, sinkFor, log);
    // A press on the home tab itself is answered on it at once: the person is looking at it.
    const onHome = (body as { container?: { type?: unknown } }).container?.type === 'view';
    refreshHome(home, actor, token, changesHome(commandVerb(core, text), reply), { now: onHome });
  });
}

/** Refreshes the sender's App Home when their command may have changed it (throttled, see HomePublisher). */
export function refreshHome(home: HomePublisher, actor: Actor, token: string | undefined, changed: boolean, opts: { now?: boolean } = {}): void {
  if (changed) home.refresh(actor.workspaceId, actor.userId, token, opts);
}
