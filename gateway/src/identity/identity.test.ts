import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreFileError } from '@kmsgate/kms-core';
import { IdentityError } from './errors.js';
import { IdentityStore } from './identity.js';
import { sealSecret, unsealSecret, unsealSecretV1 } from './identity-document.js';

const rootKey = Buffer.alloc(32, 0x11); // obviously a test key
const ACCOUNT = '111122223333';
const noValidation = (): void => undefined;

// Computed by an independent implementation (Python `cryptography` HKDF + AESGCM), nonce
// 00..0b: a change here means stored secrets stop opening.
const KAT_V1 = 'AAECAwQFBgcICQoLbaeb5y6UvRNooxHFyr255+q+8PzEc0l+CBCUfWn4TsEfQ5ISJSo6UbUgyHq9sg==';
const KAT_V2 = 'AAECAwQFBgcICQoL4Hrc5kBs4ZUTzw2F/nYw89InJ0R8H3VVeCM94zPkooiOcIVOnn4HYGIQWIOqVg==';

// identity.json exactly as the first release wrote it (root key 11*32).
const FIRST_RELEASE_FILE = {
  version: 1,
  users: [{
    name: 'admin',
    accessKeyId: 'AKIAFJRSJ6TI6A7FJTER',
    sealedSecret: 'yrgTDPhMsHVjSAMIRIXPnvrZgf8eV+ClUKn7z28Mjee5n+787cV28qhRG5KUBqNOiHE4zXywOzuiG5VhEECQTTgoz4o=',
    createdAt: '2026-12-01T09:05:01.031Z',
  }],
};

let dataDir: string;
const path = (): string => join(dataDir, 'identity.json');
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-identity-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const open = (key: Buffer = rootKey, extra: Partial<Parameters<typeof IdentityStore.open>[0]> = {}) =>
  IdentityStore.open({ dataDir, rootKey: key, accountId: ACCOUNT, ...extra });

async function openError(key: Buffer = rootKey): Promise<Error> {
  return open(key).then(
    () => { throw new Error('expected the identity store to refuse'); },
    (err: unknown) => err as Error,
  );
}

async function refusal(promise: Promise<unknown>): Promise<IdentityError> {
  return promise.then(() => { throw new Error('expected a refusal'); }, (err: unknown) => err as IdentityError);
}

describe('identity seal', () => {
  it('seals a secret to the pinned bytes, bound to its user and access key id', () => {
    const nonce = Buffer.from('000102030405060708090a0b', 'hex');
    expect(sealSecret(rootKey, 'alice', 'AKIAKNOWNANSWER00001', 'known-answer secret access key', nonce)).toBe(KAT_V2);
    expect(unsealSecret(rootKey, 'alice', 'AKIAKNOWNANSWER00001', KAT_V2)).toBe('known-answer secret access key');
    expect(unsealSecret(rootKey, 'admin', 'AKIAKNOWNANSWER00001', KAT_V2)).toBeNull();
    expect(unsealSecret(rootKey, 'alice', 'AKIAKNOWNANSWER00002', KAT_V2)).toBeNull();
    expect(unsealSecret(Buffer.alloc(32, 0x12), 'alice', 'AKIAKNOWNANSWER00001', KAT_V2)).toBeNull();
  });

  it('opens first-release entries, and no version 2 entry opens as one (no replay into a version 1 file)', () => {
    expect(unsealSecretV1(rootKey, 'AKIAKNOWNANSWER00001', KAT_V1)).toBe('known-answer secret access key');
    expect(unsealSecretV1(rootKey, 'AKIAKNOWNANSWER00001', KAT_V2)).toBeNull();
  });
});

describe('identity store file', () => {
  it('upgrades the file the first release wrote to version 2, keeping the admin key', async () => {
    await writeFile(path(), JSON.stringify(FIRST_RELEASE_FILE, null, 2));
    const { admin, created } = await open();
    expect(created).toBe(false);
    expect(admin.accessKeyId).toBe('AKIAFJRSJ6TI6A7FJTER');
    expect(admin.secretAccessKey).toBe('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');
    const upgraded = JSON.parse(await readFile(path(), 'utf8')) as { version: number; mac: string };
    expect(upgraded.version).toBe(2);
    expect(typeof upgraded.mac).toBe('string');
    expect((await open()).admin.secretAccessKey).toBe('EXsgBFLrNzban5YHCCRHvLlpMwgW4/msOe2IGuSC');
  });

  it('refuses a version 1 file holding anyone but the admin', async () => {
    const forged = { version: 1, users: [{ ...FIRST_RELEASE_FILE.users[0]!, name: 'alice' }] };
    await writeFile(path(), JSON.stringify(forged));
    expect(await openError()).toBeInstanceOf(StoreFileError);
  });

  it('creates the admin once, in a 0600 file, and finds it again', async () => {
    const first = await open();
    expect(first.created).toBe(true);
    expect((await stat(path())).mode & 0o777).toBe(0o600);
    expect((await readFile(path(), 'utf8')).includes(first.admin.secretAccessKey)).toBe(false);
    const second = await open();
    expect(second.created).toBe(false);
    expect(second.admin.secretAccessKey).toBe(first.admin.secretAccessKey);
  });

  it('writes nothing for environment credentials until something changes', async () => {
    const given = { accessKeyId: 'AKIAENVIRONMENT00001', secretAccessKey: 'environment-secret' };
    const { store, admin } = await open(rootKey, { given });
    expect(admin.principal.arn).toBe(`arn:aws:iam::${ACCOUNT}:user/admin`);
    await expect(stat(path())).rejects.toThrow();
    await store.createUser('alice');
    expect((await readFile(path(), 'utf8')).includes('environment-secret')).toBe(false);
    expect((await open(rootKey, { given })).store.listUsers().map((u) => u.UserName)).toEqual(['admin', 'alice']);
  });

  it('refuses a truncated, empty or foreign identity.json, naming it, and never replaces it', async () => {
    const whole = JSON.stringify(FIRST_RELEASE_FILE);
    for (const damaged of [whole.slice(0, 40), '', '{"version":2,"users":[]}', '{"version":1,"users":[{"name":"admin"}]}']) {
      await writeFile(path(), damaged);
      const err = await openError();
      expect(err).toBeInstanceOf(StoreFileError);
      expect(err.message.startsWith(`${path()}: `)).toBe(true);
      expect(await readFile(path(), 'utf8')).toBe(damaged);
    }
  });

  it('refuses a root key the secrets were not sealed under, naming the file', async () => {
    await writeFile(path(), JSON.stringify(FIRST_RELEASE_FILE));
    expect((await openError(Buffer.alloc(32, 0x22))).message).toMatch(/identity\.json: the secret of 'admin' does not open: is this the root key/);
    await open();
    expect((await openError(Buffer.alloc(32, 0x22))).message).toMatch(/identity\.json: it was sealed under a different root key/);
  });

  it('refuses any edit of a non-secret field (MAC): a status, a policy, whose key it is', async () => {
    const { store } = await open();
    await store.createUser('alice');
    const key = await store.createAccessKey('alice');
    await store.updateAccessKey('alice', key.AccessKeyId, 'Inactive');
    const good = await readFile(path(), 'utf8');
    const edits = [
      good.replace('"Inactive"', '"Active"'),
      good.replace('"policies":[]', '"policies":[{"name":"p","document":"{}"}]'),
      good.replace('"name":"alice"', '"name":"alicf"'),
    ];
    for (const edited of edits) {
      expect(edited).not.toBe(good);
      await writeFile(path(), edited);
      expect((await openError()).message).toMatch(/do not authenticate under the root key/);
    }
  });
});

describe('identity store changes', () => {
  it('a key works once created, and is refused at once when inactive or deleted', async () => {
    const { store } = await open();
    await store.createUser('alice');
    const key = await store.createAccessKey('alice');
    expect(store.lookup(key.AccessKeyId)?.principal).toEqual({ name: 'alice', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, accessKeyId: key.AccessKeyId });
    expect(store.lookup(key.AccessKeyId)?.secretAccessKey).toBe(key.SecretAccessKey);
    await store.updateAccessKey('alice', key.AccessKeyId, 'Inactive');
    expect(store.lookup(key.AccessKeyId)).toBeUndefined();
    await store.updateAccessKey('alice', key.AccessKeyId, 'Active');
    expect(store.lookup(key.AccessKeyId)).toBeDefined();
    await store.deleteAccessKey('alice', key.AccessKeyId);
    expect(store.lookup(key.AccessKeyId)).toBeUndefined();
    expect((await open()).store.lookup(key.AccessKeyId)).toBeUndefined();
  });

  it('answers with IAM errors', async () => {
    const { store, admin } = await open();
    await store.createUser('alice');
    expect((await refusal(store.createUser('ALICE'))).message).toBe('User with name ALICE already exists.');
    expect((await refusal(store.deleteUser('bob'))).code).toBe('NoSuchEntity');
    expect((await refusal(store.createUser('no spaces'))).code).toBe('ValidationError');
    await store.createAccessKey('alice');
    await store.createAccessKey('alice');
    expect((await refusal(store.createAccessKey('alice'))).message).toBe('Cannot exceed quota for AccessKeysPerUser: 2');
    expect((await refusal(store.deleteUser('alice'))).message).toBe('Cannot delete entity, must delete access keys first.');
    expect((await refusal(store.deleteUser('admin'))).code).toBe('DeleteConflict');
    expect((await refusal(store.updateAccessKey('admin', admin.accessKeyId, 'Inactive'))).code).toBe('DeleteConflict');
    expect((await refusal(store.deleteAccessKey('admin', admin.accessKeyId))).code).toBe('DeleteConflict');
    expect((await refusal(store.updateAccessKey('admin', admin.accessKeyId, 'Paused'))).code).toBe('ValidationError');
    expect(() => store.getUserPolicy('alice', 'nope')).toThrow('The user policy with name nope cannot be found.');
    const big = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'x'.repeat(2100)}` }] });
    expect((await refusal(store.putUserPolicy('alice', 'big', big, noValidation))).code).toBe('LimitExceeded');
  });

  it('keeps every one of many concurrent changes', async () => {
    const { store } = await open();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.createUser(`user${i}`)));
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.putUserPolicy(`user${i}`, 'p', '{}', noValidation)));
    const reopened = (await open()).store;
    expect(reopened.listUsers()).toHaveLength(21);
    for (let i = 0; i < 20; i++) expect(reopened.listUserPolicies(`user${i}`)).toEqual(['p']);
  });
});
