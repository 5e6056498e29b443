import { describe, expect, it } from '@jest/globals';
import { MAX_BLOB_BYTES, PREFIX_BYTES, TAG_BYTES, openBlob, parseBlob, sealBlob } from './blob.js';
import type { BlobHeader } from './blob.js';
import { canonicalEncryptionContext } from './context.js';
import { KmsError } from './errors.js';

// Obviously-test inputs: material 00..1f, salt a5*16, nonce 00..0b.
const material = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const header: BlobHeader = {
  keyUuid: '00112233-4455-4677-8899-aabbccddeeff',
  materialVersion: 7,
  wrapSalt: Buffer.alloc(16, 0xa5),
  nonce: Buffer.from('000102030405060708090a0b', 'hex'),
};
const context = canonicalEncryptionContext({ purpose: 'test', 'aws:s3:arn': 'arn:aws:s3:::bucket/key' });

// Expected bytes computed by an independent implementation (Python `cryptography` HKDF + AESGCM).
const KAT_WITH_CONTEXT =
  '0100112233445546778899aabbccddeeff00000007a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5000102030405060708090a0b' +
  'f97cbc6ce4e6f7613a2f7ff1e203a176e29ad46f2ff2dc' +
  '0cf9fd4749f715436267f8a542c95464';
const KAT_EMPTY_CONTEXT_32B =
  '0100112233445546778899aabbccddeeff00000007a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5000102030405060708090a0b' +
  'd0538d03c5cbc746581958c0d4619358c1b1f85908c8ea9580d2391b2d7c849f' +
  'de12042763b6c16d2850c124d5cea5a1';

function expectInvalidCiphertext(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KmsError);
    expect((err as KmsError).type).toBe('InvalidCiphertextException');
    expect((err as KmsError).message).toBe('');
    return;
  }
  throw new Error('expected InvalidCiphertextException');
}

describe('blob known-answer vectors', () => {
  it('seals to the exact pinned bytes with a context', () => {
    const blob = sealBlob({ material, header, plaintext: Buffer.from('kms-core test plaintext'), context });
    expect(blob.toString('hex')).toBe(KAT_WITH_CONTEXT);
  });

  it('seals a 32-byte data key with the empty context to the pinned bytes', () => {
    const blob = sealBlob({ material, header, plaintext: Buffer.alloc(32, 0x42), context: canonicalEncryptionContext(undefined) });
    expect(blob.toString('hex')).toBe(KAT_EMPTY_CONTEXT_32B);
    expect(blob.length).toBe(PREFIX_BYTES + 32 + TAG_BYTES);
  });

  it('parses the pinned blob back into its header fields and opens it', () => {
    const parsed = parseBlob(Buffer.from(KAT_WITH_CONTEXT, 'hex'));
    expect(parsed.header.keyUuid).toBe(header.keyUuid);
    expect(parsed.header.materialVersion).toBe(7);
    expect(parsed.header.wrapSalt.equals(header.wrapSalt)).toBe(true);
    expect(parsed.header.nonce.equals(header.nonce)).toBe(true);
    expect(openBlob(parsed, material, context).toString('utf8')).toBe('kms-core test plaintext');
  });
});

describe('blob tamper resistance', () => {
  const blob = Buffer.from(KAT_WITH_CONTEXT, 'hex');

  it('rejects a flip of every single byte', () => {
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= 0x01;
      expectInvalidCiphertext(() => openBlob(parseBlob(tampered), material, context));
    }
  });

  it('rejects a different, reordered-but-changed or missing context', () => {
    const parsed = parseBlob(blob);
    expectInvalidCiphertext(() => openBlob(parsed, material, canonicalEncryptionContext({ purpose: 'Test', 'aws:s3:arn': 'arn:aws:s3:::bucket/key' })));
    expectInvalidCiphertext(() => openBlob(parsed, material, canonicalEncryptionContext({ purpose: 'test' })));
    expectInvalidCiphertext(() => openBlob(parsed, material, canonicalEncryptionContext(undefined)));
  });

  it('accepts the same context given in another key order', () => {
    const reordered = canonicalEncryptionContext({ 'aws:s3:arn': 'arn:aws:s3:::bucket/key', purpose: 'test' });
    expect(openBlob(parseBlob(blob), material, reordered).toString('utf8')).toBe('kms-core test plaintext');
  });

  it('rejects the wrong key material', () => {
    const other = Buffer.alloc(32, 0x01);
    expectInvalidCiphertext(() => openBlob(parseBlob(blob), other, context));
  });

  it('rejects truncated, extended, empty, oversized and wrong-version input at parse time', () => {
    expectInvalidCiphertext(() => parseBlob(Buffer.alloc(0)));
    expectInvalidCiphertext(() => parseBlob(blob.subarray(0, PREFIX_BYTES + TAG_BYTES)));
    expectInvalidCiphertext(() => parseBlob(Buffer.alloc(MAX_BLOB_BYTES + 1, 1)));
    const wrongVersion = Buffer.from(blob);
    wrongVersion[0] = 0x02;
    expectInvalidCiphertext(() => parseBlob(wrongVersion));
    expectInvalidCiphertext(() => openBlob(parseBlob(blob.subarray(0, blob.length - 1)), material, context));
    expectInvalidCiphertext(() => openBlob(parseBlob(Buffer.concat([blob, Buffer.of(0)])), material, context));
  });

  it('rejects garbage of plausible length', () => {
    expectInvalidCiphertext(() => openBlob(parseBlob(Buffer.alloc(100, 0x01)), material, context));
  });
});

describe('blob sealing', () => {
  it('produces different blobs for different salts and both open', () => {
    const a = sealBlob({ material, header, plaintext: Buffer.from('x'), context });
    const b = sealBlob({ material, header: { ...header, wrapSalt: Buffer.alloc(16, 0x5a) }, plaintext: Buffer.from('x'), context });
    expect(a.equals(b)).toBe(false);
    expect(openBlob(parseBlob(b), material, context).toString()).toBe('x');
  });

  it('refuses empty plaintext and plaintext over the blob limit', () => {
    expect(() => sealBlob({ material, header, plaintext: Buffer.alloc(0), context })).toThrow(RangeError);
    expect(() => sealBlob({ material, header, plaintext: Buffer.alloc(MAX_BLOB_BYTES), context })).toThrow(RangeError);
    expect(sealBlob({ material, header, plaintext: Buffer.alloc(4096), context }).length).toBe(PREFIX_BYTES + 4096 + TAG_BYTES);
  });
});
