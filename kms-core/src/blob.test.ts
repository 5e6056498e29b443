import { describe, expect, it } from '@jest/globals';
import { MAX_BLOB_BYTES, PREFIX_BYTES, TAG_BYTES, V1_PREFIX_BYTES, openBlob, parseBlob, sealBlob, sealBlobVersion1, wrapKeyFor } from './blob.js';
import type { BlobHeader, MaterialKeys } from './blob.js';
import { canonicalEncryptionContext } from './context.js';
import { KmsError } from './errors.js';

// Obviously-test inputs: material 00..1f, nonce 00..17 (version 1: salt a5*16, nonce 00..0b).
const material = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const keys: MaterialKeys = { material, wrap: wrapKeyFor(material) };
const header: BlobHeader = {
  keyUuid: '00112233-4455-4677-8899-aabbccddeeff',
  materialVersion: 7,
  nonce: Buffer.from(Array.from({ length: 24 }, (_, i) => i)),
};
const v1Header = { keyUuid: header.keyUuid, materialVersion: 7, wrapSalt: Buffer.alloc(16, 0xa5), nonce: Buffer.from('000102030405060708090a0b', 'hex') };
const context = canonicalEncryptionContext({ purpose: 'test', 'aws:s3:arn': 'arn:aws:s3:::bucket/key' });

// Expected bytes computed by an independent implementation (Python `cryptography`: HKDF, and
// XAES-256-GCM written from the C2SP spec over its AES-ECB and AESGCM, which reproduces the
// spec's own vector).
const KAT_V2_WITH_CONTEXT =
  '0200112233445546778899aabbccddeeff00000007000102030405060708090a0b0c0d0e0f1011121314151617' +
  '31c8b28732b59a11c8c044d0a6b3a7b9fa0fa2059332b9' +
  '357b88974a3a75ff2ead980b6ef7ef12';
const KAT_V2_EMPTY_CONTEXT_32B =
  '0200112233445546778899aabbccddeeff00000007000102030405060708090a0b0c0d0e0f1011121314151617' +
  '18e783e81398aa36aaf663e190d19597d9248e33b4088f10d6cbeea114418206' +
  'a7e0e500445806585a9d288d53d94e98';
// Version 1, as earlier releases wrote it (Python `cryptography` HKDF + AESGCM).
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
  it('seals version 2 to the exact pinned bytes with a context', () => {
    const blob = sealBlob({ wrap: keys.wrap, header, plaintext: Buffer.from('kms-core test plaintext'), context });
    expect(blob.toString('hex')).toBe(KAT_V2_WITH_CONTEXT);
  });

  it('seals a 32-byte data key with the empty context to the pinned version 2 bytes', () => {
    const blob = sealBlob({ wrap: keys.wrap, header, plaintext: Buffer.alloc(32, 0x42), context: canonicalEncryptionContext(undefined) });
    expect(blob.toString('hex')).toBe(KAT_V2_EMPTY_CONTEXT_32B);
    expect(blob.length).toBe(PREFIX_BYTES + 32 + TAG_BYTES);
  });

  it('parses the pinned version 2 blob back into its header fields and opens it', () => {
    const parsed = parseBlob(Buffer.from(KAT_V2_WITH_CONTEXT, 'hex'));
    expect(parsed).toMatchObject({ version: 2, keyUuid: header.keyUuid, materialVersion: 7 });
    expect(parsed.nonce.equals(header.nonce)).toBe(true);
    expect(openBlob(parsed, keys, context).toString('utf8')).toBe('kms-core test plaintext');
  });

  it('still opens the version 1 blobs earlier releases wrote, and writes them as pinned', () => {
    expect(sealBlobVersion1(material, v1Header, Buffer.from('kms-core test plaintext'), context).toString('hex')).toBe(KAT_WITH_CONTEXT);
    expect(sealBlobVersion1(material, v1Header, Buffer.alloc(32, 0x42), canonicalEncryptionContext(undefined)).toString('hex')).toBe(KAT_EMPTY_CONTEXT_32B);
    const parsed = parseBlob(Buffer.from(KAT_WITH_CONTEXT, 'hex'));
    expect(parsed).toMatchObject({ version: 1, keyUuid: header.keyUuid, materialVersion: 7 });
    expect(parsed.wrapSalt?.equals(v1Header.wrapSalt)).toBe(true);
    expect(openBlob(parsed, keys, context).toString('utf8')).toBe('kms-core test plaintext');
    expect(openBlob(parseBlob(Buffer.from(KAT_EMPTY_CONTEXT_32B, 'hex')), keys, canonicalEncryptionContext(undefined)).equals(Buffer.alloc(32, 0x42))).toBe(true);
  });
});

describe.each([
  ['version 2', KAT_V2_WITH_CONTEXT, PREFIX_BYTES],
  ['version 1', KAT_WITH_CONTEXT, V1_PREFIX_BYTES],
])('blob tamper resistance, %s', (_name, kat, prefixBytes) => {
  const blob = Buffer.from(kat, 'hex');

  it('rejects a flip of every single byte', () => {
    for (let i = 0; i < blob.length; i++) {
      const tampered = Buffer.from(blob);
      tampered[i] ^= 0x01;
      expectInvalidCiphertext(() => openBlob(parseBlob(tampered), keys, context));
    }
  });

  it('rejects a different, reordered-but-changed or missing context', () => {
    const parsed = parseBlob(blob);
    expectInvalidCiphertext(() => openBlob(parsed, keys, canonicalEncryptionContext({ purpose: 'Test', 'aws:s3:arn': 'arn:aws:s3:::bucket/key' })));
    expectInvalidCiphertext(() => openBlob(parsed, keys, canonicalEncryptionContext({ purpose: 'test' })));
    expectInvalidCiphertext(() => openBlob(parsed, keys, canonicalEncryptionContext(undefined)));
  });

  it('accepts the same context given in another key order', () => {
    const reordered = canonicalEncryptionContext({ 'aws:s3:arn': 'arn:aws:s3:::bucket/key', purpose: 'test' });
    expect(openBlob(parseBlob(blob), keys, reordered).toString('utf8')).toBe('kms-core test plaintext');
  });

  it('rejects the wrong key material', () => {
    const other = Buffer.alloc(32, 0x01);
    expectInvalidCiphertext(() => openBlob(parseBlob(blob), { material: other, wrap: wrapKeyFor(other) }, context));
  });

  it('rejects truncated, extended, empty, oversized and wrong-version input at parse time', () => {
    expectInvalidCiphertext(() => parseBlob(Buffer.alloc(0)));
    expectInvalidCiphertext(() => parseBlob(blob.subarray(0, prefixBytes + TAG_BYTES)));
    expectInvalidCiphertext(() => parseBlob(Buffer.alloc(MAX_BLOB_BYTES + 1, 1)));
    const wrongVersion = Buffer.from(blob);
    wrongVersion[0] = 0x03;
    expectInvalidCiphertext(() => parseBlob(wrongVersion));
    expectInvalidCiphertext(() => openBlob(parseBlob(blob.subarray(0, blob.length - 1)), keys, context));
    expectInvalidCiphertext(() => openBlob(parseBlob(Buffer.concat([blob, Buffer.of(0)])), keys, context));
  });

  it('rejects garbage of plausible length', () => {
    expectInvalidCiphertext(() => openBlob(parseBlob(Buffer.alloc(100, blob[0])), keys, context));
  });
});

describe('blob sealing', () => {
  it('produces different blobs for different nonces and both open', () => {
    const a = sealBlob({ wrap: keys.wrap, header, plaintext: Buffer.from('x'), context });
    const b = sealBlob({ wrap: keys.wrap, header: { ...header, nonce: Buffer.alloc(24, 0x5a) }, plaintext: Buffer.from('x'), context });
    expect(a.equals(b)).toBe(false);
    expect(openBlob(parseBlob(a), keys, context).toString()).toBe('x');
    expect(openBlob(parseBlob(b), keys, context).toString()).toBe('x');
  });

  it('refuses empty plaintext and plaintext over the blob limit', () => {
    expect(() => sealBlob({ wrap: keys.wrap, header, plaintext: Buffer.alloc(0), context })).toThrow(RangeError);
    expect(() => sealBlob({ wrap: keys.wrap, header, plaintext: Buffer.alloc(MAX_BLOB_BYTES), context })).toThrow(RangeError);
    expect(sealBlob({ wrap: keys.wrap, header, plaintext: Buffer.alloc(4096), context }).length).toBe(PREFIX_BYTES + 4096 + TAG_BYTES);
  });
});
