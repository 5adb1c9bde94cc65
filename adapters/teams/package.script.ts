/**
 * `npm run teams:package -- --app-id <MICROSOFT_APP_ID>` writes the installable Teams app
 * (build/consortia-teams.zip): manifest.json, color.png and outline.png at the top level.
 *
 * Options: --app-id (required, the bot's GUID), --teams-app-id (default: the app id),
 * --website (https; default https://consortia.example.org), --developer, --out.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allHandlers } from '../../src/core/handlers/index.js';
import { colorIcon, outlineIcon } from './teams.icons.js';
import { buildManifest } from './teams.manifest.js';
import { zip } from './teams.zip.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface PackageOptions {
  appId: string;
  teamsAppId?: string;
  website?: string;
  developer?: string;
  out?: string;
}

/** Builds the package and writes it; returns where. */
export function writeTeamsPackage(opts: PackageOptions): string {
  const template: unknown = JSON.parse(readFileSync(path.join(ROOT, 'teams', 'manifest.template.json'), 'utf8'));
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const manifest = buildManifest(template, {
    botId: opts.appId,
    ...(opts.teamsAppId ? { teamsAppId: opts.teamsAppId } : {}),
    version,
    website: opts.website ?? 'https://consortia.example.org',
    developer: opts.developer ?? 'Consortia',
  }, allHandlers());
  const archive = zip([
    { name: 'manifest.json', data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) },
    { name: 'color.png', data: colorIcon() },
    { name: 'outline.png', data: outlineIcon() },
  ]);
  const out = path.resolve(opts.out ?? path.join(ROOT, 'build', 'consortia-teams.zip'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, archive);
  return out;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      'app-id': { type: 'string' },
      'teams-app-id': { type: 'string' },
      website: { type: 'string' },
      developer: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const appId = values['app-id'];
  if (!appId) {
    process.stderr.write('Give the bot\'s Microsoft app id: npm run teams:package -- --app-id <MICROSOFT_APP_ID>\nSee docs/teams-setup.md.\n');
    process.exit(2);
  }
  const out = writeTeamsPackage({
    appId,
    ...(values['teams-app-id'] ? { teamsAppId: values['teams-app-id'] } : {}),
    ...(values.website ? { website: values.website } : {}),
    ...(values.developer ? { developer: values.developer } : {}),
    ...(values.out ? { out: values.out } : {}),
  });
  process.stdout.write(`Wrote ${path.relative(process.cwd(), out) || out}: upload it in Teams (Apps → Manage your apps → Upload an app).\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`Could not build the Teams package: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
