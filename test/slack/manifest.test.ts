// manifest.yml is what an admin creates the app from: it must ask for exactly the scopes
// and events the adapter uses, and send everything to the routes the server serves.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SUBSCRIBED_EVENTS } from '../../adapters/slack/slack.events.js';
import { BOT_SCOPES } from '../../adapters/slack/slack.installation.js';
import { EVENTS_PATH } from '../../adapters/slack/slack.receiver.js';
import { SHORTCUTS } from '../../adapters/slack/slack.views.js';

const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');

/** The `- item` lines under a `key:` line, by indentation. */
function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  if (start < 0) return [];
  const indent = (lines[start] as string).search(/\S/);
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.search(/\S/) <= indent) break;
    const m = /^\s*-\s*(\S+)\s*$/.exec(line);
    if (m) out.push(m[1] as string);
  }
  return out;
}

describe('manifest.yml', () => {
  it('asks for exactly the bot scopes the adapter uses', () => {
    expect(listUnder('bot').sort()).toEqual([...BOT_SCOPES].sort());
  });

  it('subscribes to exactly the events the adapter handles', () => {
    expect(listUnder('bot_events').sort()).toEqual([...SUBSCRIBED_EVENTS].sort());
  });

  it('sends commands, interactions and events to the receiver, and OAuth back to its redirect', () => {
    const urls = [...manifest.matchAll(/https:\/\/YOUR-HOST(\/\S*)/g)].map((m) => m[1]);
    expect(urls.filter((u) => u === EVENTS_PATH)).toHaveLength(3);
    expect(urls.filter((u) => u !== EVENTS_PATH)).toEqual(['/slack/oauth_redirect']);
  });

  it('has Slack escape mentions in the slash command, as the parser expects', () => {
    expect(manifest).toMatch(/command: \/consortium[\s\S]*?should_escape: true/);
  });

  it('declares only shortcuts the adapter knows', () => {
    const ids = [...manifest.matchAll(/callback_id: (\S+)/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(SHORTCUTS[id as string]).toBeDefined();
  });

  it('enables the App Home tab and the messages tab', () => {
    expect(manifest).toMatch(/home_tab_enabled: true/);
    expect(manifest).toMatch(/messages_tab_enabled: true/);
  });
});
