import { describe, it, expect } from '@jest/globals';
import { parseStorageClass, userMetadataOf } from './object-headers.js';

describe('user metadata headers', () => {
  it('takes x-amz-meta-* names without the prefix and drops an empty name, as S3 does', () => {
    expect(userMetadataOf({ 'x-amz-meta-colour': 'blue', 'x-amz-meta-': 'nameless', 'content-type': 'text/plain' })).toEqual({ colour: 'blue' });
  });

  it('keeps __proto__ as an ordinary name', () => {
    const meta = userMetadataOf({ 'x-amz-meta-__proto__': 'x' });
    expect(Object.keys(meta)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(meta)).toBe(Object.prototype);
  });

  it('allows 2 KB of names and values, counting the bytes the client sent', () => {
    expect(() => userMetadataOf({ 'x-amz-meta-a': 'v'.repeat(2047) })).not.toThrow();
    expect(() => userMetadataOf({ 'x-amz-meta-a': 'v'.repeat(2048) })).toThrow(expect.objectContaining({ code: 'MetadataTooLarge' }));
    // Node decodes header bytes as latin1: 'é' sent as UTF-8 arrives as two characters, two bytes.
    const utf8AsLatin1 = Buffer.from('é'.repeat(1023), 'utf8').toString('latin1');
    expect(() => userMetadataOf({ 'x-amz-meta-ab': utf8AsLatin1 })).not.toThrow();
    expect(() => userMetadataOf({ 'x-amz-meta-abc': utf8AsLatin1 })).toThrow(expect.objectContaining({ code: 'MetadataTooLarge', fields: { Size: 2049, MaxSizeAllowed: 2048 } }));
  });
});

describe('storage class header', () => {
  it('accepts the classes of a general purpose bucket', () => {
    expect(parseStorageClass({})).toBe('STANDARD');
    for (const value of ['STANDARD', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'GLACIER_IR', 'DEEP_ARCHIVE', 'REDUCED_REDUNDANCY']) {
      expect(parseStorageClass({ 'x-amz-storage-class': value })).toBe(value);
    }
  });

  it.each(['NOPE', 'standard', '', 'EXPRESS_ONEZONE', 'OUTPOSTS'])('refuses %p with InvalidStorageClass', (value) => {
    expect(() => parseStorageClass({ 'x-amz-storage-class': value })).toThrow(
      expect.objectContaining({ code: 'InvalidStorageClass', status: 400, fields: { StorageClassRequested: value } }),
    );
  });
});
