import { describe, expect, it } from '@jest/globals';
import { canonicalEncryptionContext } from './context.js';

describe('canonicalEncryptionContext', () => {
  it('is {} for undefined and empty', () => {
    expect(canonicalEncryptionContext(undefined).toString()).toBe('{}');
    expect(canonicalEncryptionContext({}).toString()).toBe('{}');
  });

  it('sorts keys and has no whitespace', () => {
    expect(canonicalEncryptionContext({ b: '2', a: '1', 'aws:s3:arn': 'arn:aws:s3:::b/k' }).toString()).toBe(
      '{"a":"1","aws:s3:arn":"arn:aws:s3:::b/k","b":"2"}',
    );
  });

  it('does not let key/value boundaries collide', () => {
    expect(canonicalEncryptionContext({ ab: 'c' }).equals(canonicalEncryptionContext({ a: 'bc' }))).toBe(false);
  });

  it('sorts by code point, not UTF-16 unit (astral vs U+FF5E)', () => {
    // U+1F600 is a surrogate pair starting 0xD83D, which sorts before U+FF5E in UTF-16 order.
    const out = canonicalEncryptionContext({ '\u{1F600}': 'x', '\uFF5E': 'y' }).toString('utf8');
    expect(out).toBe('{"\uFF5E":"y","\u{1F600}":"x"}');
  });

  it('escapes quotes and control characters as JSON', () => {
    expect(canonicalEncryptionContext({ 'k"': 'v\n' }).toString()).toBe('{"k\\"":"v\\n"}');
  });

  it('rejects non-string values', () => {
    expect(() => canonicalEncryptionContext({ a: 1 as unknown as string })).toThrow('must be a string');
  });
});
