/**
 * Known-answer vector for the object metadata MAC. The expected value was computed once by an
 * independent implementation (Python `cryptography` HKDF, `hmac`, `json.dumps(sort_keys=True)`),
 * from the spec in metadata.ts. If it fails, every stored object's record would stop verifying:
 * bump metaVersion instead of editing the vector.
 */
import { describe, expect, it } from '@jest/globals';
import { IntegrityError } from './errors.js';
import { parseMetadata, sealMetadata, verifyMetadataMac } from './metadata.js';
import type { UnsealedObjectMetadata } from './metadata.js';

const DEK = Buffer.from(Array.from({ length: 32 }, (_, i) => i)); // 00..1f, obviously a test key
const record: UnsealedObjectMetadata = {
  metaVersion: 1,
  sse: 'aws:kms',
  kmsKeyArn: 'arn:aws:kms:us-east-1:000000000000:key/1b4f3a9e-0000-4000-8000-000000000001',
  wrappedDek: Buffer.from('a wrapped data key blob').toString('base64'),
  encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::bkt/key', team: 'x' },
  bucketKeyEnabled: false,
  algorithm: 'GWSE1-AES256GCM-HKDFSHA256-C',
  segmentSize: 65536,
  plaintextSize: 200_000,
  ciphertextSize: 200_160,
  headerSha256: 'ab'.repeat(32),
  etag: '0123456789abcdef0123456789abcdef',
  checksums: { CRC32: 'AAAAAA==' },
  contentType: 'text/plain',
  userMetadata: { colour: 'blue' },
  lastModified: '2024-05-01T12:00:00.000Z',
};
const KAT_META_MAC = '2fc7fd5ffd9654fc126af6ae2f9b63244adb057d5e09f8eb19b13f5b5126bd73';

describe('object metadata MAC known-answer vector', () => {
  it('seals the pinned record to the pinned MAC', () => {
    expect(parseMetadata(sealMetadata(record, DEK)).metaMac).toBe(KAT_META_MAC);
  });

  it('verifies the pinned record under the DEK and under no other', () => {
    const stored = { ...record, metaMac: KAT_META_MAC };
    expect(() => verifyMetadataMac(stored, DEK)).not.toThrow();
    expect(() => verifyMetadataMac(stored, Buffer.alloc(32, 0x01))).toThrow(IntegrityError);
    expect(() => verifyMetadataMac({ ...stored, encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::bkt/key' } }, DEK)).toThrow(IntegrityError);
  });
});
