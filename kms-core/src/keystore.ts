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
import { wrapKeyFor } from './blob.js';
import type { MaterialKeys } from './blob.js';
import type { AliasRecord, KeyRecord, KeystoreDocument, MaterialRecord, OwnedKeyRecord } from './records.js';
import {
  IMPORT_CHECK_LABEL,
  IMPORT_TOKEN_LABEL,
  deriveMacKey,
  deriveSealKey,
  importTokenAad,
  importedMaterialCheck,
  rootSubkey,
  seal,
  sealMaterial,
  unseal,
  unsealMaterial,
} from './seal.js';

export interface KeystoreOptions {
  path: string | null;
  rootKey: Buffer;
  now: () => Date;
  /** Accept (and rewrite as version 2) a version 1 file; see keystore-document.ts. */
  allowVersion1?: boolean;
}

const MATERIAL_BYTES = 32;

interface RootSubkeys {
  seal: Buffer;
  mac: Buffer;
  importToken: Buffer;
  importCheck: Buffer;
}

function deriveSubkeys(rootKey: Buffer): RootSubkeys {
  return {
    seal: deriveSealKey(rootKey),
    mac: deriveMacKey(rootKey),
    importToken: rootSubkey(rootKey, IMPORT_TOKEN_LABEL),
    importCheck: rootSubkey(rootKey, IMPORT_CHECK_LABEL),
  };
}

function zeroSubkeys(keys: RootSubkeys): void {
  for (const key of Object.values(keys)) key.fill(0);
}

export class Keystore {
  readonly #db: Low<KeystoreDocument>;
  readonly #keys: RootSubkeys;
  readonly #mutex = new Mutex();
  readonly #now: () => Date;
  /** Unsealed material and its wrap key by "<binding>#<version>"; wiped on forget/close. */
  readonly #materials = new Map<string, MaterialKeys>();
  /** The same entries by record object: the hot path's lookup, without building a string. */
  #byRecord = new WeakMap<MaterialRecord, MaterialKeys>();
  #closed = false;
  #generation = 0;

  private constructor(db: Low<KeystoreDocument>, keys: RootSubkeys, now: () => Date) {
    this.#db = db;
    this.#keys = keys;
    this.#now = now;
  }

  /** Counts committed mutations, so callers can cache what they computed from the document. */
  get generation(): number {
    return this.#generation;
  }

  static async open(opts: KeystoreOptions): Promise<Keystore> {
    if (!Buffer.isBuffer(opts.rootKey) || opts.rootKey.length !== 32) {
      throw new KmsError('KMSInternalException', 'The kms-core root key must be exactly 32 bytes.');
    }
    // The keystore's folder is private too: nobody else needs to list it.
    if (opts.path !== null) await makePrivateFolder(dirname(opts.path));
    const adapter: Adapter<KeystoreDocument> =
      opts.path === null ? new Memory<KeystoreDocument>() : new DurableJsonFile<KeystoreDocument>(opts.path);
    const keys = deriveSubkeys(opts.rootKey);
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
      zeroSubkeys(keys);
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
      this.#db.data = authenticate(draft, this.#keys.mac);
      try {
        await this.#db.write();
      } catch (err) {
        this.#db.data = committed;
        throw err;
      }
      this.#generation += 1;
      return result;
    });
  }

  /** Fresh random material for `binding`, sealed for storage; the plaintext stays only in the cache. */
  newMaterial(binding: string, version: number, extra: Pick<MaterialRecord, 'rotationType'> = {}): MaterialRecord {
    this.#assertOpen();
    const material = randomBytes(MATERIAL_BYTES);
    const record: MaterialRecord = {
      version,
      materialId: randomBytes(32).toString('hex'),
      sealed: sealMaterial(this.#keys.seal, binding, version, material),
      createdAt: this.#now().toISOString(),
      ...extra,
    };
    this.#cache(`${binding}#${version}`, material);
    return record;
  }

  /** Seals imported `material` (copied; the caller still zeroes its own) as version `version` of `binding`. */
  sealImported(binding: string, version: number, material: Buffer): string {
    this.#assertOpen();
    const copy = Buffer.from(material);
    this.forgetMaterial(binding, version);
    this.#cache(`${binding}#${version}`, copy);
    return sealMaterial(this.#keys.seal, binding, version, copy);
  }

  /** Compares imported material with an earlier import without keeping the material. */
  importedMaterialCheck(binding: string, material: Buffer): string {
    this.#assertOpen();
    return importedMaterialCheck(this.#keys.importCheck, binding, material);
  }

  sealImportToken(binding: string, payload: Buffer): Buffer {
    this.#assertOpen();
    return Buffer.from(seal(this.#keys.importToken, importTokenAad(binding), payload), 'base64');
  }

  /** The payload, or null when the token was not issued by this keystore for `binding`. */
  openImportToken(binding: string, token: Buffer): Buffer | null {
    this.#assertOpen();
    return unseal(this.#keys.importToken, importTokenAad(binding), token.toString('base64'));
  }

  /** Unsealed material and wrap key, cached. They belong to the keystore: never zero or keep them. */
  material(binding: string, record: MaterialRecord): MaterialKeys {
    this.#assertOpen();
    const hit = this.#byRecord.get(record);
    if (hit) return hit;
    const cacheKey = `${binding}#${record.version}`;
    const cached = this.#materials.get(cacheKey);
    if (cached) {
      this.#byRecord.set(record, cached);
      return cached;
    }
    const material = record.sealed === undefined ? null : unsealMaterial(this.#keys.seal, binding, record.version, record.sealed);
    if (material === null) {
      throw new KmsError(
        'KMSInternalException',
        `Key material version ${record.version} of ${binding} could not be unsealed with the root key.`,
      );
    }
    const keys = this.#cache(cacheKey, material);
    this.#byRecord.set(record, keys);
    return keys;
  }

  #cache(cacheKey: string, material: Buffer): MaterialKeys {
    const keys = { material, wrap: wrapKeyFor(material) };
    this.#materials.set(cacheKey, keys);
    return keys;
  }

  /** Drops (and wipes) cached material of a key, or of one version of it. */
  forgetMaterial(binding: string, version?: number): void {
    const prefix = version === undefined ? `${binding}#` : `${binding}#${version}`;
    for (const [cacheKey, keys] of this.#materials) {
      if (version === undefined ? cacheKey.startsWith(prefix) : cacheKey === prefix) {
        keys.material.fill(0);
        keys.wrap.destroy();
        this.#materials.delete(cacheKey);
        this.#byRecord = new WeakMap();
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Let queued mutations finish before the seal key disappears under them.
    await this.#mutex.run(() => undefined);
    this.#closed = true;
    for (const keys of this.#materials.values()) {
      keys.material.fill(0);
      keys.wrap.destroy();
    }
    this.#materials.clear();
    zeroSubkeys(this.#keys);
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
