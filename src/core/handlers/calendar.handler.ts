/** `calendar`: a private ICS link with your tasks and your consortia's deadlines. */
import { randomBytes } from 'node:crypto';
import type { Handler } from '../context.js';
import { reply } from '../reply.js';

const newToken = (): string => randomBytes(24).toString('base64url');

export const calendar: Handler = {
  path: ['calendar'],
  usage: 'calendar [reset|off]',
  summary: 'a private calendar link (ICS) for Outlook or Google Calendar; `reset` makes a new one',
  role: 'anyone',
  async run(ctx, args) {
    const action = args[0]?.text.toLowerCase();
    if (args.length > 1 || (action && action !== 'reset' && action !== 'off')) return reply.invalid('Say `calendar`, `calendar reset` or `calendar off`.', this.usage);
    const existing = await ctx.data.calendarTokens.findOne({ userId: ctx.actor.userId });
    if (action === 'off') {
      await ctx.data.calendarTokens.delete({ userId: ctx.actor.userId });
      await ctx.audit('calendar.off', ctx.actor.userId);
      return reply.text(existing ? 'Your calendar link no longer works.' : 'You had no calendar link.');
    }
    let token = existing?.token;
    if (!token || action === 'reset') {
      token = newToken();
      if (existing) await ctx.data.calendarTokens.update({ userId: ctx.actor.userId }, { token, createdAt: ctx.now });
      else {
        const res = await ctx.data.calendarTokens.insert({ userId: ctx.actor.userId, token, createdAt: ctx.now });
        if (!res.ok) return reply.conflict('Your calendar link is being made by another request; try again.');
      }
      await ctx.audit('calendar.link', ctx.actor.userId, { reset: action === 'reset' });
    }
    const base = ctx.deps.publicUrl ?? 'http://127.0.0.1:3000';
    return {
      ...reply.ok(
        { kind: 'heading', text: 'Your bid calendar' },
        { kind: 'text', text: `Subscribe to this link in Outlook ("Add calendar → From internet") or Google Calendar ("Other calendars → From URL"):\n${base}/calendar/${token}.ics` },
        { kind: 'text', text: 'It shows your tasks\' due dates and your consortia\'s tender deadlines. Keep it private: anyone with the link can see them. `calendar reset` makes a new link and stops the old one.' },
      ),
      private: true,
    };
  },
};
