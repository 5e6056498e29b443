import { describe, it, expect } from '@jest/globals';
import { createHash } from 'node:crypto';
import { S3Error } from '../http/errors.js';
import { verifyRequest } from './verify.js';
import { spacedHex } from './canonical.js';
import { TEST_KEY, TEST_REGION, encodeKey, signHeader, testSigner } from './test-signer.js';
import type { AuthContext, SigV4Request } from './types.js';

const DATE = new Date('2025-03-01T12:00:00Z');
const EMPTY_HASH = createHash('sha256').update('').digest('hex');

function ctx(now = DATE): AuthContext {
  return { now, region: TEST_REGION, lookup: (id) => (id === TEST_KEY.accessKeyId ? TEST_KEY : undefined) };
}

function errorOf(req: SigV4Request, context = ctx(), service: 's3' | 'kms' = 's3'): S3Error {
  try {
    verifyRequest(req, context, { service });
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected verification to fail');
}

const unsigned = { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };

describe('header auth against the AWS signer', () => {
  it('accepts a signed payload and reports its hash', async () => {
    const body = 'hello world';
    const hash = createHash('sha256').update(body).digest('hex');
    const req = await signHeader({ method: 'PUT', path: '/bucket/key.txt', headers: { 'x-amz-content-sha256': hash, 'content-type': 'text/plain' }, date: DATE });
    expect(verifyRequest(req, ctx(), { service: 's3' })).toEqual({
      signatureVersion: 4,
      accessKeyId: TEST_KEY.accessKeyId,
      service: 's3',
      payload: { kind: 'signed', sha256Hex: hash },
      presigned: false,
    });
  });

  it('accepts UNSIGNED-PAYLOAD', async () => {
    const req = await signHeader({ path: '/bucket/k', headers: unsigned, date: DATE });
    expect(verifyRequest(req, ctx(), { service: 's3' })?.payload).toEqual({ kind: 'unsigned' });
  });

  it.each([
    'with space and +plus',
    'a//b/../c/./d',
    'colon:semi;comma,eq=amp&',
    'ünïcødé ☃ 日本',
    'percent%20literal%',
    "sub-delims!'()*$@",
    'trailing/',
    '~tilde_under-dot.',
  ])('verifies odd key %j exactly as sent (no normalisation)', async (key) => {
    const path = `/bucket/${encodeKey(key)}`;
    const req = await signHeader({ method: 'PUT', path, headers: unsigned, date: DATE });
    expect(verifyRequest(req, ctx(), { service: 's3' })?.accessKeyId).toBe(TEST_KEY.accessKeyId);
  });

  it('treats a normalised path as a different request', async () => {
    const req = await signHeader({ path: '/bucket/a//b/../c', headers: unsigned, date: DATE });
    expect(errorOf({ ...req, rawPath: '/bucket/a/c' }).code).toBe('SignatureDoesNotMatch');
  });

  it('re-encodes characters a client left unencoded on the wire, as S3 does', async () => {
    const req = await signHeader({ path: '/bucket/a%3Ab%21c', headers: unsigned, date: DATE }, { rawPath: '/bucket/a:b!c' });
    expect(verifyRequest(req, ctx(), { service: 's3' })).not.toBeNull();
  });

  it('keeps an encoded slash distinct from a path separator', async () => {
    const req = await signHeader({ path: '/bucket/a%2Fb', headers: unsigned, date: DATE });
    expect(verifyRequest(req, ctx(), { service: 's3' })).not.toBeNull();
    expect(errorOf({ ...req, rawPath: '/bucket/a/b' }).code).toBe('SignatureDoesNotMatch');
  });

  it('handles valueless and encoded query parameters', async () => {
    const req = await signHeader(
      { method: 'POST', path: '/bucket/key', query: { uploads: '' }, headers: unsigned, date: DATE },
      { rawQuery: 'uploads' },
    );
    expect(verifyRequest(req, ctx(), { service: 's3' })).not.toBeNull();
    const list = await signHeader(
      { path: '/bucket', query: { 'list-type': '2', prefix: 'a b/c+d', delimiter: '/', 'encoding-type': 'url' }, headers: unsigned, date: DATE },
      { rawQuery: 'prefix=a%20b/c%2Bd&list-type=2&delimiter=%2F&encoding-type=url' },
    );
    expect(verifyRequest(list, ctx(), { service: 's3' })).not.toBeNull();
    expect(errorOf({ ...list, rawQuery: 'prefix=a%20b/c%2Bd&list-type=1&delimiter=%2F&encoding-type=url' }).code).toBe('SignatureDoesNotMatch');
  });

  it('joins repeated headers with commas and collapses inner spaces', async () => {
    const req = await signHeader({ method: 'PUT', path: '/b/k', headers: { ...unsigned, 'x-amz-meta-list': 'a,b', 'x-amz-meta-sp': 'x   y' }, date: DATE });
    const headers = { ...req.headers, 'x-amz-meta-list': ['a', 'b'], 'x-amz-meta-sp': '  x y ' };
    expect(verifyRequest({ ...req, headers }, ctx(), { service: 's3' })).not.toBeNull();
  });

  it('rejects a wrong secret with the AWS SignatureDoesNotMatch document', async () => {
    const req = await signHeader({ path: '/bucket/k', headers: unsigned, date: DATE, signer: testSigner({ secret: 'wrong' }) });
    const err = errorOf(req);
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.status).toBe(403);
    expect(Object.keys(err.fields)).toEqual([
      'AWSAccessKeyId',
      'StringToSign',
      'SignatureProvided',
      'StringToSignBytes',
      'CanonicalRequest',
      'CanonicalRequestBytes',
    ]);
    expect(err.fields.AWSAccessKeyId).toBe(TEST_KEY.accessKeyId);
    expect(String(err.fields.StringToSign)).toMatch(/^AWS4-HMAC-SHA256\n20250301T120000Z\n20250301\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
    expect(String(err.fields.StringToSignBytes).startsWith('41 57 53 34 2d 48 4d 41 43')).toBe(true);
    expect(String(err.fields.CanonicalRequest)).toBe(
      ['GET', '/bucket/k', '', 'host:localhost:9000', 'x-amz-content-sha256:UNSIGNED-PAYLOAD', 'x-amz-date:20250301T120000Z', '', 'host;x-amz-content-sha256;x-amz-date', 'UNSIGNED-PAYLOAD'].join('\n'),
    );
  });

  it('rejects a tampered header value or method', async () => {
    const req = await signHeader({ method: 'PUT', path: '/b/k', headers: { ...unsigned, 'x-amz-server-side-encryption': 'aws:kms' }, date: DATE });
    expect(errorOf({ ...req, headers: { ...req.headers, 'x-amz-server-side-encryption': 'AES256' } }).code).toBe('SignatureDoesNotMatch');
    expect(errorOf({ ...req, method: 'DELETE' }).code).toBe('SignatureDoesNotMatch');
    expect(errorOf({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': EMPTY_HASH } }).code).toBe('SignatureDoesNotMatch');
  });

  it.each([
    ['x-amz-server-side-encryption-aws-kms-key-id', 'alias/attacker'],
    ['x-amz-server-side-encryption-context', 'eyJhIjoiYiJ9'],
    ['x-amz-meta-added', 'later'],
    ['x-amz-checksum-crc32', 'AAAAAA=='],
  ])('refuses a captured request with an unsigned %s added', async (name, value) => {
    const req = await signHeader({ method: 'PUT', path: '/b/k', headers: { ...unsigned, 'x-amz-server-side-encryption': 'aws:kms' }, date: DATE });
    const err = errorOf({ ...req, headers: { ...req.headers, [name]: value } });
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    expect(err.message).toBe('There were headers present in the request which were not signed');
    expect(err.fields).toEqual({ HeadersNotSigned: name });
  });

  it('lists every unsigned x-amz-* header, and leaves x-amzn-trace-id and x-amz-content-sha256 alone', async () => {
    const req = await signHeader(
      { method: 'PUT', path: '/b/k', headers: { ...unsigned, 'x-amzn-trace-id': 'Root=1-abc' }, date: DATE },
      undefined,
      { unsignableHeaders: new Set(['x-amz-content-sha256', 'x-amzn-trace-id']) },
    );
    expect(String(req.headers.authorization)).not.toContain('x-amz-content-sha256');
    expect(verifyRequest(req, ctx(), { service: 's3' })?.payload).toEqual({ kind: 'unsigned' });
    const err = errorOf({ ...req, headers: { ...req.headers, 'x-amz-tagging': 'a=b', 'x-amz-acl': 'public-read' } });
    expect(err.fields).toEqual({ HeadersNotSigned: 'x-amz-acl, x-amz-tagging' });
  });

  it('verifies non-ASCII header values over the bytes the client sent, as SDKs sign them', async () => {
    for (const value of ['Hello World\u00e9', '\u65e5\u672c\u8a9e \u2603']) {
      const req = await signHeader({ method: 'PUT', path: '/b/k', headers: { ...unsigned, 'x-amz-meta-meta1': value }, date: DATE });
      expect(req.headers['x-amz-meta-meta1']).toBe(Buffer.from(value, 'utf8').toString('latin1'));
      expect(verifyRequest(req, ctx(), { service: 's3' })).not.toBeNull();
    }
    // The same text sent as latin1 (what Node's http client does with a JS string) is other bytes.
    const req = await signHeader({ method: 'PUT', path: '/b/k', headers: { ...unsigned, 'x-amz-meta-meta1': 'Hello World\u00e9' }, date: DATE });
    const err = errorOf({ ...req, headers: { ...req.headers, 'x-amz-meta-meta1': 'Hello World\u00e9' } });
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(String(err.fields.CanonicalRequest)).toContain('x-amz-meta-meta1:Hello World\ufffd\n');
    expect(String(err.fields.CanonicalRequestBytes)).toContain(spacedHex('x-amz-meta-meta1:Hello World').concat(' e9 0a'));
  });

  it('rejects an unknown access key', async () => {
    const req = await signHeader({ path: '/b/k', headers: unsigned, date: DATE });
    const err = errorOf(req, { ...ctx(), lookup: () => undefined });
    expect(err.code).toBe('InvalidAccessKeyId');
    expect(err.status).toBe(403);
    expect(err.fields).toEqual({ AWSAccessKeyId: TEST_KEY.accessKeyId });
  });

  it('rejects clock skew over 15 minutes with the AWS fields, and allows less', async () => {
    const req = await signHeader({ path: '/b/k', headers: unsigned, date: DATE });
    expect(verifyRequest(req, ctx(new Date(DATE.getTime() + 14 * 60_000)), { service: 's3' })).not.toBeNull();
    const err = errorOf(req, ctx(new Date(DATE.getTime() + 16 * 60_000)));
    expect(err.code).toBe('RequestTimeTooSkewed');
    expect(err.status).toBe(403);
    expect(err.fields).toEqual({ RequestTime: '20250301T120000Z', ServerTime: '2025-03-01T12:16:00Z', MaxAllowedSkewMilliseconds: 900000 });
    expect(errorOf(req, ctx(new Date(DATE.getTime() - 16 * 60_000))).code).toBe('RequestTimeTooSkewed');
  });

  it('rejects another region, naming the expected one', async () => {
    const req = await signHeader({ path: '/b/k', headers: unsigned, date: DATE, signer: testSigner({ region: 'eu-west-1' }) });
    const err = errorOf(req);
    expect(err.code).toBe('AuthorizationHeaderMalformed');
    expect(err.status).toBe(400);
    expect(err.message).toBe("The authorization header is malformed; the region 'eu-west-1' is wrong; expecting 'us-east-1'");
    expect(err.fields).toEqual({ Region: 'us-east-1' });
  });

  it('rejects a credential for another service', async () => {
    const req = await signHeader({ path: '/b/k', headers: unsigned, date: DATE, signer: testSigner({ service: 'kms' }) });
    expect(errorOf(req).message).toBe('The authorization header is malformed; incorrect service "kms". This endpoint belongs to "s3".');
  });

  it('requires x-amz-content-sha256 for S3', async () => {
    const req = await signHeader({ path: '/b/k', date: DATE });
    delete req.headers['x-amz-content-sha256']; // the AWS signer adds it for S3; some clients do not
    const err = errorOf(req);
    expect(err.code).toBe('InvalidRequest');
    expect(err.message).toBe('Missing required header for this request: x-amz-content-sha256');
  });

  it('rejects an unknown x-amz-content-sha256 value', async () => {
    const req = await signHeader({ path: '/b/k', headers: { 'x-amz-content-sha256': 'nonsense' }, date: DATE });
    const err = errorOf(req);
    expect(err.code).toBe('InvalidArgument');
    expect(err.fields).toEqual({ ArgumentName: 'x-amz-content-sha256', ArgumentValue: 'nonsense' });
  });

  it('reports streaming modes with the seed signature', async () => {
    const req = await signHeader({
      method: 'PUT',
      path: '/b/k',
      headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', 'x-amz-trailer': 'x-amz-checksum-crc32' },
      date: DATE,
    });
    const auth = verifyRequest(req, ctx(), { service: 's3' });
    expect(auth?.payload).toEqual({ kind: 'streaming-signed', trailer: true });
    expect(auth?.streaming?.seedSignature).toMatch(/^[0-9a-f]{64}$/);
    expect(auth?.streaming?.scope).toBe('20250301/us-east-1/s3/aws4_request');
    const unsignedTrailer = await signHeader({
      method: 'PUT',
      path: '/b/k',
      headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'x-amz-trailer': 'x-amz-checksum-crc32' },
      date: DATE,
    });
    expect(verifyRequest(unsignedTrailer, ctx(), { service: 's3' })?.payload).toEqual({ kind: 'streaming-unsigned-trailer' });
  });

  it('verifies a KMS request: canonical URI "/", body hash supplied by the caller', async () => {
    const body = '{"KeyId":"alias/aws/s3"}';
    const signer = testSigner({ service: 'kms' });
    const req = await signHeader({
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
      date: DATE,
      signer,
    });
    // The smithy signer hashes the (empty) HttpRequest body; sign again with the real body.
    const { HttpRequest } = await import('@smithy/protocol-http');
    const signed = await signer.sign(
      new HttpRequest({
        method: 'POST', protocol: 'http:', hostname: 'localhost', port: 9000, path: '/',
        headers: { host: 'localhost:9000', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey' },
        body,
      }),
      { signingDate: DATE },
    );
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const hash = createHash('sha256').update(body).digest('hex');
    const kmsReq = { method: 'POST', rawPath: '/', rawQuery: '', headers: { ...headers, 'x-amz-content-sha256': hash } };
    expect(verifyRequest(kmsReq, ctx(), { service: 'kms' })).toMatchObject({ service: 'kms', payload: { kind: 'signed', sha256Hex: hash } });
    const otherBody = createHash('sha256').update('{}').digest('hex');
    expect(errorOf({ ...kmsReq, headers: { ...kmsReq.headers, 'x-amz-content-sha256': otherBody } }, ctx(), 'kms').code).toBe('SignatureDoesNotMatch');
    expect(errorOf({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': hash } }, ctx(), 's3').code).toBe('AuthorizationHeaderMalformed');
    // An unsigned operation name would let a captured DescribeKey be replayed as DisableKey.
    const swapped = { ...kmsReq, headers: { ...kmsReq.headers, 'x-amz-target': 'TrentService.DisableKey', authorization: String(headers.authorization).replace(';x-amz-target', '') } };
    expect(errorOf(swapped, ctx(), 'kms').fields).toEqual({ HeadersNotSigned: 'x-amz-target' });
  });
});

describe('header parsing and mechanism selection', () => {
  const base: SigV4Request = { method: 'GET', rawPath: '/b/k', rawQuery: '', headers: { host: 'h', 'x-amz-date': '20250301T120000Z', ...unsigned } };
  const withAuth = (authorization: string): SigV4Request => ({ ...base, headers: { ...base.headers, authorization } });

  it('returns null for anonymous requests', () => {
    expect(verifyRequest(base, ctx(), { service: 's3' })).toBeNull();
  });

  it('rejects malformed Authorization headers', () => {
    const three = 'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.';
    expect(errorOf(withAuth('AWS4-HMAC-SHA256 Credential=AKID/20250301/us-east-1/s3/aws4_request')).message).toBe(three);
    expect(errorOf(withAuth('AWS4-HMAC-SHA256 Credential=a/b, SignedHeaders=host, Signature=00')).message).toBe(
      'The authorization header is malformed; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
    expect(errorOf(withAuth('AWS4-HMAC-SHA256 Credential=AKID/20250301/us-east-1/s3/aws5_request, SignedHeaders=host, Signature=00')).message).toBe(
      'The authorization header is malformed; incorrect terminal "aws5_request". This endpoint uses "aws4_request".',
    );
    const odd = errorOf(withAuth('Bearer abc'));
    expect(odd.code).toBe('InvalidArgument');
    expect(odd.fields).toEqual({ ArgumentName: 'Authorization', ArgumentValue: 'Bearer abc' });
    expect(errorOf(withAuth('AWS AKID:c2ln')).code).toBe('InvalidRequest');
  });

  it('accepts components without spaces after the commas', () => {
    const err = errorOf(withAuth(`AWS4-HMAC-SHA256 Credential=${TEST_KEY.accessKeyId}/20250301/us-east-1/s3/aws4_request,SignedHeaders=host;x-amz-content-sha256;x-amz-date,Signature=${'0'.repeat(64)}`));
    expect(err.code).toBe('SignatureDoesNotMatch');
  });

  it('requires a request date and a matching scope date', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${TEST_KEY.accessKeyId}/20250301/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`;
    const noDate = { ...base, headers: { host: 'h', ...unsigned, authorization: auth } };
    const err = errorOf(noDate);
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('AWS authentication requires a valid Date or x-amz-date header');
    const otherDay = { ...base, headers: { ...base.headers, 'x-amz-date': '20250302T000000Z', authorization: auth } };
    expect(errorOf(otherDay).code).toBe('AuthorizationHeaderMalformed');
  });

  it('requires host to be signed', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${TEST_KEY.accessKeyId}/20250301/us-east-1/s3/aws4_request, SignedHeaders=x-amz-date, Signature=${'0'.repeat(64)}`;
    const err = errorOf(withAuth(auth));
    expect(err.code).toBe('AccessDenied');
    expect(err.fields).toEqual({ HeadersNotSigned: 'host' });
  });

  it('refuses header and query auth in one request', () => {
    const req = { ...withAuth('AWS4-HMAC-SHA256 x'), rawQuery: 'X-Amz-Algorithm=AWS4-HMAC-SHA256' };
    const err = errorOf(req);
    expect(err.code).toBe('InvalidArgument');
    expect(err.message).toBe(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
    );
    expect(err.fields.ArgumentName).toBe('Authorization');
  });
});
