import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsError } from './errors.js';
import { KmsCore } from './kms-core.js';
import { Keystore } from './keystore.js';
import { authenticate } from './keystore-document.js';
import { sealBinding } from './records.js';
import type { KeystoreDocument } from './records.js';
import { deriveMacKey } from './seal.js';
import { ACCOUNT, REGION, TEST_ROOT_KEY, alice, kmsError, openTestCore, testClock } from './test-fixtures.js';

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-keystore-'));
  path = join(dir, 'keystore.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const now = (): Date => new Date('2025-01-01T00:00:00.000Z');

/** Every piece of key material in the file, unsealed with the test root key. */
async function allMaterials(): Promise<Buffer[]> {
  const store = await Keystore.open({ path, rootKey: Buffer.from(TEST_ROOT_KEY), now });
  const out: Buffer[] = [];
  for (const key of store.keys()) for (const m of key.materials) out.push(Buffer.from(store.material(sealBinding(key), m).material));
  const owned = store.ownedKey('sse-s3');
  if (owned) for (const m of owned.materials) out.push(Buffer.from(store.material(sealBinding(owned), m).material));
  await store.close();
  return out;
}

describe('keystore at rest', () => {
  it('never contains key material in hex or base64', async () => {
    const core = await openTestCore(testClock(), path);
    await core.createKey({}, alice);
    await core.createKey({ Description: 'second' }, alice);
    await core.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }, alice);
    await core.generateOwnedDataKey('sse-s3', { 'aws:s3:arn': 'arn:aws:s3:::b/k' });
    await core.close();

    const text = await readFile(path, 'utf8');
    const materials = await allMaterials();
    expect(materials).toHaveLength(4);
    for (const material of materials) {
      expect(material).toHaveLength(32);
      for (const encoded of [
        material.toString('hex'),
        material.toString('hex').toUpperCase(),
        material.toString('base64'),
        material.toString('base64url'),
        // also any 12-byte window, in case an encoding splits the material
        material.subarray(0, 12).toString('base64'),
        material.subarray(10, 22).toString('hex'),
      ]) {
        expect(text.includes(encoded)).toBe(false);
      }
    }
  });

  it('is written with mode 0600, including after later writes', async () => {
    const core = await openTestCore(testClock(), path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await core.createKey({}, alice);
    await core.createKey({}, alice);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await core.close();
  });

  it('reopens from disk: keys, aliases, old blobs and owned blobs all survive', async () => {
    const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/object' };
    const first = await openTestCore(testClock(), path);
    const { KeyMetadata: m } = await first.createKey({ Description: 'persisted' }, alice);
    await first.createAlias({ AliasName: 'alias/persisted', TargetKeyId: m.KeyId }, alice);
    const gdk = await first.generateDataKey({ KeyId: 'alias/persisted', KeySpec: 'AES_256', EncryptionContext: ctx }, alice);
    const owned = await first.generateOwnedDataKey('sse-s3', ctx);
    await first.close();

    const second = await openTestCore(testClock(), path);
    expect((await second.describeKey({ KeyId: 'alias/persisted' }, alice)).KeyMetadata).toEqual(m);
    const dec = await second.decrypt({ CiphertextBlob: gdk.CiphertextBlob, EncryptionContext: ctx }, alice);
    expect(dec.Plaintext.equals(gdk.Plaintext)).toBe(true);
    expect((await second.decryptOwned('sse-s3', owned.ciphertextBlob, ctx)).equals(owned.plaintext)).toBe(true);
    await second.close();
  });

  it('keeps every key created in parallel on disk', async () => {
    const core = await openTestCore(testClock(), path);
    const created = await Promise.all(Array.from({ length: 25 }, () => core.createKey({}, alice)));
    await core.close();
    const reopened = await openTestCore(testClock(), path);
    const listed = await reopened.listKeys({ Limit: 1000 }, alice);
    expect(listed.Keys.map((k) => k.KeyId).sort()).toEqual(created.map((c) => c.KeyMetadata.KeyId).sort());
    await reopened.close();
  });

  it('refuses to open with a different root key, with a clear error', async () => {
    const core = await openTestCore(testClock(), path);
    await core.createKey({}, alice);
    await core.close();
    const err = await kmsError(() =>
      KmsCore.open({ keystorePath: path, rootKey: Buffer.alloc(32, 0x22), region: REGION, accountId: ACCOUNT }),
    );
    expect(err.type).toBe('KMSInternalException');
    expect(err.message).toBe(`Refusing to open the keystore ${path}: it was sealed under a different root key.`);
  });

  it('reports a sealed entry that does not open as an internal error naming the key', async () => {
    const core = await openTestCore(testClock(), path);
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.close();
    // Edited, and the MAC recomputed with the root key: only the seal is left to catch it.
    const doc = JSON.parse(await readFile(path, 'utf8')) as KeystoreDocument;
    const sealed = Buffer.from(doc.keys[m.KeyId].materials[0].sealed ?? '', 'base64');
    sealed[20] ^= 1;
    doc.keys[m.KeyId].materials[0].sealed = sealed.toString('base64');
    await writeFile(path, JSON.stringify(authenticate(doc, deriveMacKey(TEST_ROOT_KEY))));
    const reopened = await openTestCore(testClock(), path);
    const err = await kmsError(() => reopened.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('x') }, alice));
    expect(err.type).toBe('KMSInternalException');
    expect(err.httpStatus).toBe(500);
    expect(err.message).toBe(`Key material version 1 of ${m.Arn} could not be unsealed with the root key.`);
    await reopened.close();
  });

  it('refuses a file that is not a keystore and a root key of the wrong size', async () => {
    await writeFile(path, JSON.stringify({ hello: 'world' }));
    expect((await kmsError(() => openTestCore(testClock(), path))).message).toBe(
      `Refusing to open the keystore ${path}: it is not a kms-core keystore.`,
    );
    await writeFile(path, JSON.stringify({ format: 'kms-core-keystore', version: 3 }));
    expect((await kmsError(() => openTestCore(testClock(), path))).message).toBe(
      `Refusing to open the keystore ${path}: its format version 3 is unknown.`,
    );
    const err = await kmsError(() => KmsCore.open({ keystorePath: null, rootKey: Buffer.alloc(16), region: REGION, accountId: ACCOUNT }));
    expect(err.message).toBe('The kms-core root key must be exactly 32 bytes.');
  });

  it('zeroes cached material on close and refuses use afterwards', async () => {
    const store = await Keystore.open({ path: null, rootKey: Buffer.from(TEST_ROOT_KEY), now });
    const record = store.newMaterial('binding', 1);
    const material = store.material('binding', record).material;
    expect(material.equals(Buffer.alloc(32))).toBe(false);
    await store.close();
    expect(material.equals(Buffer.alloc(32))).toBe(true);
    expect(() => store.keys()).toThrow(KmsError);
  });
});
