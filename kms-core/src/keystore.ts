// The keystore: one lowdb document (a JSON file written durably with mode 0600, or memory
// for tests) holding key records, aliases and owned keys, with key material sealed under the
// root key and every other field under its MAC. Reads see the committed document; every change
// goes through `mutate`, which runs under one mutex on a copy and swaps it in only after the
// write reached the disk, so an answer given after `mutate` resolved survives a power cut.

import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { Low, Memory } from 'lowdb';
import type { Adapter } from 'lowdb';
import { DurableJsonFile, makePrivateFolder, readJsonFile } from './durable-json-file.js';
import { KmsError } from './errors.js';
import { authenticate, checkStoredDocument, emptyDocument } from './keystore-document.js';
import { Mutex } from './mutex.js';
import type { AliasRecord, KeyRecord, KeystoreDocument, MaterialRecord, OwnedKeyRecord } from './records.js';
import { deriveMacKey, deriveSealKey, sealMaterial, unsealMaterial } from './seal.js';

export interface KeystoreOptions {
  path: string | null;
  rootKey: Buffer;
  now: () => Date;
  /** Accept (and rewrite as version 2) a version 1 file; see keystore-document.ts. */
  allowVersion1?: boolean;
}

const MATERIAL_BYTES = 32;

export class Keystore {
  readonly #db: Low<KeystoreDocument>;
  readonly #sealKey: Buffer;
  readonly #macKey: Buffer;
  readonly #mutex = new Mutex();
  readonly #now: () => Date;
  /** Unsealed material by "<binding>#<version>"; zeroed on forget/close. */
  readonly #materials = new Map<string, Buffer>();
  #closed = false;

  private constructor(db: Low<KeystoreDocument>, keys: { seal: Buffer; mac: Buffer }, now: () => Date) {
    this.#db = db;
    this.#sealKey = keys.seal;
    this.#macKey = keys.mac;
    this.#now = now;
  }

  static async open(opts: KeystoreOptions): Promise<Keystore> {
    if (!Buffer.isBuffer(opts.rootKey) || opts.rootKey.length !== 32) {
      throw new KmsError('KMSInternalException', 'The kms-core root key must be exactly 32 bytes.');
    }
    // The keystore's folder is private too: nobody else needs to list it.
    if (opts.path !== null) await makePrivateFolder(dirname(opts.path));
    const adapter: Adapter<KeystoreDocument> =
      opts.path === null ? new Memory<KeystoreDocument>() : new DurableJsonFile<KeystoreDocument>(opts.path);
    const keys = { seal: deriveSealKey(opts.rootKey), mac: deriveMacKey(opts.rootKey) };
    const fresh = authenticate(emptyDocument(opts.rootKey), keys.mac);
    const db = new Low<KeystoreDocument>(adapter, fresh);
    try {
      const stored = await adapter.read();
      if (stored === null) {
        await db.write();
      } else {
        const checked = checkStoredDocument(stored, {
          rootKey: opts.rootKey, macKey: keys.mac, where: opts.path ?? '(memory)', allowVersion1: opts.allowVersion1 === true,
        });
        db.data = checked.doc;
        if (checked.upgraded) await db.write();
      }
    } catch (err) {
      keys.seal.fill(0);
      keys.mac.fill(0);
      throw err;
    }
    return new Keystore(db, keys, opts.now);
  }

  key(keyId: string): KeyRecord | undefined {
    return Object.hasOwn(this.#doc.keys, keyId) ? this.#doc.keys[keyId] : undefined;
  }

  keys(): KeyRecord[] {
    return Object.values(this.#doc.keys);
  }

  alias(aliasName: string): AliasRecord | undefined {
    return Object.hasOwn(this.#doc.aliases, aliasName) ? this.#doc.aliases[aliasName] : undefined;
  }

  aliases(): AliasRecord[] {
    return Object.values(this.#doc.aliases);
  }

  ownedKey(purpose: string): OwnedKeyRecord | undefined {
    return Object.hasOwn(this.#doc.ownedKeys, purpose) ? this.#doc.ownedKeys[purpose] : undefined;
  }

  /**
   * Applies `change` to a copy of the document and commits it (disk, then memory). `change`
   * must re-check anything it read before: it runs after earlier mutations have landed.
   */
  mutate<T>(change: (doc: KeystoreDocument) => T): Promise<T> {
    return this.#mutex.run(async () => {
      this.#assertOpen();
      const draft = structuredClone(this.#db.data);
      const result = change(draft);
      const committed = this.#db.data;
      this.#db.data = authenticate(draft, this.#macKey);
      try {
        await this.#db.write();
      } catch (err) {
        this.#db.data = committed;
        throw err;
      }
      return result;
    });
  }

  /** Fresh random material for `binding`, sealed for storage; the plaintext stays only in the cache. */
  newMaterial(binding: string, version: number): MaterialRecord {
    this.#assertOpen();
    const material = randomBytes(MATERIAL_BYTES);
    const record: MaterialRecord = {
      version,
      materialId: randomBytes(32).toString('hex'),
      sealed: sealMaterial(this.#sealKey, binding, version, material),
      createdAt: this.#now().toISOString(),
    };
    this.#materials.set(`${binding}#${version}`, material);
    return record;
  }

  /** Unsealed material, cached. The Buffer belongs to the keystore: never zero or keep it. */
  material(binding: string, record: MaterialRecord): Buffer {
    this.#assertOpen();
    const cacheKey = `${binding}#${record.version}`;
    const cached = this.#materials.get(cacheKey);
    if (cached) return cached;
    const material = unsealMaterial(this.#sealKey, binding, record.version, record.sealed);
    if (material === null) {
      throw new KmsError(
        'KMSInternalException',
        `Key material version ${record.version} of ${binding} could not be unsealed with the root key.`,
      );
    }
    this.#materials.set(cacheKey, material);
    return material;
  }

  /** Drops (and zeroes) cached material of a key that is being deleted. */
  forgetMaterial(binding: string): void {
    for (const [cacheKey, material] of this.#materials) {
      if (cacheKey.startsWith(`${binding}#`)) {
        material.fill(0);
        this.#materials.delete(cacheKey);
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let queued mutations finish before the seal key disappears under them.
    await this.#mutex.run(() => undefined);
    this.#closed = true;
    for (const material of this.#materials.values()) material.fill(0);
    this.#materials.clear();
    this.#sealKey.fill(0);
    this.#macKey.fill(0);
  }

  get #doc(): KeystoreDocument {
    this.#assertOpen();
    return this.#db.data;
  }

  #assertOpen(): void {
    if (this.#closed) throw new KmsError('KMSInternalException', 'The kms-core keystore is closed.');
  }
}

/**
 * Authenticates a version 1 keystore (the first release's) under the root key, in place. The
 * operator runs this once, vouching that the file is the one that release wrote.
 */
export async function upgradeKeystore(path: string, rootKey: Buffer): Promise<void> {
  if ((await readJsonFile(path)) === null) throw new KmsError('KMSInternalException', `There is no keystore at ${path} to upgrade.`);
  const store = await Keystore.open({ path, rootKey, now: () => new Date(), allowVersion1: true });
  await store.close();
}
