/**
 * The notifier a worker process delivers through: one per chat platform, behind the
 * router. The console is always there (it prints); Slack and Teams register theirs when
 * their adapters are configured.
 */
import { ConsoleNotifier } from '../adapters/console/console.notifier.js';
import { NotifierRouter } from './notify.router.js';

export interface NotifierOptions {
  /** Where console nudges are printed. */
  write: (text: string) => void;
}

export function createNotifier(opts: NotifierOptions): NotifierRouter {
  return new NotifierRouter().register('console', new ConsoleNotifier(opts.write));
}
