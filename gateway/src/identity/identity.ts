/**
 * Who may call the gateway: access keys mapped to IAM-style principals.
 *
 * The admin's key comes from the environment, or is generated on first start and kept in
 * `identity.json`, written like the keystore (kms-core's durable lowdb adapter: mode 0600
 * from creation, fsynced before the credentials are shown) with the secret under kms-core's
 * one AES-GCM seal, so the data directory alone does not give the secret away:
 *
 *   sealedSecret = seal(key = rootSubkey(rootKey, "kmsgate/identity/v1"), aad = accessKeyId, secret)
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, StoreFileError, rootSubkey, seal, unseal } from '@kmsgate/kms-core';

export interface Principal {
  name: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  principal: Principal;
}

interface StoredUser {
  name: string;
  accessKeyId: string;
  /** base64(nonce ‖ AES-256-GCM(secret) ‖ tag) */
  sealedSecret: string;
  createdAt: string;
}

interface IdentityFile {
  version: 1;
  users: StoredUser[];
}

const ADMIN = 'admin';
const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SEAL_LABEL = 'kmsgate/identity/v1';

/** `nonce` is for known-answer tests only. */
export function sealSecret(rootKey: Buffer, accessKeyId: string, secret: string, nonce?: Buffer): string {
  const key = rootSubkey(rootKey, SEAL_LABEL);
  try {
    return seal(key, Buffer.from(accessKeyId, 'utf8'), Buffer.from(secret, 'utf8'), nonce);
  } finally {
    key.fill(0);
  }
}

/** The secret, or null when the entry does not open under this root key. */
export function unsealSecret(rootKey: Buffer, accessKeyId: string, sealed: string): string | null {
  const key = rootSubkey(rootKey, SEAL_LABEL);
  try {
    return unseal(key, Buffer.from(accessKeyId, 'utf8'), sealed)?.toString('utf8') ?? null;
  } finally {
    key.fill(0);
  }
}

function isIdentityFile(value: unknown): value is IdentityFile {
  const file = value as Partial<IdentityFile> | null;
  return (
    typeof file === 'object' && file !== null && file.version === 1 && Array.isArray(file.users) &&
    file.users.every((u: Partial<StoredUser> | null) =>
      typeof u === 'object' && u !== null && typeof u.name === 'string' && typeof u.accessKeyId === 'string' &&
      typeof u.sealedSecret === 'string' && typeof u.createdAt === 'string')
  );
}

export function generateAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  const id = Array.from(randomBytes(16), (b) => BASE32[b % 32]).join('');
  return { accessKeyId: `AKIA${id}`, secretAccessKey: randomBytes(30).toString('base64') };
}

export class IdentityStore {
  private readonly keys = new Map<string, AccessKey>();

  private constructor(private readonly accountId: string) {}

  principalFor(name: string, accessKeyId: string): Principal {
    return { name, arn: `arn:aws:iam::${this.accountId}:user/${name}`, accountId: this.accountId, accessKeyId };
  }

  lookup(accessKeyId: string): AccessKey | undefined {
    return this.keys.get(accessKeyId);
  }

  private add(name: string, accessKeyId: string, secretAccessKey: string): AccessKey {
    const entry = { accessKeyId, secretAccessKey, principal: this.principalFor(name, accessKeyId) };
    this.keys.set(accessKeyId, entry);
    return entry;
  }

  /**
   * Opens the identity file. `given` credentials (from the environment) become the admin's
   * and are never written; otherwise the stored admin is used, or one is generated
   * (`created` tells the caller to print it once).
   */
  static async open(opts: {
    dataDir: string;
    rootKey: Buffer;
    accountId: string;
    given?: { accessKeyId: string; secretAccessKey: string };
  }): Promise<{ store: IdentityStore; admin: AccessKey; created: boolean }> {
    const store = new IdentityStore(opts.accountId);
    if (opts.given) {
      return { store, admin: store.add(ADMIN, opts.given.accessKeyId, opts.given.secretAccessKey), created: false };
    }
    const path = join(opts.dataDir, 'identity.json');
    const adapter = new DurableJsonFile<IdentityFile>(path);
    const stored = await adapter.read();
    if (stored !== null && !isIdentityFile(stored)) throw new StoreFileError(path, 'it is not a kmsgate identity store');
    const db = new Low<IdentityFile>(adapter, stored ?? { version: 1, users: [] });
    let created = false;
    let admin = db.data.users.find((u) => u.name === ADMIN);
    if (!admin) {
      const fresh = generateAccessKey();
      admin = {
        name: ADMIN,
        accessKeyId: fresh.accessKeyId,
        sealedSecret: sealSecret(opts.rootKey, fresh.accessKeyId, fresh.secretAccessKey),
        createdAt: new Date().toISOString(),
      };
      db.data.users.push(admin);
      // On disk before anyone is shown the key: a key printed but lost would lock the admin out.
      await db.write();
      created = true;
    }
    for (const user of db.data.users) {
      const secret = unsealSecret(opts.rootKey, user.accessKeyId, user.sealedSecret);
      if (secret === null) {
        throw new StoreFileError(path, `the secret of '${user.name}' does not open: is this the root key the data directory was created with?`);
      }
      store.add(user.name, user.accessKeyId, secret);
    }
    return { store, admin: store.lookup(admin.accessKeyId)!, created };
  }
}
