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

describe('virtual-hosted-style targets', () => {
  const domain = 's3.example.test';

  it('takes the bucket from the Host and the whole path as the key', () => {
    expect(parseS3Target('/a//../c?acl', { host: 'my.bucket.s3.example.test:9000', domain })).toMatchObject({
      bucket: 'my.bucket', key: 'a//../c', rawPath: '/a//../c', rawQuery: 'acl',
    });
    expect(parseS3Target('/', { host: 'b.S3.Example.Test', domain })).toMatchObject({ bucket: 'b', key: '' });
    expect(parseS3Target('//lead', { host: 'b.s3.example.test', domain }).key).toBe('/lead');
  });

  it('stays path style for the bare domain, other hosts, or no domain configured', () => {
    expect(parseS3Target('/b/k', { host: 's3.example.test:9000', domain })).toMatchObject({ bucket: 'b', key: 'k' });
    expect(parseS3Target('/b/k', { host: '127.0.0.1:9000', domain })).toMatchObject({ bucket: 'b', key: 'k' });
    expect(parseS3Target('/b/k', { host: 'x.s3.example.test' })).toMatchObject({ bucket: 'b', key: 'k' });
    expect(parseS3Target('/b/k', { host: 'evil-s3.example.test', domain })).toMatchObject({ bucket: 'b', key: 'k' });
  });
});
