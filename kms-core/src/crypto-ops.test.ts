import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { alice, kmsError, mallory, openTestCore, testClock } from './test-fixtures.js';

let core: KmsCore;
beforeEach(async () => {
  core = await openTestCore(testClock());
});
afterEach(async () => {
  await core.close();
});

const ctx = { 'aws:s3:arn': 'arn:aws:s3:::bucket/key', department: 'x' };

describe('Encrypt / Decrypt', () => {
  it('round-trips and reports the key ARN, algorithm and material id', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const enc = await core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('hello'), EncryptionContext: ctx }, alice);
    expect(enc.KeyId).toBe(m.Arn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    const dec = await core.decrypt({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { department: 'x', 'aws:s3:arn': 'arn:aws:s3:::bucket/key' } }, alice);
    expect(dec).toEqual({
      Plaintext: Buffer.from('hello'),
      KeyId: m.Arn,
      EncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      KeyMaterialId: m.CurrentKeyMaterialId,
    });
  });

  it('refuses a context that differs in any way with an empty InvalidCiphertextException', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const blob = (await core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('hello'), EncryptionContext: ctx }, alice)).CiphertextBlob;
    const wrongContexts: (Record<string, string> | undefined)[] = [undefined, {}, { ...ctx, department: 'X' }, { ...ctx, extra: '' }, { 'aws:s3:arn': ctx['aws:s3:arn'] }];
    for (const wrong of wrongContexts) {
      const err = await kmsError(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: wrong }, alice));
      expect(err.type).toBe('InvalidCiphertextException');
      expect(err.message).toBe('');
    }
  });

  it('refuses tampered and garbage blobs', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const blob = (await core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('hello') }, alice)).CiphertextBlob;
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] ^= 0x80;
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: tampered }, alice))).type).toBe('InvalidCiphertextException');
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: Buffer.from('garbage') }, alice))).type).toBe('InvalidCiphertextException');
    const wrongVersion = Buffer.from(blob);
    wrongVersion.writeUInt32BE(99, 17);
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: wrongVersion }, alice))).type).toBe('InvalidCiphertextException');
  });

  it('refuses a blob whose key does not exist with the AWS AccessDenied text', async () => {
    const other = await openTestCore(testClock());
    const { KeyMetadata: m } = await other.createKey({}, alice);
    const blob = (await other.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('hello') }, alice)).CiphertextBlob;
    await other.close();
    const err = await kmsError(() => core.decrypt({ CiphertextBlob: blob }, alice));
    expect(err.type).toBe('AccessDeniedException');
    expect(err.message).toBe(
      'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.',
    );
  });

  it('checks an optional KeyId against the key in the blob', async () => {
    const { KeyMetadata: a } = await core.createKey({}, alice);
    const { KeyMetadata: b } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/a', TargetKeyId: a.KeyId }, alice);
    const blob = (await core.encrypt({ KeyId: a.KeyId, Plaintext: Buffer.from('hello') }, alice)).CiphertextBlob;
    const err = await kmsError(() => core.decrypt({ CiphertextBlob: blob, KeyId: b.KeyId }, alice));
    expect(err.type).toBe('IncorrectKeyException');
    expect(err.message).toBe('The key ID in the request does not identify a CMK that can perform this operation.');
    for (const keyId of [a.KeyId, a.Arn, 'alias/a']) {
      expect((await core.decrypt({ CiphertextBlob: blob, KeyId: keyId }, alice)).KeyId).toBe(a.Arn);
    }
  });

  it('authorises Decrypt against the key named in the blob', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const blob = (await core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('hello') }, alice)).CiphertextBlob;
    const err = await kmsError(() => core.decrypt({ CiphertextBlob: blob }, mallory));
    expect(err.type).toBe('AccessDeniedException');
    expect(err.message).toBe(
      `User: ${mallory.arn} is not authorized to perform: kms:Decrypt on resource: ${m.Arn} because no resource-based policy allows the kms:Decrypt action`,
    );
  });

  it('honours key state on Decrypt', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const blob = (await core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('hello') }, alice)).CiphertextBlob;
    await core.disableKey({ KeyId: m.KeyId }, alice);
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: blob }, alice))).message).toBe(`${m.Arn} is disabled.`);
  });

  it('validates plaintext length with the AWS texts', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    expect((await kmsError(() => core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.alloc(4097) }, alice))).message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096",
    );
    expect((await kmsError(() => core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.alloc(0) }, alice))).message).toBe(
      "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    const max = await core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.alloc(4096, 7) }, alice);
    expect((await core.decrypt({ CiphertextBlob: max.CiphertextBlob }, alice)).Plaintext.equals(Buffer.alloc(4096, 7))).toBe(true);
  });
});

describe('GenerateDataKey', () => {
  it('returns a fresh key of the requested size that Decrypt recovers', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    for (const [input, size] of [[{ KeySpec: 'AES_256' as const }, 32], [{ KeySpec: 'AES_128' as const }, 16], [{ NumberOfBytes: 1 }, 1], [{ NumberOfBytes: 1024 }, 1024]] as const) {
      const out = await core.generateDataKey({ KeyId: m.KeyId, EncryptionContext: ctx, ...input }, alice);
      expect(out.Plaintext).toHaveLength(size);
      expect(out.KeyId).toBe(m.Arn);
      expect(out.KeyMaterialId).toBe(m.CurrentKeyMaterialId);
      const dec = await core.decrypt({ CiphertextBlob: out.CiphertextBlob, EncryptionContext: ctx }, alice);
      expect(dec.Plaintext.equals(out.Plaintext)).toBe(true);
    }
    const a = await core.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_256' }, alice);
    const b = await core.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_256' }, alice);
    expect(a.Plaintext.equals(b.Plaintext)).toBe(false);
  });

  it('requires exactly one of KeySpec and NumberOfBytes', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    for (const input of [{}, { KeySpec: 'AES_256' as const, NumberOfBytes: 32 }]) {
      const err = await kmsError(() => core.generateDataKey({ KeyId: m.KeyId, ...input }, alice));
      expect(err.type).toBe('ValidationException');
      expect(err.message).toBe('Please specify either number of bytes or key spec.');
    }
    expect((await kmsError(() => core.generateDataKey({ KeyId: m.KeyId, NumberOfBytes: 1025 }, alice))).message).toBe(
      "1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024",
    );
    expect((await kmsError(() => core.generateDataKey({ KeyId: m.KeyId, KeySpec: 'AES_512' as 'AES_256' }, alice))).message).toBe(
      "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]",
    );
  });

  it('reports unknown keys and aliases', async () => {
    expect((await kmsError(() => core.generateDataKey({ KeyId: 'alias/missing', KeySpec: 'AES_256' }, alice))).type).toBe('NotFoundException');
  });
});
