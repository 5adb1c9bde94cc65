/** The registry: every command handler, in the order `help` lists them. */
import type { Handler } from '../context.js';
import { consortiumHandlers } from './consortium.handlers.js';
import { helpHandler } from './help.handler.js';
import { match, propose } from './match.handlers.js';
import { orgHandlers } from './org.handlers.js';
import { settings } from './settings.handler.js';
import { taskHandlers } from './task.handlers.js';
import { tenderHandlers } from './tender.handlers.js';

export function allHandlers(extra: Handler[] = []): Handler[] {
  const list: Handler[] = [];
  list.push(...orgHandlers, ...tenderHandlers, match, propose, ...consortiumHandlers, ...extra, ...taskHandlers, settings, helpHandler(() => list));
  return list;
}
