/**
 * Where bot tokens come from. Single-workspace mode has one token from SLACK_BOT_TOKEN;
 * OAuth mode keeps one installation per workspace in MongoDB (tokens encrypted, see
 * src/store/slack-installation.store.ts) and serves Bolt's InstallationStore interface.
 * Installing makes the installer the workspace's first coordinator; uninstalling removes
 * the tokens (the workspace's data stays, as an organisation's records are its own).
 */
import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import type { Logger } from 'pino';
import type { WorkspaceDirectory } from '../../src/core/ports.js';
import type { InstallationKey, SlackInstallationStore } from '../../src/store/slack-installation.store.js';
import { slackIdOf, workspaceIdOf } from './slack.context.js';

/** Bot scopes the features use; manifest.yml lists the same. */
export const BOT_SCOPES = ['commands', 'chat:write', 'im:write'];

export interface TokenSource {
  /** The bot token for a workspace (`slack:T…`), or null when the app is not installed there. */
  tokenFor(workspaceId: string): Promise<string | null>;
}

export class SingleWorkspaceTokens implements TokenSource {
  constructor(private readonly token: string) {}
  async tokenFor(workspaceId: string): Promise<string | null> {
    return slackIdOf(workspaceId) ? this.token : null;
  }
}

export type SlackInstallation = Installation<'v1' | 'v2', boolean>;

export class InstallationNotFoundError extends Error {
  readonly code = 'SLACK_NOT_INSTALLED';
}

function keyOf(q: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall?: boolean }): InstallationKey {
  return {
    ...(q.teamId ? { teamId: q.teamId } : {}),
    ...(q.enterpriseId ? { enterpriseId: q.enterpriseId } : {}),
    isEnterpriseInstall: q.isEnterpriseInstall === true,
  };
}

export class MongoInstallations implements InstallationStore, TokenSource {
  constructor(
    private readonly store: SlackInstallationStore<SlackInstallation>,
    private readonly workspaces: WorkspaceDirectory,
    private readonly log: Logger,
  ) {}

  async storeInstallation(installation: SlackInstallation): Promise<void> {
    const isEnterpriseInstall = installation.isEnterpriseInstall === true;
    const teamId = installation.team?.id;
    const enterpriseId = installation.enterprise?.id;
    await this.store.save(
      {
        ...keyOf({ teamId, enterpriseId, isEnterpriseInstall }),
        ...(installation.team?.name ? { teamName: installation.team.name } : {}),
        installerUserId: installation.user.id,
        ...(installation.bot?.userId ? { botUserId: installation.bot.userId } : {}),
      },
      installation,
    );
    const workspaceId = workspaceIdOf(isEnterpriseInstall ? { enterpriseId } : { teamId, enterpriseId });
    if (!workspaceId) return;
    const name = installation.team?.name ?? installation.enterprise?.name ?? workspaceId;
    const ws = await this.workspaces.ensure(workspaceId, 'slack', name, installation.user.id);
    if (ws.settings.coordinators.length === 0) {
      // Reinstalled after its coordinators were all removed: the installer takes the role again.
      await this.workspaces.updateSettings(workspaceId, { coordinators: [installation.user.id] });
    }
    this.log.info({ workspaceId, installer: installation.user.id }, 'Slack app installed');
  }

  async fetchInstallation(query: InstallationQuery<boolean>): Promise<SlackInstallation> {
    const found = await this.store.find(keyOf(query));
    if (!found) throw new InstallationNotFoundError(`no installation for ${query.isEnterpriseInstall ? query.enterpriseId : query.teamId}`);
    return found.installation;
  }

  async deleteInstallation(query: InstallationQuery<boolean>): Promise<void> {
    await this.remove(keyOf(query));
  }

  /** Removes a team's installation and, for an org-wide one, the enterprise's. */
  async remove(key: InstallationKey): Promise<number> {
    let removed = 0;
    if (key.teamId) removed += await this.store.delete({ teamId: key.teamId });
    if (key.enterpriseId && key.isEnterpriseInstall) removed += await this.store.delete({ enterpriseId: key.enterpriseId, isEnterpriseInstall: true });
    this.log.info({ teamId: key.teamId, enterpriseId: key.enterpriseId, removed }, 'Slack installation removed');
    return removed;
  }

  async tokenFor(workspaceId: string): Promise<string | null> {
    const id = slackIdOf(workspaceId);
    if (!id) return null;
    const found = (await this.store.find({ teamId: id })) ?? (await this.store.find({ enterpriseId: id, isEnterpriseInstall: true }));
    return found?.installation.bot?.token ?? null;
  }
}
