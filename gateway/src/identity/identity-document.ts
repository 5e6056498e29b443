/**
 * identity.json: the users, their access keys and inline policies, as one document.
 *
 * Format version 2 (this release):
 *   { format: "kmsgate-identity", version: 2, rootKeyCheck, users: StoredUser[], mac }
 *   sealedSecret = seal(key = rootSubkey(rootKey, "kmsgate/identity/v2"),
 *                       aad = userName ‖ 0x00 ‖ accessKeyId, secret)
 *   mac          = documentMac(rootSubkey(rootKey, "kmsgate/identity-mac/v2"), document without mac)
 * so nothing but the secrets is readable from the disk, and nothing at all (a key's status,
 * a policy, which user a key belongs to) can be edited without the root key.
 *
 * Version 1 (the first release) held only the admin, its secret sealed under
 * "kmsgate/identity/v1" with aad = accessKeyId, and no MAC. It is upgraded on open, without
 * asking: a version 1 file can only ever hold secrets that the first release sealed, and that
 * release sealed nothing but the admin's own key, because version 2 seals under another
 * label. So writing a version 1 file cannot turn a user's key into the admin's; it can only
 * roll the store back, which replacing the file with an older version 2 copy could do too.
 */
import { StoreFileError, documentMac, documentMacMatches, rootKeyCheck, rootKeyMatches, rootSubkey, seal, unseal } from '@kmsgate/kms-core';
import type { CanonicalJsonValue } from '@kmsgate/kms-core';

export const IDENTITY_FORMAT = 'kmsgate-identity';
export const ADMIN = 'admin';

export type KeyStatus = 'Active' | 'Inactive';

export interface StoredAccessKey {
  accessKeyId: string;
  sealedSecret: string;
  status: KeyStatus;
  createdAt: string;
}

export interface StoredPolicy {
  name: string;
  /** The document exactly as the client sent it (GetUserPolicy returns it so). */
  document: string;
}

export interface StoredUser {
  name: string;
  userId: string;
  path: string;
  createdAt: string;
  accessKeys: StoredAccessKey[];
  policies: StoredPolicy[];
}

export interface IdentityDocument {
  format: typeof IDENTITY_FORMAT;
  version: 2;
  rootKeyCheck: string;
  users: StoredUser[];
  mac: string;
}

const SEAL_V1 = 'kmsgate/identity/v1';
const SEAL_V2 = 'kmsgate/identity/v2';
const MAC_LABEL = 'kmsgate/identity-mac/v2';

function withKey<T>(rootKey: Buffer, label: string, use: (key: Buffer) => T): T {
  const key = rootSubkey(rootKey, label);
  try {
    return use(key);
  } finally {
    key.fill(0);
  }
}

function secretAad(userName: string, accessKeyId: string): Buffer {
  return Buffer.from(`${userName}\0${accessKeyId}`, 'utf8');
}

/** `nonce` is for known-answer tests only. */
export function sealSecret(rootKey: Buffer, userName: string, accessKeyId: string, secret: string, nonce?: Buffer): string {
  return withKey(rootKey, SEAL_V2, (key) => seal(key, secretAad(userName, accessKeyId), Buffer.from(secret, 'utf8'), nonce));
}

/** The secret, or null when the entry does not open under this root key for this user and key. */
export function unsealSecret(rootKey: Buffer, userName: string, accessKeyId: string, sealed: string): string | null {
  return withKey(rootKey, SEAL_V2, (key) => unseal(key, secretAad(userName, accessKeyId), sealed)?.toString('utf8') ?? null);
}

/** A first-release entry (admin only, aad = accessKeyId). */
export function unsealSecretV1(rootKey: Buffer, accessKeyId: string, sealed: string): string | null {
  return withKey(rootKey, SEAL_V1, (key) => unseal(key, Buffer.from(accessKeyId, 'utf8'), sealed)?.toString('utf8') ?? null);
}

function macBody(doc: Omit<IdentityDocument, 'mac'> & { mac?: string }): CanonicalJsonValue {
  const { mac: _mac, ...body } = JSON.parse(JSON.stringify(doc)) as Record<string, CanonicalJsonValue>;
  return body;
}

/** Sets `doc.mac` for what `doc` holds now. */
export function authenticate(doc: Omit<IdentityDocument, 'mac'> & { mac?: string }, rootKey: Buffer): IdentityDocument {
  doc.mac = withKey(rootKey, MAC_LABEL, (key) => documentMac(key, macBody(doc)));
  return doc as IdentityDocument;
}

export function emptyDocument(rootKey: Buffer): Omit<IdentityDocument, 'mac'> {
  return { format: IDENTITY_FORMAT, version: 2, rootKeyCheck: rootKeyCheck(rootKey), users: [] };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

interface V1User {
  name: string;
  accessKeyId: string;
  sealedSecret: string;
  createdAt: string;
}

function isV1(value: Record<string, unknown>): value is { version: 1; users: V1User[] } {
  return value.version === 1 && Array.isArray(value.users) && value.users.every((u: unknown) =>
    isObject(u) && isString(u.name) && isString(u.accessKeyId) && isString(u.sealedSecret) && isString(u.createdAt));
}

function isUser(u: unknown): u is StoredUser {
  return isObject(u) && isString(u.name) && isString(u.userId) && isString(u.path) && isString(u.createdAt) &&
    Array.isArray(u.accessKeys) && u.accessKeys.every((k: unknown) => isObject(k) && isString(k.accessKeyId) && isString(k.sealedSecret) &&
      (k.status === 'Active' || k.status === 'Inactive') && isString(k.createdAt)) &&
    Array.isArray(u.policies) && u.policies.every((p: unknown) => isObject(p) && isString(p.name) && isString(p.document));
}

export interface CheckedIdentity {
  doc: IdentityDocument;
  /** The file was version 1 and must be written back as version 2. */
  upgraded: boolean;
}

/**
 * Checks a stored identity document; throws StoreFileError naming `path`. `newUserId`
 * gives the upgraded admin its IAM user id.
 */
export function checkStoredIdentity(stored: unknown, opts: { rootKey: Buffer; path: string; newUserId: () => string }): CheckedIdentity {
  const refuse = (problem: string): StoreFileError => new StoreFileError(opts.path, problem);
  if (!isObject(stored)) throw refuse('it is not a kmsgate identity store');
  if (stored.format === undefined && isV1(stored)) {
    const [admin, ...others] = stored.users;
    if (!admin || admin.name !== ADMIN || others.length > 0) throw refuse('it is not a kmsgate identity store');
    const secret = unsealSecretV1(opts.rootKey, admin.accessKeyId, admin.sealedSecret);
    if (secret === null) throw refuse(`the secret of '${admin.name}' does not open: is this the root key the data directory was created with?`);
    const doc = emptyDocument(opts.rootKey);
    doc.users.push({
      name: ADMIN, userId: opts.newUserId(), path: '/', createdAt: admin.createdAt, policies: [],
      accessKeys: [{ accessKeyId: admin.accessKeyId, sealedSecret: sealSecret(opts.rootKey, ADMIN, admin.accessKeyId, secret), status: 'Active', createdAt: admin.createdAt }],
    });
    return { doc: authenticate(doc, opts.rootKey), upgraded: true };
  }
  if (stored.format !== IDENTITY_FORMAT || stored.version !== 2 || !isString(stored.rootKeyCheck) || !isString(stored.mac) ||
      !Array.isArray(stored.users) || !stored.users.every(isUser)) {
    throw refuse('it is not a kmsgate identity store');
  }
  if (!rootKeyMatches(opts.rootKey, stored.rootKeyCheck)) throw refuse('it was sealed under a different root key: is this the root key the data directory was created with?');
  const doc = stored as unknown as IdentityDocument;
  const macOk = withKey(opts.rootKey, MAC_LABEL, (key) => documentMacMatches(key, macBody(doc), doc.mac));
  if (!macOk) throw refuse('its contents do not authenticate under the root key (the file was edited or damaged)');
  return { doc, upgraded: false };
}
