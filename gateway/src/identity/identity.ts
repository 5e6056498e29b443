/**
 * Who may call the gateway: access keys mapped to IAM-style principals.
 *
 * The admin's key comes from the environment, or is generated on first start and kept in
 * `identity.json` (lowdb, mode 0600) with the secret sealed under a key derived from the
 * root key, so the data directory alone does not give the secret away.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { JSONFile } from 'lowdb/node';
import { Low } from 'lowdb';

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

function sealingKey(rootKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), 'kmsgate/identity/v1', 32));
}

function seal(rootKey: Buffer, accessKeyId: string, secret: string): string {
  const key = sealingKey(rootKey);
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from(accessKeyId));
  const sealed = Buffer.concat([nonce, cipher.update(secret, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  key.fill(0);
  return sealed.toString('base64');
}

function unseal(rootKey: Buffer, accessKeyId: string, sealedB64: string): string {
  const sealed = Buffer.from(sealedB64, 'base64');
  const key = sealingKey(rootKey);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(Buffer.from(accessKeyId));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    return Buffer.concat([decipher.update(sealed.subarray(12, sealed.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('cannot unseal the stored admin credentials: is this the root key the data directory was created with?');
  } finally {
    key.fill(0);
  }
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
    const db = new Low<IdentityFile>(new JSONFile(path), { version: 1, users: [] });
    await db.read();
    let created = false;
    let admin = db.data.users.find((u) => u.name === ADMIN);
    if (!admin) {
      const fresh = generateAccessKey();
      admin = {
        name: ADMIN,
        accessKeyId: fresh.accessKeyId,
        sealedSecret: seal(opts.rootKey, fresh.accessKeyId, fresh.secretAccessKey),
        createdAt: new Date().toISOString(),
      };
      db.data.users.push(admin);
      await db.write();
      created = true;
    }
    await chmod(path, 0o600);
    for (const user of db.data.users) {
      store.add(user.name, user.accessKeyId, unseal(opts.rootKey, user.accessKeyId, user.sealedSecret));
    }
    return { store, admin: store.lookup(admin.accessKeyId)!, created };
  }
}
