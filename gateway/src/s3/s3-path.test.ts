import { describe, it, expect } from '@jest/globals';
import { parseS3Target } from './s3-path.js';

describe('path-style targets', () => {
  it('splits service, bucket and object targets', () => {
    expect(parseS3Target('/')).toMatchObject({ bucket: '', key: '' });
    expect(parseS3Target('/b')).toMatchObject({ bucket: 'b', key: '' });
    expect(parseS3Target('/b/')).toMatchObject({ bucket: 'b', key: '' });
    expect(parseS3Target('/b/k?x-id=PutObject')).toMatchObject({ bucket: 'b', key: 'k', rawQuery: 'x-id=PutObject' });
  });

  it('keeps odd keys literally and decodes percent escapes once', () => {
    expect(parseS3Target('/b/a//../c/').key).toBe('a//../c/');
    expect(parseS3Target('/b/sp%20ace%2Bplus+%25').key).toBe('sp ace+plus+%');
    expect(parseS3Target('/b/%E2%9C%93').key).toBe('✓');
  });

  it('refuses keys over 1024 UTF-8 bytes', () => {
    expect(parseS3Target(`/b/${'é'.repeat(512)}`).key).toHaveLength(512);
    expect(() => parseS3Target(`/b/${'é'.repeat(512)}x`)).toThrow(expect.objectContaining({ code: 'KeyTooLongError' }));
  });

  it('refuses malformed escapes', () => {
    expect(() => parseS3Target('/b/%E2%9C')).toThrow(/percent-encoded/);
  });
});
