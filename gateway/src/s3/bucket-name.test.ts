import { describe, it, expect } from '@jest/globals';
import { assertBucketMayExist, isValidBucketName } from './bucket-name.js';

describe('bucket names', () => {
  it.each(['abc', 'my-bucket.1', 'a'.repeat(63), '1bucket'])('accepts %s', (name) => {
    expect(isValidBucketName(name)).toBe(true);
  });
  it.each(['ab', 'a'.repeat(64), 'Upper', 'under_score', '-start', 'end-', 'a..b', '192.168.1.1', 'xn--abc', 'x-s3alias', 'a b'])(
    'refuses %s',
    (name) => {
      expect(isValidBucketName(name)).toBe(false);
    },
  );

  it('answers NoSuchBucket for a name no bucket can have', () => {
    expect(() => assertBucketMayExist('a'.repeat(64))).toThrow(expect.objectContaining({ code: 'NoSuchBucket', fields: { BucketName: 'a'.repeat(64) } }));
    expect(() => assertBucketMayExist('ok-name')).not.toThrow();
  });
});
