/**
 * Whoever can write the keystore file but lacks the root key can neither change what it says
 * (key states, managers, policies, aliases, deletion dates) nor pass off a damaged file as an
 * empty one: the keystore refuses to open, naming the file. Version 1 files (the first release)
 * open only through the explicit upgrade.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreFileError } from './durable-json-file.js';
import { KmsCore } from './kms-core.js';
import { upgradeKeystore } from './keystore.js';
import type { KeystoreDocument } from './records.js';
import { ACCOUNT, REGION, TEST_ROOT_KEY, alice, kmsError, openTestCore, testClock } from './test-fixtures.js';

interface V1Fixture {
  rootKey: string;
  enabledKeyId: string;
  disabledKeyId: string;
  encryptionContext: Record<string, string>;
  dataKeys: { keyId: string; plaintext: string; ciphertextBlob: string }[];
  ownedDataKey: { purpose: string; plaintext: string; ciphertextBlob: string };
  keystore: { keys: Record<string, { state: string }> };
}
const v1 = JSON.parse(await readFile(new URL('./testdata/keystore-v1.fixture.json', import.meta.url), 'utf8')) as V1Fixture;

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-core-integrity-'));
  path = join(dir, 'keystore.json');
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function stored(): Promise<KeystoreDocument> {
  return JSON.parse(await readFile(path, 'utf8')) as KeystoreDocument;
}

const MAC_REFUSAL = (): string =>
  `Refusing to open the keystore ${path}: its contents do not authenticate under the root key (the file was edited or damaged).`;

describe('keystore MAC', () => {
  it('refuses a file whose key state, key manager, policy, alias, deletion date or owned key was edited', async () => {
    const clock = testClock();
    const core = await openTestCore(clock, path);
    const { KeyMetadata: disabled } = await core.createKey({}, alice);
    await core.disableKey({ KeyId: disabled.KeyId }, alice);
    const { KeyMetadata: other } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/app', TargetKeyId: other.KeyId }, alice);
    const { KeyMetadata: doomed } = await core.createKey({}, alice);
    await core.scheduleKeyDeletion({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }, alice);
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata.KeyId;
    await core.generateOwnedDataKey('sse-s3', {});
    await core.close();
    const original = await stored();

    const edits: ((doc: KeystoreDocument) => void)[] = [
      (doc) => { doc.keys[disabled.KeyId].state = 'Enabled'; },
      (doc) => { doc.keys[managed].keyManager = 'CUSTOMER'; },
      (doc) => { doc.keys[other.KeyId].policy = '{"Version":"2012-10-17","Statement":[]}'; },
      (doc) => { doc.aliases['alias/app'].targetKeyId = disabled.KeyId; },
      (doc) => { delete doc.keys[doomed.KeyId].deletionDate; doc.keys[doomed.KeyId].state = 'Enabled'; },
      (doc) => { doc.keys[doomed.KeyId].deletionDate = '2025-01-02T00:00:00.000Z'; },
      (doc) => { delete doc.keys[other.KeyId]; },
      (doc) => { doc.ownedKeys = {}; },
      (doc) => { delete (doc as Partial<KeystoreDocument>).mac; },
    ];
    for (const edit of edits) {
      const doc = structuredClone(original);
      edit(doc);
      await writeFile(path, JSON.stringify(doc));
      const err = await kmsError(() => openTestCore(clock, path));
      expect(err.type).toBe('KMSInternalException');
      expect(err.message).toBe(MAC_REFUSAL());
    }
    // Whitespace and key order are not content: the untouched document still opens.
    await writeFile(path, JSON.stringify(Object.fromEntries(Object.entries(original).reverse()), null, 2));
    const reopened = await openTestCore(clock, path);
    expect((await reopened.describeKey({ KeyId: disabled.KeyId }, alice)).KeyMetadata.KeyState).toBe('Disabled');
    await reopened.close();
  });

  it('refuses a truncated or empty keystore with an error naming the file, and leaves it as it was', async () => {
    const core = await openTestCore(testClock(), path);
    await core.createKey({}, alice);
    await core.close();
    const whole = await readFile(path);
    for (const damaged of [whole.subarray(0, whole.length - 10), Buffer.alloc(0)]) {
      await writeFile(path, damaged);
      const err = await openTestCore(testClock(), path).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(StoreFileError);
      expect((err as Error).message.startsWith(`${path}: the file`)).toBe(true);
      expect((await readFile(path)).equals(damaged)).toBe(true);
    }
  });
});

describe('version 1 keystores (written by the first release)', () => {
  const rootKey = (): Buffer => Buffer.from(v1.rootKey, 'hex');
  // The fixture's clock: on today's, its year-old AWS managed key would (rightly) rotate on open.
  const open = (): Promise<KmsCore> =>
    KmsCore.open({ keystorePath: path, rootKey: rootKey(), region: REGION, accountId: ACCOUNT, now: () => new Date('2025-01-02T00:00:00.000Z') });

  it('uses the test root key', () => {
    expect(rootKey().equals(TEST_ROOT_KEY)).toBe(true);
  });

  it('are refused until upgraded, then open as version 2 with every key, state and blob intact', async () => {
    await writeFile(path, JSON.stringify(v1.keystore));
    const refused = await kmsError(open);
    expect(refused.message).toBe(
      `Refusing to open the keystore ${path}: it is a version 1 keystore, whose key states are not authenticated; ` +
        'if it is the file the earlier release wrote, upgrade it once with `kmsgate upgrade-keystore` (same data directory and root key).',
    );
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(v1.keystore);

    await upgradeKeystore(path, rootKey());
    const doc = await stored();
    expect(doc.version).toBe(2);
    expect(doc.mac).toMatch(/^[0-9a-f]{64}$/);
    const { mac: _mac, version: _version, ...rest } = doc;
    const { version: _oldVersion, ...oldRest } = v1.keystore as unknown as KeystoreDocument;
    expect(rest).toEqual(oldRest);

    const core = await open();
    for (const dataKey of v1.dataKeys) {
      const out = await core.decrypt({ CiphertextBlob: Buffer.from(dataKey.ciphertextBlob, 'base64'), EncryptionContext: v1.encryptionContext }, alice);
      expect(Buffer.from(out.Plaintext).toString('hex')).toBe(dataKey.plaintext);
    }
    const owned = await core.decryptOwned(v1.ownedDataKey.purpose, Buffer.from(v1.ownedDataKey.ciphertextBlob, 'base64'), v1.encryptionContext);
    expect(owned.toString('hex')).toBe(v1.ownedDataKey.plaintext);
    expect((await core.describeKey({ KeyId: v1.disabledKeyId }, alice)).KeyMetadata.KeyState).toBe('Disabled');
    expect((await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata.KeyManager).toBe('AWS');
    await core.close();
    await upgradeKeystore(path, rootKey()); // a second upgrade is a no-op
    expect(await stored()).toEqual(doc);
  });

  it('cannot be used to smuggle an edit past the MAC: a version 2 file turned back into version 1 is refused', async () => {
    const core = await openTestCore(testClock(), path);
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.disableKey({ KeyId: m.KeyId }, alice);
    await core.close();
    const { mac: _mac, ...downgraded } = await stored();
    downgraded.keys[m.KeyId].state = 'Enabled';
    await writeFile(path, JSON.stringify({ ...downgraded, version: 1 }));
    expect((await kmsError(() => openTestCore(testClock(), path))).message).toMatch(/it is a version 1 keystore/);
  });

  it('refuses to upgrade a keystore that is not there, and creates none', async () => {
    const err = await kmsError(() => upgradeKeystore(path, rootKey()));
    expect(err.message).toBe(`There is no keystore at ${path} to upgrade.`);
    expect(await readFile(path).catch((e: NodeJS.ErrnoException) => e.code)).toBe('ENOENT');
  });

  it('refuses the upgrade under another root key', async () => {
    await writeFile(path, JSON.stringify(v1.keystore));
    const err = await kmsError(() => upgradeKeystore(path, Buffer.alloc(32, 0x22)));
    expect(err.message).toBe(`Refusing to open the keystore ${path}: it was sealed under a different root key.`);
  });
});
