/**
 * Transport: HTTP through Bolt's ExpressReceiver on our own router (mounted by the web
 * server), or Socket Mode when an app token is configured. Acknowledgements go out as soon
 * as a listener calls ack (`processBeforeResponse: false`); the work continues after.
 *
 * Before Bolt reads a body, a guard refuses requests without Slack's signature headers or
 * with a timestamp more than five minutes from now (either way), and bodies over the
 * limit; Bolt then checks the v0 HMAC signature itself.
 */
import { ExpressReceiver, SocketModeReceiver, type InstallationStore, type Logger as BoltLogger, type Receiver } from '@slack/bolt';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { ConfigError, type Config } from '../../src/config.js';
import { withSlash } from './slack.api.js';
import { BOT_SCOPES } from './slack.installation.js';

/** Largest request body accepted; Slack's interaction payloads are far smaller. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** How far a request's timestamp may be from our clock (Slack's own recommendation). */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;
export const EVENTS_PATH = '/slack/events';

export interface SlackTransport {
  receiver: Receiver;
  /** HTTP routes to mount; absent in Socket Mode. */
  router?: Router;
  mode: 'http' | 'socket';
  oauth: boolean;
}

/** Refuses unsigned, stale and oversized requests before anything reads their body. */
export function requestGuard(now: () => number = Date.now) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const signature = req.get('x-slack-signature');
    const timestamp = Number(req.get('x-slack-request-timestamp'));
    if (!signature || !Number.isInteger(timestamp) || Math.abs(now() / 1000 - timestamp) > TIMESTAMP_TOLERANCE_SECONDS) {
      res.status(401).send();
      return;
    }
    if (Number(req.get('content-length') ?? 0) > BODY_LIMIT_BYTES) {
      res.status(413).send();
      return;
    }
    next();
  };
}

/** A Slack setting missing or contradictory; a ConfigError, so processes report it as one. */
export class SlackConfigError extends ConfigError {
  readonly code = 'SLACK_CONFIG';
}

export function createTransport(config: Config, logger: BoltLogger, installationStore?: InstallationStore): SlackTransport {
  const oauth = Boolean(config.SLACK_CLIENT_ID && config.SLACK_CLIENT_SECRET && config.SLACK_STATE_SECRET && installationStore);
  const oauthOptions = oauth
    ? {
        clientId: config.SLACK_CLIENT_ID,
        clientSecret: config.SLACK_CLIENT_SECRET,
        stateSecret: config.SLACK_STATE_SECRET,
        scopes: BOT_SCOPES,
        installationStore,
        ...(config.PUBLIC_URL ? { redirectUri: new URL('/slack/oauth_redirect', config.PUBLIC_URL).toString() } : {}),
      }
    : {};
  const installerOptions = {
    directInstall: true,
    installPath: '/slack/install',
    redirectUriPath: '/slack/oauth_redirect',
    ...(config.SLACK_API_URL ? { clientOptions: { slackApiUrl: withSlash(config.SLACK_API_URL) } } : {}),
  };

  if (config.SLACK_APP_TOKEN) {
    if (oauth) throw new SlackConfigError('Socket Mode (SLACK_APP_TOKEN) serves one workspace: unset SLACK_CLIENT_ID for it, or unset SLACK_APP_TOKEN for OAuth over HTTP');
    return { receiver: new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN, logger }), mode: 'socket', oauth: false };
  }
  if (!config.SLACK_SIGNING_SECRET) throw new SlackConfigError('SLACK_SIGNING_SECRET is not set; it is on the app\'s Basic Information page at api.slack.com');

  const router = Router();
  router.post(EVENTS_PATH, requestGuard());
  const receiver = new ExpressReceiver({
    signingSecret: config.SLACK_SIGNING_SECRET,
    endpoints: EVENTS_PATH,
    router,
    logger,
    processBeforeResponse: false,
    bodyLimit: BODY_LIMIT_BYTES,
    ...oauthOptions,
    ...(oauth ? { installerOptions } : {}),
  });
  return { receiver, router, mode: 'http', oauth };
}
