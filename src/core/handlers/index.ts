/** The registry: every command handler, in the order `help` lists them. */
import type { Handler } from '../context.js';
import { calendar } from './calendar.handler.js';
import { consortiumHandlers } from './consortium.handlers.js';
import { dataRightsHandlers } from './data-rights.handlers.js';
import { home } from './home.handler.js';
import { tenderEdit, tenderImport } from './tender-import.handler.js';
import { helpHandler } from './help.handler.js';
import { match, propose } from './match.handlers.js';
import { orgHandlers } from './org.handlers.js';
import { settings } from './settings.handler.js';
import { taskHandlers } from './task.handlers.js';
import { tenderHandlers } from './tender.handlers.js';

export function allHandlers(extra: Handler[] = []): Handler[] {
  const list: Handler[] = [];
  list.push(...orgHandlers, ...dataRightsHandlers, ...tenderHandlers, tenderEdit, tenderImport, match, propose, ...consortiumHandlers, ...extra, ...taskHandlers, home, calendar, settings, helpHandler(() => list));
  return list;
}
