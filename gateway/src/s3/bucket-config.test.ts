import { describe, expect, it } from '@jest/globals';
import { BucketConfigError, decodeBucketConfig, encodeBucketConfig } from './bucket-config.js';

describe('bucket configuration record', () => {
  it('round-trips, and no record means no configuration', () => {
    const config = { version: 1 as const, encryption: { sseAlgorithm: 'aws:kms' as const, kmsMasterKeyId: 'alias/x', bucketKeyEnabled: true } };
    expect(decodeBucketConfig(encodeBucketConfig(config))).toEqual(config);
    expect(decodeBucketConfig(null)).toEqual({ version: 1 });
    const cors = {
      version: 1 as const,
      cors: [{ id: 'r1', allowedMethods: ['PUT'], allowedOrigins: ['http://*.example'], allowedHeaders: ['x-amz-*'], exposeHeaders: ['ETag'], maxAgeSeconds: 60 }],
    };
    expect(decodeBucketConfig(encodeBucketConfig(cors))).toEqual(cors);
  });

  it.each([
    ['not JSON', '{'],
    ['an unknown version', '{"version":2}'],
    ['an unknown member', '{"version":1,"website":{}}'],
    ['an empty CORS rule list', '{"version":1,"cors":[]}'],
    ['a CORS rule without origins', '{"version":1,"cors":[{"allowedMethods":["GET"],"allowedOrigins":[],"allowedHeaders":[],"exposeHeaders":[]}]}'],
    ['a CORS rule with an unknown member', '{"version":1,"cors":[{"allowedMethods":["GET"],"allowedOrigins":["*"],"allowedHeaders":[],"exposeHeaders":[],"x":1}]}'],
    ['a fractional CORS max age', '{"version":1,"cors":[{"allowedMethods":["GET"],"allowedOrigins":["*"],"allowedHeaders":[],"exposeHeaders":[],"maxAgeSeconds":1.5}]}'],
    ['an unknown algorithm', '{"version":1,"encryption":{"sseAlgorithm":"ROT13","bucketKeyEnabled":false}}'],
    ['a key id with AES256', '{"version":1,"encryption":{"sseAlgorithm":"AES256","kmsMasterKeyId":"k","bucketKeyEnabled":false}}'],
    ['a missing bucket-key flag', '{"version":1,"encryption":{"sseAlgorithm":"AES256"}}'],
  ])('refuses %s', (_what, text) => {
    expect(() => decodeBucketConfig(Buffer.from(text))).toThrow(BucketConfigError);
  });
});
