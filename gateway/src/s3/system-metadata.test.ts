import { describe, expect, it } from '@jest/globals';
import { storedContentEncoding, systemMetadataOf, systemResponseHeaders } from './system-metadata.js';

describe('system metadata', () => {
  it('defaults the content type and the storage class, and stores only what was sent', () => {
    expect(systemMetadataOf({})).toEqual({ contentType: 'binary/octet-stream', storageClass: 'STANDARD', systemHeaders: {} });
  });

  it('strips only the aws-chunked token from Content-Encoding', () => {
    expect(storedContentEncoding('aws-chunked')).toBeUndefined();
    expect(storedContentEncoding('gzip,aws-chunked')).toBe('gzip');
    expect(storedContentEncoding('AWS-CHUNKED, br')).toBe('br');
    expect(storedContentEncoding('gzip')).toBe('gzip');
    expect(systemMetadataOf({ 'content-encoding': 'aws-chunked' }).systemHeaders).toEqual({});
  });

  it('keeps the other headers as sent and returns them, with a non-STANDARD class', () => {
    const system = systemMetadataOf({
      'content-type': 'text/plain',
      'cache-control': 'max-age=5',
      'content-disposition': 'inline',
      'content-language': 'en',
      expires: 'whenever',
      'x-amz-website-redirect-location': 'https://example.com/',
      'x-amz-storage-class': 'GLACIER_IR',
    });
    expect(systemResponseHeaders(system)).toEqual({
      'Content-Type': 'text/plain',
      'Cache-Control': 'max-age=5',
      'Content-Disposition': 'inline',
      'Content-Language': 'en',
      Expires: 'whenever',
      'x-amz-website-redirect-location': 'https://example.com/',
      'x-amz-storage-class': 'GLACIER_IR',
    });
    expect(systemResponseHeaders({ contentType: 'a/b', storageClass: 'STANDARD', systemHeaders: {} })).toEqual({ 'Content-Type': 'a/b' });
  });

  it('refuses a redirect location without /, http:// or https://', () => {
    for (const ok of ['/x', 'http://a', 'https://a']) expect(() => systemMetadataOf({ 'x-amz-website-redirect-location': ok })).not.toThrow();
    for (const bad of ['x', 'ftp://a', `/${'a'.repeat(2048)}`]) {
      expect(() => systemMetadataOf({ 'x-amz-website-redirect-location': bad })).toThrow(expect.objectContaining({ code: 'InvalidRedirectLocation', status: 400 }));
    }
  });
});
