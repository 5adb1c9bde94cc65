/** Bolt's logger interface on top of our pino logger, so Slack SDK messages land in the same JSON log. */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const join = (parts: unknown[]): string => parts.map((p) => (p instanceof Error ? p.message : typeof p === 'string' ? p : JSON.stringify(p))).join(' ');

export function boltLogger(log: Logger): BoltLogger {
  let level: LogLevel = LogLevel.INFO;
  let child = log.child({ component: 'slack-sdk' });
  return {
    debug: (...msg: unknown[]) => child.debug(join(msg)),
    info: (...msg: unknown[]) => child.info(join(msg)),
    warn: (...msg: unknown[]) => child.warn(join(msg)),
    error: (...msg: unknown[]) => child.error(join(msg)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (name: string) => {
      child = log.child({ component: name });
    },
  };
}
