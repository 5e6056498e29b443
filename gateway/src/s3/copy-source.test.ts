import { describe, expect, it } from '@jest/globals';
import { S3Error } from '../http/errors.js';
import { checkCopySourceConditions, parseCopySource, parseMetadataDirective } from './copy-source.js';

function failure(fn: () => unknown): { code: string; message: string; fields: Record<string, unknown> } | undefined {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof S3Error)) throw err;
    return { code: err.code, message: err.message, fields: err.fields };
  }
  return undefined;
}

describe('parseCopySource', () => {
  it.each([
    ['/bucket/key', 'key'],
    ['bucket/key', 'key'],
    ['bucket/dir/sub/key.txt', 'dir/sub/key.txt'],
    ['/bucket/a%20b%2Bc%3Fd%25e', 'a b+c?d%e'],
    ['bucket/caf%C3%A9/%E2%82%AC', 'café/€'],
    ['bucket/key?versionId=null', 'key'],
    ['bucket//double', '/double'],
  ])('%s names %s', (header, key) => {
    expect(parseCopySource(header)).toEqual({ bucket: 'bucket', key });
  });

  it.each(['bucket', 'bucket/', '/bucket/', '/', '', '/key-only-no-bucket'.slice(0, 1), 'bucket/%E2%82', 'bucket/%zz'])('%j is an invalid copy source', (header) => {
    expect(failure(() => parseCopySource(header))).toEqual({
      code: 'InvalidArgument', message: 'Invalid copy source object key', fields: { ArgumentName: 'x-amz-copy-source', ArgumentValue: header },
    });
  });

  it('refuses a version other than null', () => {
    expect(failure(() => parseCopySource('bucket/key?versionId=3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY'))).toMatchObject({ code: 'InvalidArgument', message: 'Invalid version id specified' });
  });
});

describe('parseMetadataDirective', () => {
  it('is COPY by default, and only COPY or REPLACE', () => {
    expect(parseMetadataDirective({})).toBe('COPY');
    expect(parseMetadataDirective({ 'x-amz-metadata-directive': 'REPLACE' })).toBe('REPLACE');
    expect(failure(() => parseMetadataDirective({ 'x-amz-metadata-directive': 'replace' }))).toMatchObject({ code: 'InvalidArgument', message: 'Unknown metadata directive.' });
  });
});

describe('checkCopySourceConditions (the order recorded against S3)', () => {
  const source = { etag: '8d777f385d3dfec8815d20f7496026dc', lastModified: '2026-01-01T12:00:00.500Z' };
  const now = new Date('2026-01-02T00:00:00Z');
  const at = (iso: string): string => new Date(iso).toUTCString();
  const condition = (headers: Record<string, string>): unknown => failure(() => checkCopySourceConditions(headers, source, now))?.fields.Condition;
  const before = at('2025-12-31T00:00:00Z');
  const after = at('2026-01-01T18:00:00Z');

  it('names the first failing header, in S3 order', () => {
    const all = { 'x-amz-copy-source-if-match': '"other"', 'x-amz-copy-source-if-unmodified-since': before, 'x-amz-copy-source-if-none-match': `"${source.etag}"`, 'x-amz-copy-source-if-modified-since': after };
    expect(condition(all)).toBe('x-amz-copy-source-If-Match');
    const { 'x-amz-copy-source-if-match': _m, ...noMatch } = all;
    expect(condition(noMatch)).toBe('x-amz-copy-source-If-Unmodified-Since');
    const { 'x-amz-copy-source-if-unmodified-since': _u, ...noUnmodified } = noMatch;
    expect(condition(noUnmodified)).toBe('x-amz-copy-source-If-None-Match');
    expect(condition({ 'x-amz-copy-source-if-modified-since': after })).toBe('x-amz-copy-source-If-Modified-Since');
  });

  it('is 412 PreconditionFailed', () => {
    expect(failure(() => checkCopySourceConditions({ 'x-amz-copy-source-if-match': 'nope' }, source, now))).toEqual({
      code: 'PreconditionFailed', message: 'At least one of the pre-conditions you specified did not hold', fields: { Condition: 'x-amz-copy-source-If-Match' },
    });
  });

  it('a true If-Match overrides a false If-Unmodified-Since', () => {
    expect(condition({ 'x-amz-copy-source-if-match': source.etag, 'x-amz-copy-source-if-unmodified-since': before })).toBeUndefined();
  });

  it('a false If-None-Match fails whatever If-Modified-Since says', () => {
    expect(condition({ 'x-amz-copy-source-if-none-match': source.etag, 'x-amz-copy-source-if-modified-since': before })).toBe('x-amz-copy-source-If-None-Match');
  });

  it('matches ETags with or without quotes, in lists, and *', () => {
    expect(condition({ 'x-amz-copy-source-if-match': source.etag })).toBeUndefined();
    expect(condition({ 'x-amz-copy-source-if-match': `"a", "${source.etag}"` })).toBeUndefined();
    expect(condition({ 'x-amz-copy-source-if-match': '*' })).toBeUndefined();
    expect(condition({ 'x-amz-copy-source-if-none-match': '*' })).toBe('x-amz-copy-source-If-None-Match');
    expect(condition({ 'x-amz-copy-source-if-none-match': '"etag123"', 'x-amz-copy-source-if-modified-since': before })).toBeUndefined();
  });

  it('compares dates at the second, as Last-Modified is sent', () => {
    const exactly = at('2026-01-01T12:00:00Z');
    expect(condition({ 'x-amz-copy-source-if-unmodified-since': exactly })).toBeUndefined();
    expect(condition({ 'x-amz-copy-source-if-modified-since': exactly })).toBe('x-amz-copy-source-If-Modified-Since');
    expect(condition({ 'x-amz-copy-source-if-modified-since': at('2026-01-01T11:59:59Z') })).toBeUndefined();
  });

  it('ignores an If-Modified-Since in the future and dates it cannot read', () => {
    expect(condition({ 'x-amz-copy-source-if-modified-since': at('2026-02-01T00:00:00Z') })).toBeUndefined();
    expect(condition({ 'x-amz-copy-source-if-modified-since': 'yesterday' })).toBeUndefined();
    expect(condition({ 'x-amz-copy-source-if-unmodified-since': 'soon' })).toBeUndefined();
  });
});
