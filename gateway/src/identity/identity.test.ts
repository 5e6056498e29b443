import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StoreFileError } from '@kmsgate/kms-core';
import { IdentityStore, sealSecret, unsealSecret } from './identity.js';

const rootKey = Buffer.alloc(32, 0x11); // obviously a test key
const ACCOUNT = '111122223333';

// Computed once by an independent implementation (Python `cryptography` HKDF + AESGCM),
// with the nonce 00..0b: a change here means stored admin secrets stop opening.
const KAT_SEALED_SECRET = 'AAECAwQFBgcICQoLbaeb5y6UvRNooxHFyr255+q+8PzEc0l+CBCUfWn4TsEfQ5ISJSo6UbUgyHq9sg==';

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
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-identity-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function openError(key: Buffer = rootKey): Promise<Error> {
  return IdentityStore.open({ dataDir, rootKey: key, accountId: ACCOUNT }).then(
    () => { throw new Error('expected the identity store to refuse'); },
    (err: unknown) => err as Error,
  );
}

describe('identity seal', () => {
  it('seals a secret to the pinned bytes and opens them, only for the same access key id', () => {
    const nonce = Buffer.from('000102030405060708090a0b', 'hex');
    expect(sealSecret(rootKey, 'AKIAKNOWNANSWER00001', 'known-answer secret access key', nonce)).toBe(KAT_SEALED_SECRET);
    expect(unsealSecret(rootKey, 'AKIAKNOWNANSWER00001', KAT_SEALED_SECRET)).toBe('known-answer secret access key');
    expect(unsealSecret(rootKey, 'AKIAKNOWNANSWER00002', KAT_SEALED_SECRET)).toBeNull();
    expect(unsealSecret(Buffer.alloc(32, 0x12), 'AKIAKNOWNANSWER00001', KAT_SEALED_SECRET)).toBeNull();
  });
});

describe('identity store', () => {
  it('opens the file the first release wrote', async () => {
    await writeFile(join(dataDir, 'identity.json'), JSON.stringify(FIRST_RELEASE_FILE, null, 2));
    const { admin, created } = await IdentityStore.open({ dataDir, rootKey, accountId: ACCOUNT });
    expect(created).toBe(false);
    expect(admin.accessKeyId).toBe('AKIAFJRSJ6TI6A7FJTER');
    expect(admin.secretAccessKey).toBe('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');
  });

  it('creates the admin once, in a 0600 file, and finds it again', async () => {
    const first = await IdentityStore.open({ dataDir, rootKey, accountId: ACCOUNT });
    expect(first.created).toBe(true);
    expect((await stat(join(dataDir, 'identity.json'))).mode & 0o777).toBe(0o600);
    const text = await readFile(join(dataDir, 'identity.json'), 'utf8');
    expect(text.includes(first.admin.secretAccessKey)).toBe(false);
    const second = await IdentityStore.open({ dataDir, rootKey, accountId: ACCOUNT });
    expect(second.created).toBe(false);
    expect(second.admin.secretAccessKey).toBe(first.admin.secretAccessKey);
  });

  it('refuses a truncated, empty or foreign identity.json, naming it, and never replaces it', async () => {
    const path = join(dataDir, 'identity.json');
    const whole = JSON.stringify(FIRST_RELEASE_FILE);
    for (const damaged of [whole.slice(0, 40), '', '{"version":2,"users":[]}', '{"version":1,"users":[{"name":"admin"}]}']) {
      await writeFile(path, damaged);
      const err = await openError();
      expect(err).toBeInstanceOf(StoreFileError);
      expect(err.message.startsWith(`${path}: `)).toBe(true);
      expect(await readFile(path, 'utf8')).toBe(damaged);
    }
  });

  it('refuses a root key the secrets were not sealed under, naming the file', async () => {
    await writeFile(join(dataDir, 'identity.json'), JSON.stringify(FIRST_RELEASE_FILE));
    const err = await openError(Buffer.alloc(32, 0x22));
    expect(err.message).toMatch(/identity\.json: the secret of 'admin' does not open: is this the root key/);
  });
});
