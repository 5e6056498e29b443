import { describe, it, expect } from '@jest/globals';
import { parseSseRequest, refuseSseHeadersOnRead } from './sse-headers.js';
import { S3Error } from '../http/errors.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as S3Error).code;
  }
  return 'none';
}

describe('SSE request headers', () => {
  it('defaults to SSE-S3 and to the AWS managed key for aws:kms', () => {
    expect(parseSseRequest({})).toEqual({ sse: 'AES256' });
    expect(parseSseRequest({ 'x-amz-server-side-encryption': 'AES256' })).toEqual({ sse: 'AES256' });
    expect(parseSseRequest({ 'x-amz-server-side-encryption': 'aws:kms' })).toEqual({ sse: 'aws:kms', keyId: 'alias/aws/s3', contextHeader: undefined });
    expect(parseSseRequest({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/x', 'x-amz-server-side-encryption-context': 'e30=' }))
      .toEqual({ sse: 'aws:kms', keyId: 'alias/x', contextHeader: 'e30=' });
  });

  it('refuses a key id or context without aws:kms, unknown algorithms and SSE-C', () => {
    expect(codeOf(() => parseSseRequest({ 'x-amz-server-side-encryption-aws-kms-key-id': 'k' }))).toBe('InvalidArgument');
    expect(codeOf(() => parseSseRequest({ 'x-amz-server-side-encryption': 'AES256', 'x-amz-server-side-encryption-aws-kms-key-id': 'k' }))).toBe('InvalidArgument');
    expect(codeOf(() => parseSseRequest({ 'x-amz-server-side-encryption-context': 'e30=' }))).toBe('InvalidArgument');
    expect(codeOf(() => parseSseRequest({ 'x-amz-server-side-encryption': 'rot13' }))).toBe('InvalidArgument');
    expect(codeOf(() => parseSseRequest({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }))).toBe('NotImplemented');
  });

  it('refuses SSE headers on reads', () => {
    expect(codeOf(() => refuseSseHeadersOnRead({ 'x-amz-server-side-encryption': 'aws:kms' }))).toBe('InvalidArgument');
    expect(codeOf(() => refuseSseHeadersOnRead({ 'x-amz-server-side-encryption-aws-kms-key-id': 'k' }))).toBe('InvalidArgument');
    expect(codeOf(() => refuseSseHeadersOnRead({}))).toBe('none');
  });
});
