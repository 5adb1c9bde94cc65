/**
 * Structured JSON logs. Tokens, secrets and message text never reach the log: the redact
 * list covers the fields that could carry them.
 */
import { pino, type Logger } from 'pino';
import type { CoreLog } from './core/context.js';

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'consortia', ...base },
    redact: {
      paths: [
        'token', '*.token', 'botToken', '*.botToken', 'accessToken', '*.accessToken', 'password', '*.password',
        'authorization', '*.authorization', 'req.headers.authorization', 'req.headers.cookie', 'headers.authorization',
        'text', '*.text', 'email', '*.email', 'secret', '*.secret',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** The core's log port backed by pino. */
export function coreLog(logger: Logger): CoreLog {
  return {
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => logger.warn(obj, msg),
    error: (obj, msg) => logger.error(obj, msg),
  };
}
