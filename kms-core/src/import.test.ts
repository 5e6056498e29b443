import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KmsCore } from './kms-core.js';
import { alice, kmsError, openTestCore, testClock } from './test-fixtures.js';
import type { TestClock } from './test-fixtures.js';
import type { WrappingAlgorithm } from './types.js';

let clock: TestClock;
let core: KmsCore;
let dir: string;
beforeEach(async () => {
  clock = testClock();
  dir = await mkdtemp(join(tmpdir(), 'kms-core-import-'));
  core = await openTestCore(clock, join(dir, 'keystore.json'));
});
afterEach(async () => {
  await core.close();
  await rm(dir, { recursive: true, force: true });
});

/** Wraps `material` as AWS's import guide does (RSAES-OAEP, or OAEP of an AES key + AES-KWP). */
function wrap(publicKeyDer: Uint8Array, algorithm: WrappingAlgorithm, material: Buffer): Buffer {
  const key = createPublicKey({ key: Buffer.from(publicKeyDer), format: 'der', type: 'spki' });
  const rsa = { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256' };
  if (algorithm.startsWith('RSAES_OAEP')) return publicEncrypt(rsa, material);
  const aesKey = randomBytes(32);
  const kwp = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([publicEncrypt(rsa, aesKey), kwp.update(material), kwp.final()]);
}

async function externalKey(): Promise<{ KeyId: string; Arn: string }> {
  const { KeyMetadata } = await core.createKey({ Origin: 'EXTERNAL', Description: 'imported' }, alice);
  return { KeyId: KeyMetadata.KeyId, Arn: KeyMetadata.Arn };
}

async function importInto(keyId: string, material: Buffer, algorithm: WrappingAlgorithm = 'RSAES_OAEP_SHA_256', extra: { ValidTo?: Date } = {}) {
  const params = await core.getParametersForImport({ KeyId: keyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' }, alice);
  return core.importKeyMaterial(
    {
      KeyId: keyId,
      ImportToken: params.ImportToken,
      EncryptedKeyMaterial: wrap(params.PublicKey, algorithm, material),
      ...(extra.ValidTo ? { ValidTo: extra.ValidTo } : { ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
    },
    alice,
  );
}

describe('imported key material', () => {
  it('creates EXTERNAL keys PendingImport, without material, and refuses to use them', async () => {
    const { KeyMetadata: m } = await core.createKey({ Origin: 'EXTERNAL' }, alice);
    expect(m).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
    expect(m.CurrentKeyMaterialId).toBeUndefined();
    expect(await kmsError(() => core.encrypt({ KeyId: m.KeyId, Plaintext: Buffer.from('x') }, alice))).toMatchObject({
      type: 'KMSInvalidStateException',
      message: `${m.Arn} is pending import.`,
    });
    expect((await kmsError(() => core.enableKey({ KeyId: m.KeyId }, alice))).type).toBe('KMSInvalidStateException');
  });

  it.each<WrappingAlgorithm>(['RSAES_OAEP_SHA_256', 'RSAES_OAEP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1'])(
    'imports material wrapped with %s and encrypts under it',
    async (algorithm) => {
      const key = await externalKey();
      const out = await importInto(key.KeyId, randomBytes(32), algorithm);
      expect(out.KeyId).toBe(key.Arn);
      const { KeyMetadata: m } = await core.describeKey({ KeyId: key.KeyId }, alice);
      expect(m).toMatchObject({ KeyState: 'Enabled', ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE', CurrentKeyMaterialId: out.KeyMaterialId });
      const enc = await core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('imported') }, alice);
      expect(Buffer.from((await core.decrypt({ CiphertextBlob: enc.CiphertextBlob }, alice)).Plaintext).toString()).toBe('imported');
    },
  );

  it('answers parameters valid 24 h, for 2048, 3072 and 4096-bit keys, never writing the private key', async () => {
    const key = await externalKey();
    const before = await readFile(join(dir, 'keystore.json'), 'utf8');
    for (const spec of ['RSA_2048', 'RSA_3072'] as const) {
      const p = await core.getParametersForImport({ KeyId: key.Arn, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: spec }, alice);
      expect(p.KeyId).toBe(key.Arn);
      expect(p.ParametersValidTo).toEqual(new Date('2025-01-02T00:00:00.000Z'));
      expect(createPublicKey({ key: p.PublicKey, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(Number(spec.slice(4)));
    }
    expect(await readFile(join(dir, 'keystore.json'), 'utf8')).toBe(before);
    const bad = await kmsError(() => core.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_PKCS1_V1_5', WrappingKeySpec: 'RSA_2048' } as never, alice));
    expect(bad.type).toBe('UnsupportedOperationException');
    const aws = (await core.createKey({}, alice)).KeyMetadata;
    expect(await kmsError(() => core.getParametersForImport({ KeyId: aws.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, alice))).toMatchObject({
      type: 'UnsupportedOperationException',
      message: `${aws.Arn} origin is AWS_KMS which is not valid for this operation.`,
    });
  });

  it('refuses a token of another key, an expired token and material that does not unwrap', async () => {
    const a = await externalKey();
    const b = await externalKey();
    const params = await core.getParametersForImport({ KeyId: a.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, alice);
    const wrapped = wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(32));
    const input = { ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const };
    expect((await kmsError(() => core.importKeyMaterial({ KeyId: b.KeyId, ...input }, alice))).type).toBe('InvalidImportTokenException');
    const garbage = { ...input, EncryptedKeyMaterial: randomBytes(256) };
    expect((await kmsError(() => core.importKeyMaterial({ KeyId: a.KeyId, ...garbage }, alice))).type).toBe('InvalidCiphertextException');
    const short = { ...input, EncryptedKeyMaterial: wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(16)) };
    expect((await kmsError(() => core.importKeyMaterial({ KeyId: a.KeyId, ...short }, alice))).type).toBe('IncorrectKeyMaterialException');
    clock.advanceDays(1);
    expect((await kmsError(() => core.importKeyMaterial({ KeyId: a.KeyId, ...input }, alice))).type).toBe('ExpiredImportTokenException');
  });

  it('requires ValidTo exactly when the material expires, within a year', async () => {
    const key = await externalKey();
    const params = await core.getParametersForImport({ KeyId: key.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, alice);
    const base = { KeyId: key.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrap(params.PublicKey, 'RSAES_OAEP_SHA_256', randomBytes(32)) };
    expect((await kmsError(() => core.importKeyMaterial(base, alice))).message).toBe('A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
    const late = new Date(clock.now().getTime() + 366 * 86400_000);
    expect((await kmsError(() => core.importKeyMaterial({ ...base, ValidTo: late }, alice))).type).toBe('ValidationException');
    expect((await kmsError(() => core.importKeyMaterial({ ...base, ValidTo: clock.now() }, alice))).type).toBe('ValidationException');
    const both = { ...base, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' as const, ValidTo: late };
    expect((await kmsError(() => core.importKeyMaterial(both, alice))).type).toBe('ValidationException');
  });

  it('DeleteImportedKeyMaterial makes blobs unreadable; the same material restores them, other material is refused', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const first = await importInto(key.KeyId, material);
    const dk = await core.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256' }, alice);
    const sealedBefore = JSON.parse(await readFile(join(dir, 'keystore.json'), 'utf8')).keys[key.KeyId].materials[0].sealed as string;
    expect(await core.deleteImportedKeyMaterial({ KeyId: key.KeyId }, alice)).toEqual({ KeyId: key.Arn, KeyMaterialId: first.KeyMaterialId });
    expect((await core.describeKey({ KeyId: key.KeyId }, alice)).KeyMetadata.KeyState).toBe('PendingImport');
    expect(await readFile(join(dir, 'keystore.json'), 'utf8')).not.toContain(sealedBefore);
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: dk.CiphertextBlob }, alice))).message).toBe(`${key.Arn} is pending import.`);
    expect((await kmsError(() => importInto(key.KeyId, randomBytes(32)))).type).toBe('IncorrectKeyMaterialException');
    const again = await importInto(key.KeyId, material);
    expect(again.KeyMaterialId).toBe(first.KeyMaterialId);
    expect((await core.decrypt({ CiphertextBlob: dk.CiphertextBlob }, alice)).Plaintext.equals(dk.Plaintext)).toBe(true);
  });

  it('expires material at ValidTo: the key becomes PendingImport until the same material comes back', async () => {
    const key = await externalKey();
    const material = randomBytes(32);
    const validTo = new Date(clock.now().getTime() + 10 * 86400_000);
    await importInto(key.KeyId, material, 'RSAES_OAEP_SHA_256', { ValidTo: validTo });
    expect((await core.describeKey({ KeyId: key.KeyId }, alice)).KeyMetadata).toMatchObject({ ExpirationModel: 'KEY_MATERIAL_EXPIRES', ValidTo: validTo });
    const enc = await core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('until then') }, alice);
    clock.advanceDays(10);
    expect((await core.describeKey({ KeyId: key.KeyId }, alice)).KeyMetadata.KeyState).toBe('PendingImport');
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: enc.CiphertextBlob }, alice))).type).toBe('KMSInvalidStateException');
    await importInto(key.KeyId, material);
    expect(Buffer.from((await core.decrypt({ CiphertextBlob: enc.CiphertextBlob }, alice)).Plaintext).toString()).toBe('until then');
  });

  it('refuses import operations on AWS_KMS keys and automatic rotation on EXTERNAL keys', async () => {
    const aws = (await core.createKey({}, alice)).KeyMetadata;
    expect((await kmsError(() => core.deleteImportedKeyMaterial({ KeyId: aws.KeyId }, alice))).type).toBe('UnsupportedOperationException');
    const key = await externalKey();
    await importInto(key.KeyId, randomBytes(32));
    expect(await kmsError(() => core.enableKeyRotation({ KeyId: key.KeyId }, alice))).toMatchObject({
      type: 'UnsupportedOperationException',
      message: `${key.Arn} origin is EXTERNAL which is not valid for this operation.`,
    });
    expect((await core.getKeyRotationStatus({ KeyId: key.KeyId }, alice)).KeyRotationEnabled).toBe(false);
  });
});
