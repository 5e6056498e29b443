import { createHash } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { parseSseRequest, refuseSseHeadersOnRead } from './sse-headers.js';
import { S3Error } from '../http/errors.js';

function errorOf(fn: () => unknown): S3Error | undefined {
  try {
    fn();
  } catch (err) {
    return err as S3Error;
  }
  return undefined;
}

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
  });

  it('refuses SSE headers on reads', () => {
    expect(codeOf(() => refuseSseHeadersOnRead({ 'x-amz-server-side-encryption': 'aws:kms' }))).toBe('InvalidArgument');
    expect(codeOf(() => refuseSseHeadersOnRead({ 'x-amz-server-side-encryption-aws-kms-key-id': 'k' }))).toBe('InvalidArgument');
    expect(codeOf(() => refuseSseHeadersOnRead({}))).toBe('none');
  });
});

describe('SSE-C request headers, checked as S3 checks them', () => {
  const ALGORITHM = 'x-amz-server-side-encryption-customer-algorithm';
  const KEY = 'x-amz-server-side-encryption-customer-key';
  const MD5 = 'x-amz-server-side-encryption-customer-key-md5';
  const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('base64');
  const customer = (key: Buffer): Record<string, string> => ({ [ALGORITHM]: 'AES256', [KEY]: key.toString('base64'), [MD5]: md5(key) });
  const good = customer(Buffer.alloc(32, 7));
  const provide = 'Requests specifying Server Side Encryption with Customer provided keys must provide ';

  it.each([
    ['beside aws:kms', { ...good, 'x-amz-server-side-encryption': 'aws:kms' }, 'InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', 'aws:kms'],
    ['beside AES256', { ...good, 'x-amz-server-side-encryption': 'AES256' }, 'InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', 'AES256'],
    ['beside a KMS key id', { ...good, 'x-amz-server-side-encryption-aws-kms-key-id': 'k' }, 'InvalidArgument', 'Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms', 'null'],
    ['without the algorithm', { [KEY]: good[KEY]!, [MD5]: good[MD5]! }, 'InvalidArgument', `${provide}a valid encryption algorithm.`, 'null'],
    ['with another algorithm', { ...good, [ALGORITHM]: 'AES128' }, 'InvalidEncryptionAlgorithmError', 'The Encryption request you specified is not valid. Supported value: AES256.', 'AES128'],
    ['without the key', { [ALGORITHM]: 'AES256', [MD5]: good[MD5]! }, 'InvalidArgument', `${provide}an appropriate secret key.`, 'null'],
    ['without the MD5', { [ALGORITHM]: 'AES256', [KEY]: good[KEY]! }, 'InvalidArgument', `${provide}the client calculated MD5 of the secret key.`, 'null'],
    ['with an MD5 of another key', { ...good, [MD5]: md5(Buffer.from('other')) }, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.', 'null'],
    // S3 compares the MD5 first: a short key with a wrong MD5 is an MD5 mismatch.
    ['with a 24-byte key and a wrong MD5', { ...customer(Buffer.alloc(24, 1)), [MD5]: good[MD5]! }, 'InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.', 'null'],
    ['with a 128-bit key', customer(Buffer.alloc(16, 1)), 'InvalidArgument', 'The secret key was invalid for the specified algorithm.', 'null'],
    ['with a 264-bit key', customer(Buffer.alloc(33, 1)), 'InvalidArgument', 'The secret key was invalid for the specified algorithm.', 'null'],
  ])('refuses SSE-C %s', (_name, headers, code, message, value) => {
    for (const parse of [parseSseRequest, refuseSseHeadersOnRead]) {
      // Reads refuse the SSE-S3/SSE-KMS headers themselves first.
      if (parse === refuseSseHeadersOnRead && Object.keys(headers).some((h) => !h.includes('customer'))) continue;
      const err = errorOf(() => parse(headers));
      expect(err).toMatchObject({ code, message, status: 400 });
      expect(err?.fields).toEqual({ ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: value });
    }
  });

  it('answers NotImplemented only to a well-formed SSE-C write, and InvalidRequest to a read', () => {
    expect(codeOf(() => parseSseRequest(good))).toBe('NotImplemented');
    expect(errorOf(() => refuseSseHeadersOnRead(good))).toMatchObject({ code: 'InvalidRequest', message: 'The encryption parameters are not applicable to this object.' });
  });
});
