// Reading activities: tenant, person, command text and mentions, conversation records.
import { describe, expect, it } from 'vitest';
import {
  baseConversationId, commandTextOf, conversationRecordOf, mentionsBot, referenceOf, tenantOf, tenantOfWorkspace, userIdOf, workspaceIdFor,
} from '../../adapters/teams/teams.activity.js';
import { tokenize } from '../../src/core/parse/tokens.js';

// The SDK's activity type, named through the adapter so botbuilder stays inside adapters/teams.
type Activity = Required<Parameters<typeof tenantOf>[0]>;

const TENANT = '9f0e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f';
const bot = { id: '28:bot', name: 'Consortia' };

function channelMessage(text: string, entities: unknown[]): Partial<Activity> {
  return {
    type: 'message', channelId: 'msteams', serviceUrl: 'https://smba.trafficmanager.net/uk/', text, entities: entities as Activity['entities'], recipient: bot,
    from: { id: '29:ana', name: 'Ana', aadObjectId: 'aad-ana' },
    conversation: { id: '19:abc@thread.tacv2;messageid=1712', conversationType: 'channel', isGroup: true, tenantId: TENANT, name: '' },
    channelData: { tenant: { id: TENANT }, team: { id: '19:abc@thread.tacv2', name: 'VCSE' } },
  };
}

describe('tenants and people', () => {
  it('takes the tenant from the conversation, else from channel data', () => {
    expect(tenantOf({ conversation: { id: 'c', tenantId: TENANT } as Activity['conversation'] })).toBe(TENANT);
    expect(tenantOf({ conversation: { id: 'c' } as Activity['conversation'], channelData: { tenant: { id: TENANT } } })).toBe(TENANT);
    expect(tenantOf({ conversation: { id: 'c' } as Activity['conversation'], channelId: 'msteams' })).toBeNull();
    expect(tenantOf({ conversation: { id: 'c' } as Activity['conversation'], channelId: 'emulator' })).toBe('emulator');
  });

  it('refuses tenant ids that could not be a tenant', () => {
    expect(tenantOf({ conversation: { id: 'c', tenantId: '{"$ne":1}' } as Activity['conversation'] })).toBeNull();
    expect(tenantOf({ conversation: { id: 'c', tenantId: 'a|b' } as Activity['conversation'] })).toBeNull();
  });

  it('maps a tenant to its workspace and back', () => {
    expect(workspaceIdFor(TENANT)).toBe(`teams:${TENANT}`);
    expect(tenantOfWorkspace(`teams:${TENANT}`)).toBe(TENANT);
    expect(tenantOfWorkspace('T0SLACK')).toBeNull();
  });

  it('knows a person by their AAD object id where there is one', () => {
    expect(userIdOf({ id: '29:x', aadObjectId: 'aad-x' })).toBe('aad-x');
    expect(userIdOf({ id: 'emulator-user' })).toBe('emulator-user');
    expect(userIdOf(undefined)).toBeNull();
  });
});

describe('command text', () => {
  const botMention = { type: 'mention', text: '<at>Consortia</at>', mentioned: bot };

  it('takes the bot\'s mention out', () => {
    const a = channelMessage('<at>Consortia</at> match T-3', [botMention]);
    expect(mentionsBot(a)).toBe(true);
    expect(commandTextOf(a, new Map())).toBe('match T-3');
  });

  it('turns other mentions into user tokens the core\'s parser reads', () => {
    const pat = { type: 'mention', text: '<at>Pat Smith</at>', mentioned: { id: '29:pat', name: 'Pat Smith' } };
    const a = channelMessage('<at>Consortia</at>&nbsp;task assign K-3 <at>Pat Smith</at>', [botMention, pat]);
    const text = commandTextOf(a, new Map([['29:pat', 'aad-pat']]));
    expect(text).toBe('task assign K-3 <@aad-pat>');
    expect(tokenize(text).at(-1)?.mention).toBe('aad-pat');
  });

  it('leaves the name where the person could not be identified', () => {
    const pat = { type: 'mention', text: '<at>Pat</at>', mentioned: { id: '29:pat', name: 'Pat' } };
    expect(commandTextOf(channelMessage('<at>Consortia</at> task assign K-3 <at>Pat</at>', [botMention, pat]), new Map())).toBe('task assign K-3 Pat');
  });

  it('does not see the bot mentioned when only the text says so', () => {
    expect(mentionsBot(channelMessage('<at>Consortia</at> help', []))).toBe(false);
  });
});

describe('conversation records', () => {
  it('keeps a channel without its thread, and rebuilds a reference from it', () => {
    const rec = conversationRecordOf(channelMessage('<at>Consortia</at> help', []), TENANT);
    expect(rec).toMatchObject({ tenantId: TENANT, conversationId: '19:abc@thread.tacv2', kind: 'channel', teamId: '19:abc@thread.tacv2', bot });
    expect(rec?.userId).toBeUndefined();
    const ref = referenceOf(rec!);
    expect(ref).toMatchObject({ serviceUrl: 'https://smba.trafficmanager.net/uk/', channelId: 'msteams', conversation: { id: '19:abc@thread.tacv2', tenantId: TENANT, isGroup: true } });
    expect(baseConversationId('a:1;messageid=2')).toBe('a:1');
  });
});
