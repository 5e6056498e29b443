import { describe, expect, it } from '@jest/globals';
import { BucketConfigError, decodeBucketConfig, encodeBucketConfig } from './bucket-config.js';

describe('bucket configuration record', () => {
  it('round-trips, and no record means no configuration', () => {
    const config = { version: 1 as const, encryption: { sseAlgorithm: 'aws:kms' as const, kmsMasterKeyId: 'alias/x', bucketKeyEnabled: true } };
    expect(decodeBucketConfig(encodeBucketConfig(config))).toEqual(config);
    expect(decodeBucketConfig(null)).toEqual({ version: 1 });
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown version', '{"version":2}'],
    ['an unknown member', '{"version":1,"cors":[]}'],
    ['an unknown algorithm', '{"version":1,"encryption":{"sseAlgorithm":"ROT13","bucketKeyEnabled":false}}'],
    ['a key id with AES256', '{"version":1,"encryption":{"sseAlgorithm":"AES256","kmsMasterKeyId":"k","bucketKeyEnabled":false}}'],
    ['a missing bucket-key flag', '{"version":1,"encryption":{"sseAlgorithm":"AES256"}}'],
  ])('refuses %s', (_what, text) => {
    expect(() => decodeBucketConfig(Buffer.from(text))).toThrow(BucketConfigError);
  });
});
