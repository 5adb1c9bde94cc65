/**
 * Slack installations (one per workspace or enterprise that installed the app), stored with
 * their tokens encrypted at rest: AES-256-GCM under ENCRYPTION_KEY, a fresh IV per write,
 * and the record's key as associated data, so a ciphertext copied onto another record's key
 * fails to decrypt instead of handing one workspace's token to another.
 *
 * The installation itself is opaque JSON here: the Slack adapter owns its shape, so no
 * Slack SDK type reaches the store.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import mongoose, { Schema, type Connection } from 'mongoose';

/** Which installation: a workspace's, or an enterprise's org-wide one. */
export interface InstallationKey {
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall?: boolean;
}

/** What is kept in clear beside the encrypted installation, to look it up and audit it. */
export interface InstallationMeta extends InstallationKey {
  teamName?: string;
  installerUserId?: string;
  botUserId?: string;
}

export interface StoredInstallation<T> extends InstallationMeta {
  key: string;
  installation: T;
  updatedAt?: Date;
}

interface InstallationDoc {
  _id: string;
  teamId?: string;
  enterpriseId?: string;
  isEnterpriseInstall: boolean;
  teamName?: string;
  installerUserId?: string;
  botUserId?: string;
  secret: string;
  updatedAt?: Date;
}

const installationSchema = new Schema<InstallationDoc>(
  {
    _id: { type: String, required: true },
    teamId: { type: String, maxlength: 40 },
    enterpriseId: { type: String, maxlength: 40 },
    isEnterpriseInstall: { type: Boolean, default: false },
    teamName: { type: String, maxlength: 200 },
    installerUserId: { type: String, maxlength: 40 },
    botUserId: { type: String, maxlength: 40 },
    secret: { type: String, required: true, maxlength: 100_000 },
  },
  { versionKey: false, timestamps: true, collection: 'slack_installations' },
);

export class InstallationKeyError extends Error {
  readonly code = 'SLACK_INSTALLATION_KEY';
}

/** Slack ids are short upper-case alphanumerics; anything else is refused before a query. */
const SLACK_ID = /^[A-Z0-9]{2,40}$/;

/**
 * The record key: `E:<enterprise>` for an org-wide install, else `T:<team>`.
 *
 * @throws InstallationKeyError when the ids needed are missing or malformed.
 */
export function installationKey(k: InstallationKey): string {
  if (k.isEnterpriseInstall) {
    if (!k.enterpriseId || !SLACK_ID.test(k.enterpriseId)) throw new InstallationKeyError('an enterprise install needs an enterprise id');
    return `E:${k.enterpriseId}`;
  }
  if (!k.teamId || !SLACK_ID.test(k.teamId)) throw new InstallationKeyError('an installation needs a team id');
  return `T:${k.teamId}`;
}

const VERSION = 'v1';

/** Encrypts and decrypts installation JSON with one 256-bit key. */
export class TokenCipher {
  private readonly key: Buffer;

  /** @param keyHex 64 hex characters (openssl rand -hex 32). */
  constructor(keyHex: string) {
    if (!/^[0-9a-f]{64}$/i.test(keyHex)) throw new InstallationKeyError('ENCRYPTION_KEY should be 64 hex characters');
    this.key = Buffer.from(keyHex, 'hex');
  }

  encrypt(plain: string, aad: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
  }

  /** @throws Error when the text was not written by this key for this `aad` (tampered, moved or wrong key). */
  decrypt(sealed: string, aad: string): string {
    const [version, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || !iv || !tag || body === undefined) throw new Error('unrecognised sealed installation');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  }
}

export class SlackInstallationStore<T = unknown> {
  private readonly model: mongoose.Model<InstallationDoc>;
  private readonly cipher: TokenCipher;

  constructor(connection: Connection, encryptionKeyHex: string) {
    this.model = (connection.models.SlackInstallation as mongoose.Model<InstallationDoc> | undefined) ??
      connection.model<InstallationDoc>('SlackInstallation', installationSchema);
    this.cipher = new TokenCipher(encryptionKeyHex);
  }

  /** Saves (or replaces, on reinstall) an installation. */
  async save(meta: InstallationMeta, installation: T): Promise<void> {
    const key = installationKey(meta);
    const secret = this.cipher.encrypt(JSON.stringify(installation), key);
    const set = {
      isEnterpriseInstall: meta.isEnterpriseInstall === true,
      secret,
      ...pick(meta, ['teamId', 'enterpriseId', 'teamName', 'installerUserId', 'botUserId']),
    };
    await this.model.updateOne({ _id: key }, { $set: set }, { upsert: true, runValidators: true });
  }

  /** The installation for a key, or null when there is none (or its id is malformed). */
  async find(k: InstallationKey): Promise<StoredInstallation<T> | null> {
    let key: string;
    try {
      key = installationKey(k);
    } catch {
      return null;
    }
    const doc = await this.model.findById(key).lean();
    if (!doc) return null;
    return {
      key,
      isEnterpriseInstall: doc.isEnterpriseInstall,
      ...pick(doc, ['teamId', 'enterpriseId', 'teamName', 'installerUserId', 'botUserId', 'updatedAt']),
      installation: JSON.parse(this.cipher.decrypt(doc.secret, key)) as T,
    };
  }

  /** Removes an installation; returns how many records went (0 or 1). */
  async delete(k: InstallationKey): Promise<number> {
    let key: string;
    try {
      key = installationKey(k);
    } catch {
      return 0;
    }
    const res = await this.model.deleteOne({ _id: key });
    return res.deletedCount ?? 0;
  }

  /** The stored document as it is on disk, for checking that nothing secret is in clear. */
  async raw(k: InstallationKey): Promise<Record<string, unknown> | null> {
    return (await this.model.findById(installationKey(k)).lean()) as Record<string, unknown> | null;
  }
}

function pick<O extends object, K extends keyof O>(o: O, keys: K[]): Partial<Pick<O, K>> {
  const out: Partial<Pick<O, K>> = {};
  for (const k of keys) if (o[k] !== undefined && o[k] !== null) out[k] = o[k];
  return out;
}
