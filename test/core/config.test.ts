// Configuration is validated at start with one line naming the problem.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const base = { MONGODB_URI: 'mongodb://127.0.0.1:27017/x', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('configuration', () => {
  it('accepts a minimal environment and fills defaults', () => {
    const c = loadConfig(base);
    expect(c.PORT).toBe(3000);
    expect(c.LOG_LEVEL).toBe('info');
  });

  it('names a missing variable and what it should look like', () => {
    expect(() => loadConfig({ REDIS_URL: base.REDIS_URL })).toThrow(/^MONGODB_URI is not set; it should look like mongodb:\/\//);
  });

  it('names a malformed variable', () => {
    expect(() => loadConfig({ ...base, PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, REDIS_URL: 'http://x' })).toThrow(/REDIS_URL is malformed/);
    expect(() => loadConfig({ ...base, SLACK_BOT_TOKEN: 'xoxp-user' })).toThrow(/SLACK_BOT_TOKEN is malformed: should start with xoxb-/);
    expect(() => loadConfig({ ...base, ENCRYPTION_KEY: 'short' })).toThrow(/64 hex/);
  });

  it('requires the companions of OAuth install', () => {
    expect(() => loadConfig({ ...base, SLACK_CLIENT_ID: 'id' })).toThrow(/SLACK_CLIENT_SECRET/);
  });
});
