import { describe, expect, it } from '@jest/globals';
import { GWSE_ALGORITHM_NAME, objectAttributesOf, type ObjectMetadataV1 } from './index.js';

const RECORD: ObjectMetadataV1 = {
  metaVersion: 2, sse: 'AES256', kmsKeyArn: null, wrappedDek: 'AAAA', encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::b/k' },
  bucketKeyEnabled: false, algorithm: GWSE_ALGORITHM_NAME, segmentSize: 65536,
  plaintextSize: 0, ciphertextSize: 112, headerSha256: '0'.repeat(64), etag: '0'.repeat(32), checksums: { CRC32: 'AAAAAA==' },
  contentType: 'text/plain', storageClass: 'GLACIER', systemHeaders: { 'cache-control': 'no-cache' }, userMetadata: { colour: 'blue' }, lastModified: '2026-01-01T00:00:00.000Z', metaMac: '0'.repeat(64),
};

describe('objectAttributesOf', () => {
  it('keeps what describes the object and drops what the write decides', () => {
    expect(objectAttributesOf(RECORD)).toEqual({ contentType: 'text/plain', storageClass: 'GLACIER', systemHeaders: { 'cache-control': 'no-cache' }, userMetadata: { colour: 'blue' } });
  });

  it('carries fields it has never heard of, so new system metadata follows a copy', () => {
    const grown = { ...RECORD, tagCount: 3 } as ObjectMetadataV1;
    expect(objectAttributesOf(grown)).toEqual({ contentType: 'text/plain', storageClass: 'GLACIER', systemHeaders: { 'cache-control': 'no-cache' }, userMetadata: { colour: 'blue' }, tagCount: 3 });
  });
});
