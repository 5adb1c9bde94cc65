/**
 * The only module that reads the environment. Everything is validated at start; a missing
 * or malformed variable stops the process with one line naming it and its expected shape.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';

const url = (protocols: string[], example: string) =>
  z
    .string()
    .refine((v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, `should look like ${example}`);

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('127.0.0.1'),
  PUBLIC_URL: url(['http:', 'https:'], 'https://consortia.example.org').optional(),
  MONGODB_URI: url(['mongodb:', 'mongodb+srv:'], 'mongodb://127.0.0.1:27017/consortia'),
  REDIS_URL: url(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z.string().regex(/^[a-z0-9:_-]{1,40}$/i, 'should be letters, digits, : _ -').default('consortia'),
  SLACK_SIGNING_SECRET: z.string().min(8, 'should be the app\'s signing secret from api.slack.com').optional(),
  SLACK_BOT_TOKEN: z.string().regex(/^xoxb-/, 'should start with xoxb-').optional(),
  SLACK_APP_TOKEN: z.string().regex(/^xapp-/, 'should start with xapp-').optional(),
  SLACK_CLIENT_ID: z.string().optional(),
  SLACK_CLIENT_SECRET: z.string().optional(),
  SLACK_STATE_SECRET: z.string().optional(),
  SLACK_API_URL: url(['http:', 'https:'], 'https://slack.com/api/').optional(),
  MICROSOFT_APP_ID: z.string().optional(),
  MICROSOFT_APP_PASSWORD: z.string().optional(),
  MICROSOFT_APP_TENANT_ID: z.string().optional(),
  MICROSOFT_APP_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-f]{64}$/i, 'should be 64 hex characters (openssl rand -hex 32)')
    .optional(),
  ADMIN_PASSWORD: z.string().min(8, 'should be at least 8 characters').optional(),
  /** Folders `tender import` may read files from, comma separated. */
  IMPORT_DIRS: z.string().default('imports,../shared/data/ocds'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Scales every nudge offset down, for tests and demos: 1 is real time. */
  NUDGE_TIME_SCALE: z.coerce.number().positive().max(1).default(1),
});

export type Config = z.infer<typeof schema>;

/** Reads `.env` (if present) without overriding variables already set. */
function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*)\s*$/.exec(line);
    if (!m || !m[1]) continue;
    out[m[1]] = (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

export class ConfigError extends Error {}

/** Validated configuration, from `env` (default: `.env` merged under process.env). */
export function loadConfig(env: Record<string, string | undefined> = { ...readDotEnv('.env'), ...process.env }): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = String(issue?.path[0] ?? 'configuration');
    const missing = issue?.code === 'invalid_type' && cleaned[name] === undefined;
    throw new ConfigError(missing ? `${name} is not set; ${describe(name)}` : `${name} is malformed: ${issue?.message ?? 'invalid'}`);
  }
  const c = parsed.data;
  if (c.SLACK_CLIENT_ID && !(c.SLACK_CLIENT_SECRET && c.SLACK_STATE_SECRET)) {
    throw new ConfigError('SLACK_CLIENT_SECRET and SLACK_STATE_SECRET must be set with SLACK_CLIENT_ID for OAuth install');
  }
  if (c.SLACK_CLIENT_ID && !c.ENCRYPTION_KEY) {
    throw new ConfigError('ENCRYPTION_KEY is not set; OAuth install stores tokens encrypted: set 64 hex characters (openssl rand -hex 32)');
  }
  if (c.MICROSOFT_APP_ID && !c.MICROSOFT_APP_PASSWORD && c.MICROSOFT_APP_TYPE !== 'UserAssignedMSI') {
    throw new ConfigError('MICROSOFT_APP_PASSWORD is not set; it is needed with MICROSOFT_APP_ID (the bot\'s client secret)');
  }
  return c;
}

function describe(name: string): string {
  switch (name) {
    case 'MONGODB_URI':
      return 'it should look like mongodb://127.0.0.1:27017/consortia (npm start sets it up locally)';
    case 'REDIS_URL':
      return 'it should look like redis://127.0.0.1:6379 (npm start sets it up locally)';
    default:
      return 'see .env.example';
  }
}
