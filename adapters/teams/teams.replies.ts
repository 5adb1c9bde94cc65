/**
 * A core reply as Teams messages: one message per Adaptive Card the renderer makes (each
 * card is sized to fit one message), then the form card if there is one. The core's
 * mention tokens (`<@id>`) become real Teams mentions where we know the person's name,
 * and the name alone where we do not.
 */
import type { Activity, TurnContext } from 'botbuilder';
import type { Form, Reply } from '../../src/core/reply.js';
import { renderCard, renderFormCard, type AdaptiveCard, type CardElement } from './teams.renderer.js';

const MENTION = /<@([A-Za-z0-9_.:-]{1,100})(?:\|[^>]{0,100})?>/g;
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

/** A card with the Teams mention entities its text refers to. */
type TeamsCard = Omit<AdaptiveCard, 'msteams'> & {
  msteams?: { width?: 'Full'; entities?: { type: 'mention'; text: string; mentioned: { id: string; name: string } }[] };
};

/** Every user id a reply mentions, so their names can be looked up in one query. */
export function mentionedIds(reply: Reply): string[] {
  const ids = new Set<string>();
  for (const m of JSON.stringify({ blocks: reply.blocks, form: reply.form ?? null }).matchAll(MENTION)) ids.add(m[1] as string);
  return [...ids];
}

/**
 * Replaces mention tokens in the card's text. In TextBlocks and facts (where Teams renders
 * mentions) a known person becomes `<at>Name</at>` with an entity; elsewhere, and for
 * people we have no name for, the token becomes plain words.
 */
export function withMentions(card: AdaptiveCard, names: ReadonlyMap<string, string>): TeamsCard {
  const entities = new Map<string, { type: 'mention'; text: string; mentioned: { id: string; name: string } }>();
  const rich = (text: string): string =>
    text.replace(MENTION, (_all, id: string) => {
      const name = names.get(id);
      if (!name) return 'a Teams user';
      const at = `<at>${name.replace(/[<>]/g, '')}</at>`;
      entities.set(id, { type: 'mention', text: at, mentioned: { id, name } });
      return at;
    });
  const plain = (text: string): string => text.replace(MENTION, (_all, id: string) => names.get(id) ?? 'a Teams user');
  const element = (e: CardElement): CardElement => {
    switch (e.type) {
      case 'TextBlock':
        return { ...e, text: rich(e.text) };
      case 'FactSet':
        return { ...e, facts: e.facts.map((f) => ({ title: plain(f.title), value: rich(f.value) })) };
      case 'Table':
        return { ...e, rows: e.rows.map((r) => ({ ...r, cells: r.cells.map((c) => ({ ...c, items: c.items.map((t) => ({ ...t, text: plain(t.text) })) })) })) };
      case 'ActionSet':
        return { ...e, actions: e.actions.map((a) => ({ ...a, title: plain(a.title) })) };
      default:
        return e;
    }
  };
  const body = card.body.map(element);
  const out: TeamsCard = { ...card, body };
  if (entities.size) out.msteams = { ...card.msteams, entities: [...entities.values()] };
  return out;
}

/** The first line of text in a reply, for notification previews. */
function summaryOf(reply: Reply): string | undefined {
  for (const b of reply.blocks) {
    if (b.kind === 'heading' || b.kind === 'text') {
      const line = b.text.split('\n')[0]?.replace(MENTION, '').replace(/[`*_]/g, '').trim();
      if (line) return line.slice(0, 200);
    }
  }
  return reply.form?.title.slice(0, 200);
}

const cardActivity = (card: TeamsCard, summary?: string): Partial<Activity> => ({
  type: 'message',
  attachments: [{ contentType: ADAPTIVE_CARD, content: card }],
  ...(summary ? { summary } : {}),
});

/** The form card alone, as a message (for sending, or for replacing a submitted form). */
export function formActivity(form: Form, names: ReadonlyMap<string, string>): Partial<Activity> {
  return cardActivity(withMentions(renderFormCard(form), names), form.title.slice(0, 200));
}

/** The messages that carry a reply. */
export function replyActivities(reply: Reply, names: ReadonlyMap<string, string>): Partial<Activity>[] {
  const summary = summaryOf(reply);
  const out = renderCard(reply)
    .filter((c) => c.body.length > 0)
    .map((c) => cardActivity(withMentions(c, names), summary));
  if (reply.form) out.push(formActivity(reply.form, names));
  return out;
}

/** Sends a reply into the turn's conversation, in order, one message per card. */
export async function sendReply(ctx: TurnContext, reply: Reply, names: ReadonlyMap<string, string>): Promise<void> {
  // One at a time: Teams shows messages in the order they arrive, and the transport paces them.
  for (const activity of replyActivities(reply, names)) await ctx.sendActivity(activity);
}
