import { describe, it, expect } from '@jest/globals';
import { S3Error } from '../http/errors.js';
import { verifyRequest } from './verify.js';
import { TEST_KEY, TEST_REGION, encodeKey, presign, rawQueryOf, testSigner } from './test-signer.js';
import type { AuthContext, SigV4Request } from './types.js';

const DATE = new Date('2025-03-01T12:00:00Z');
const minutes = (n: number) => new Date(DATE.getTime() + n * 60_000);

function ctx(now = DATE): AuthContext {
  return { now, region: TEST_REGION, lookup: (id) => (id === TEST_KEY.accessKeyId ? TEST_KEY : undefined) };
}

function errorOf(req: SigV4Request, context = ctx()): S3Error {
  try {
    verifyRequest(req, context, { service: 's3' });
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected verification to fail');
}

function withParam(req: SigV4Request, name: string, value: string | undefined): SigV4Request {
  const pieces = req.rawQuery.split('&').filter((p) => !p.startsWith(`${name}=`));
  if (value !== undefined) pieces.push(`${name}=${encodeURIComponent(value)}`);
  return { ...req, rawQuery: pieces.join('&') };
}

describe('presigned URLs from the AWS presigner', () => {
  it('accepts a valid GET with UNSIGNED-PAYLOAD', async () => {
    const req = await presign({ path: `/bucket/${encodeKey('dir/a b+c:d.txt')}`, date: DATE, expiresIn: 3600 });
    expect(verifyRequest(req, ctx(minutes(1)), { service: 's3' })).toEqual({
      signatureVersion: 4,
      accessKeyId: TEST_KEY.accessKeyId,
      service: 's3',
      payload: { kind: 'unsigned' },
      presigned: true,
    });
  });

  it('accepts the boto3 form, with UNSIGNED-PAYLOAD implied rather than in the query', async () => {
    const { HttpRequest } = await import('@smithy/protocol-http');
    const request = new HttpRequest({
      method: 'GET', protocol: 'http:', hostname: 'localhost', port: 9000, path: '/bucket/k',
      headers: { host: 'localhost:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    });
    const signed = await testSigner().presign(request, {
      signingDate: DATE,
      expiresIn: 600,
      unhoistableHeaders: new Set(['x-amz-content-sha256']),
      unsignableHeaders: new Set(['x-amz-content-sha256']),
    });
    const query = signed.query as Record<string, string>;
    expect(Object.keys(query)).not.toContain('X-Amz-Content-Sha256');
    const req = { method: 'GET', rawPath: '/bucket/k', rawQuery: rawQueryOf(query), headers: { host: 'localhost:9000' } };
    expect(verifyRequest(req, ctx(), { service: 's3' })?.payload).toEqual({ kind: 'unsigned' });
  });

  it('keeps its own query parameters under the signature', async () => {
    const req = await presign({ path: '/bucket/k', query: { 'response-content-type': 'text/plain', versionId: 'v 1' }, date: DATE, expiresIn: 600 });
    expect(verifyRequest(req, ctx(), { service: 's3' })).not.toBeNull();
    expect(errorOf(withParam(req, 'response-content-type', 'text/html')).code).toBe('SignatureDoesNotMatch');
  });

  it('is not subject to the 15-minute skew rule while within X-Amz-Expires', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 3600 });
    expect(verifyRequest(req, ctx(minutes(20)), { service: 's3' })).not.toBeNull();
    expect(verifyRequest(req, ctx(minutes(60)), { service: 's3' })).not.toBeNull();
  });

  it('expires after X-Amz-Expires with the AWS fields', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 600 });
    const err = errorOf(req, ctx(minutes(11)));
    expect(err.code).toBe('AccessDenied');
    expect(err.status).toBe(403);
    expect(err.message).toBe('Request has expired');
    expect(err.fields).toEqual({ 'X-Amz-Expires': '600', Expires: '2025-03-01T12:10:00Z', ServerTime: '2025-03-01T12:11:00Z' });
  });

  it('is not valid yet when dated more than 15 minutes ahead', async () => {
    const req = await presign({ path: '/bucket/k', date: minutes(20), expiresIn: 3600 });
    const err = errorOf(req);
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('Request is not valid yet');
    expect(verifyRequest(req, ctx(minutes(6)), { service: 's3' })).not.toBeNull();
  });

  it('refuses X-Amz-Expires above a week', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 604800 });
    expect(verifyRequest(req, ctx(), { service: 's3' })).not.toBeNull();
    const err = errorOf(withParam(req, 'X-Amz-Expires', '604801'));
    expect(err.code).toBe('AuthorizationQueryParametersError');
    expect(err.status).toBe(400);
    expect(err.message).toBe(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  });

  it('refuses X-Amz-Expires=0 as expired, even at the second it was signed or dated ahead', async () => {
    for (const signedAt of [DATE, minutes(5)]) {
      const req = await presign({ path: '/bucket/k', date: signedAt, expiresIn: 0 });
      expect(req.rawQuery).toContain('X-Amz-Expires=0');
      const err = errorOf(req);
      expect(err.code).toBe('AccessDenied');
      expect(err.status).toBe(403);
      expect(err.message).toBe('Request has expired');
      expect(err.fields['X-Amz-Expires']).toBe('0');
    }
  });

  it('refuses a negative X-Amz-Expires', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 600 });
    const err = errorOf(withParam(req, 'X-Amz-Expires', '-7'));
    expect(err.code).toBe('AuthorizationQueryParametersError');
    expect(err.status).toBe(400);
    expect(err.message).toBe('X-Amz-Expires must be non-negative');
  });

  it('accepts an unsigned x-amz-content-sha256 header, which is bound as the payload hash', async () => {
    const req = await presign({ method: 'PUT', path: '/bucket/k', date: DATE, expiresIn: 600 });
    expect(verifyRequest({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } }, ctx(), { service: 's3' })).not.toBeNull();
    const hash = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(errorOf({ ...req, headers: { ...req.headers, 'x-amz-content-sha256': hash } }).code).toBe('SignatureDoesNotMatch');
  });

  it('detects tampering with the path, the expiry or the signature', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 600 });
    expect(errorOf({ ...req, rawPath: '/bucket/other' }).code).toBe('SignatureDoesNotMatch');
    expect(errorOf(withParam(req, 'X-Amz-Expires', '3600'), ctx(minutes(20))).code).toBe('SignatureDoesNotMatch');
    expect(errorOf(withParam(req, 'X-Amz-Signature', '0'.repeat(64))).code).toBe('SignatureDoesNotMatch');
    expect(errorOf({ ...req, method: 'PUT' }).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses x-amz-* headers that are not signed', async () => {
    const req = await presign({ method: 'PUT', path: '/bucket/k', date: DATE, expiresIn: 600 });
    const err = errorOf({ ...req, headers: { ...req.headers, 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-acl': 'public-read' } });
    expect(err.code).toBe('AccessDenied');
    expect(err.message).toBe('There were headers present in the request which were not signed');
    expect(err.fields).toEqual({ HeadersNotSigned: 'x-amz-acl, x-amz-server-side-encryption' });
  });

  it('reports missing and malformed parameters as AWS does', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 600 });
    const missing = errorOf(withParam(req, 'X-Amz-SignedHeaders', undefined));
    expect(missing.code).toBe('AuthorizationQueryParametersError');
    expect(missing.message).toBe(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
    expect(errorOf(withParam(req, 'X-Amz-Algorithm', 'AWS4-HMAC-SHA1')).message).toBe('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
    expect(errorOf(withParam(req, 'X-Amz-Credential', 'nope')).message).toBe(
      'Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
    );
    expect(errorOf(withParam(req, 'X-Amz-Date', '2025-03-01')).code).toBe('AuthorizationQueryParametersError');
    expect(errorOf(withParam(req, 'X-Amz-Expires', 'soon')).message).toBe('X-Amz-Expires should be a number');
  });

  it('refuses another region with the query-parameter wording', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 600, signer: testSigner({ region: 'eu-central-1' }) });
    const err = errorOf(req);
    expect(err.code).toBe('AuthorizationQueryParametersError');
    expect(err.message).toBe("Error parsing the X-Amz-Credential parameter; the region 'eu-central-1' is wrong; expecting 'us-east-1'");
    expect(err.fields).toEqual({ Region: 'us-east-1' });
  });

  it('refuses an unknown key', async () => {
    const req = await presign({ path: '/bucket/k', date: DATE, expiresIn: 600 });
    expect(errorOf(req, { ...ctx(), lookup: () => undefined }).code).toBe('InvalidAccessKeyId');
  });
});
