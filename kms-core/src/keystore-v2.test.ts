/**
 * Version 2 keystores written before rotation, imported material and tags existed load as they
 * are (the members added since are optional), their version 1 blobs still decrypt, and what this
 * release then writes into them stays under the MAC. A deleted key leaves nothing behind.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsCore } from './kms-core.js';
import type { KeystoreDocument } from './records.js';
import { deriveMacKey } from './seal.js';
import { authenticate } from './keystore-document.js';
import { ACCOUNT, REGION, TEST_ROOT_KEY, alice, kmsError, testClock } from './test-fixtures.js';
import type { TestClock } from './test-fixtures.js';

interface V2Fixture {
  enabledKeyId: string;
  disabledKeyId: string;
  pendingKeyId: string;
  deletionDate: string;
  encryptionContext: Record<string, string>;
  dataKeys: { keyId: string; plaintext: string; ciphertextBlob: string }[];
  ownedDataKey: { purpose: string; plaintext: string; ciphertextBlob: string };
  keystore: KeystoreDocument;
}
const v2 = JSON.parse(await readFile(new URL('./testdata/keystore-v2.fixture.json', import.meta.url), 'utf8')) as V2Fixture;

let dir: string;
let path: string;
let clock: TestClock;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-v2-'));
  path = join(dir, 'keystore.json');
  clock = testClock('2025-06-02T00:00:00.000Z');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const open = (): Promise<KmsCore> =>
  KmsCore.open({ keystorePath: path, rootKey: Buffer.from(TEST_ROOT_KEY), region: REGION, accountId: ACCOUNT, now: clock.now, scheduleIntervalMs: 0 });

describe('a version 2 keystore from the previous release', () => {
  it('opens as it is: states, aliases, tags, old blobs and owned blobs', async () => {
    await writeFile(path, JSON.stringify(v2.keystore));
    const core = await open();
    const described = await core.describeKey({ KeyId: 'alias/fixture' }, alice);
    expect(described.KeyMetadata).toMatchObject({ KeyId: v2.enabledKeyId, KeyState: 'Enabled', Origin: 'AWS_KMS', Description: 'enabled' });
    expect((await core.describeKey({ KeyId: v2.disabledKeyId }, alice)).KeyMetadata.KeyState).toBe('Disabled');
    expect((await core.describeKey({ KeyId: v2.pendingKeyId }, alice)).KeyMetadata.DeletionDate).toEqual(new Date(v2.deletionDate));
    expect((await core.listResourceTags({ KeyId: v2.enabledKeyId }, alice)).Tags).toEqual([{ TagKey: 'team', TagValue: 'storage' }]);
    expect((await core.getKeyRotationStatus({ KeyId: v2.enabledKeyId }, alice)).KeyRotationEnabled).toBe(false);
    await core.enableKey({ KeyId: v2.disabledKeyId }, alice);
    for (const dk of v2.dataKeys) {
      const out = await core.decrypt({ CiphertextBlob: Buffer.from(dk.ciphertextBlob, 'base64'), EncryptionContext: v2.encryptionContext }, alice);
      expect(Buffer.from(out.Plaintext).toString('hex')).toBe(dk.plaintext);
    }
    const owned = await core.decryptOwned(v2.ownedDataKey.purpose, Buffer.from(v2.ownedDataKey.ciphertextBlob, 'base64'), v2.encryptionContext);
    expect(owned.toString('hex')).toBe(v2.ownedDataKey.plaintext);
    await core.close();
  });

  it('takes rotations and tags under the MAC, and old blobs still decrypt after reopening', async () => {
    await writeFile(path, JSON.stringify(v2.keystore));
    let core = await open();
    await core.rotateKeyOnDemand({ KeyId: v2.enabledKeyId }, alice);
    await core.enableKeyRotation({ KeyId: v2.enabledKeyId, RotationPeriodInDays: 90 }, alice);
    await core.tagResource({ KeyId: v2.enabledKeyId, Tags: [{ TagKey: 'env', TagValue: 'test' }] }, alice);
    await core.close();
    core = await open();
    const [first] = v2.dataKeys;
    const out = await core.decrypt({ CiphertextBlob: Buffer.from(first.ciphertextBlob, 'base64'), EncryptionContext: v2.encryptionContext }, alice);
    expect(Buffer.from(out.Plaintext).toString('hex')).toBe(first.plaintext);
    expect((await core.getKeyRotationStatus({ KeyId: v2.enabledKeyId }, alice)).RotationPeriodInDays).toBe(90);
    await core.close();
    // The rotation schedule is covered: editing it is refused.
    const doc = JSON.parse(await readFile(path, 'utf8')) as KeystoreDocument;
    doc.keys[v2.enabledKeyId].rotation!.periodDays = 2560;
    await writeFile(path, JSON.stringify(doc));
    expect((await kmsError(open)).message).toMatch(/do not authenticate under the root key/);
  });

  it('deletes the key pending deletion once its window has passed, leaving no trace in the file', async () => {
    await writeFile(path, JSON.stringify(v2.keystore));
    const before = v2.keystore.keys[v2.pendingKeyId];
    clock.advanceDays(7);
    const core = await open();
    // The timer's work, run by hand: nothing else touches the keystore.
    await core.runScheduledWork();
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(v2.pendingKeyId);
    for (const m of before.materials) {
      expect(text).not.toContain(m.sealed);
      expect(text).not.toContain(m.materialId);
    }
    const err = await kmsError(() => core.describeKey({ KeyId: v2.pendingKeyId }, alice));
    expect(err.type).toBe('NotFoundException');
    await core.close();
  });

  it('lets the timer do the same with no call at all', async () => {
    await writeFile(path, JSON.stringify(v2.keystore));
    clock.advanceDays(7);
    const core = await KmsCore.open({ keystorePath: path, rootKey: Buffer.from(TEST_ROOT_KEY), region: REGION, accountId: ACCOUNT, now: clock.now, scheduleIntervalMs: 5 });
    // Waits for the outcome, not for a time: the test's own timeout bounds it.
    while ((await readFile(path, 'utf8')).includes(v2.pendingKeyId)) await new Promise((r) => setTimeout(r, 5));
    await core.close();
  });

  it('is still refused when a member this release added is forged onto it', async () => {
    const doc = structuredClone(v2.keystore);
    doc.keys[v2.enabledKeyId].origin = 'EXTERNAL';
    await writeFile(path, JSON.stringify(doc));
    expect((await kmsError(open)).message).toMatch(/do not authenticate under the root key/);
    await writeFile(path, JSON.stringify(authenticate(doc, deriveMacKey(TEST_ROOT_KEY))));
    const core = await open(); // with the root key, the same edit is a legitimate write
    expect((await core.describeKey({ KeyId: v2.enabledKeyId }, alice)).KeyMetadata.Origin).toBe('EXTERNAL');
    await core.close();
  });
});
