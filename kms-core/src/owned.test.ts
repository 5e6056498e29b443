import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { alice, kmsError, openTestCore, testClock } from './test-fixtures.js';

let core: KmsCore;
beforeEach(async () => {
  core = await openTestCore(testClock());
});
afterEach(async () => {
  await core.close();
});

const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key' };

describe('AWS owned keys (SSE-S3)', () => {
  it('generates 32-byte data keys that decryptOwned recovers with the same context only', async () => {
    const { plaintext, ciphertextBlob } = await core.generateOwnedDataKey('sse-s3', ctx);
    expect(plaintext).toHaveLength(32);
    expect((await core.decryptOwned('sse-s3', ciphertextBlob, ctx)).equals(plaintext)).toBe(true);
    const err = await kmsError(() => core.decryptOwned('sse-s3', ciphertextBlob, { 'aws:s3:arn': 'arn:aws:s3:::bucket/other' }));
    expect(err.type).toBe('InvalidCiphertextException');
  });

  it('are invisible to every public operation', async () => {
    const { ciphertextBlob } = await core.generateOwnedDataKey('sse-s3', ctx);
    expect((await core.listKeys({}, alice)).Keys).toEqual([]);
    expect((await core.listAliases({}, alice)).Aliases.map((a) => a.AliasName)).toEqual(['alias/aws/s3']);
    const ownedKeyId = [
      ciphertextBlob.subarray(1, 5).toString('hex'),
      ciphertextBlob.subarray(5, 7).toString('hex'),
      ciphertextBlob.subarray(7, 9).toString('hex'),
      ciphertextBlob.subarray(9, 11).toString('hex'),
      ciphertextBlob.subarray(11, 17).toString('hex'),
    ].join('-');
    expect((await kmsError(() => core.describeKey({ KeyId: ownedKeyId }, alice))).type).toBe('NotFoundException');
    const dec = await kmsError(() => core.decrypt({ CiphertextBlob: ciphertextBlob, EncryptionContext: ctx }, alice));
    expect(dec.type).toBe('AccessDeniedException');
  });

  it('do not open customer blobs, nor blobs of another purpose', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const customer = await core.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_256', EncryptionContext: ctx }, alice);
    expect((await kmsError(() => core.decryptOwned('sse-s3', customer.CiphertextBlob, ctx))).type).toBe('InvalidCiphertextException');
    const other = await core.generateOwnedDataKey('other-purpose', ctx);
    expect((await kmsError(() => core.decryptOwned('sse-s3', other.ciphertextBlob, ctx))).type).toBe('InvalidCiphertextException');
  });

  it('reuse one owned key per purpose', async () => {
    const a = await core.generateOwnedDataKey('sse-s3', ctx);
    const b = await core.generateOwnedDataKey('sse-s3', ctx);
    expect(a.ciphertextBlob.subarray(1, 17).equals(b.ciphertextBlob.subarray(1, 17))).toBe(true);
    expect(a.plaintext.equals(b.plaintext)).toBe(false);
  });

  it('refuses garbage and invalid purposes', async () => {
    expect((await kmsError(() => core.decryptOwned('sse-s3', Buffer.from('junk'), ctx))).type).toBe('InvalidCiphertextException');
    expect((await kmsError(() => core.generateOwnedDataKey('', ctx))).type).toBe('ValidationException');
  });
});
