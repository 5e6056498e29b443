/**
 * SigV2 verification. The signatures below were made by botocore's own SigV2 signers
 * (HmacV1Auth, HmacV1QueryAuth), an independent implementation: known answers, not our output.
 */
import { describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { parseRawQuery } from './canonical.js';
import { canonicalResource, stringToSignV2 } from './sigv2-canonical.js';
import { requireSigV4ForKms } from './sigv2.js';
import { verifyPostPolicy, verifyRequest } from './verify.js';
import type { AuthContext, SigV4Request, VerifyOptions } from './types.js';
import { s3ErrorThrownBy } from '../http/testing/s3-error.js';

const KEY = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SIGNED_AT = new Date('2007-03-27T19:36:42Z');
const ON: VerifyOptions = { service: 's3', sigv2: true };

function ctx(now = SIGNED_AT): AuthContext {
  return { now, region: 'us-east-1', lookup: (id) => (id === KEY.accessKeyId ? KEY : undefined) };
}

/** Header values as Node hands them over: latin1, one character per byte sent. */
function wire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** botocore: PUT with Content-MD5, Content-Type, a UTF-8 x-amz-meta value, two sub-resources and a plain parameter. */
const put: SigV4Request = {
  method: 'PUT',
  rawPath: '/bucket/photos/puppy%20%E2%82%AC.jpg',
  rawQuery: 'partNumber=2&uploadId=abc%2Fdef&prefix=x',
  headers: {
    host: ['127.0.0.1:9000'],
    'content-md5': ['XrY7u+Ae7tCTyyK7j1rNww=='],
    'content-type': ['image/jpeg'],
    date: ['Tue, 27 Mar 2007 19:36:42 +0000'],
    'x-amz-meta-name': [wire(' café ')],
    'x-amz-server-side-encryption': ['AES256'],
    authorization: ['AWS AKIDEXAMPLE:jvApRqvhXJVHnXBIMf/qBC8rgzU='],
  },
};

describe('SigV2 string to sign', () => {
  it('is the one botocore signs: x-amz-* headers sorted and trimmed, sub-resources sorted and decoded, other parameters left out', () => {
    const resource = canonicalResource(put.rawPath, parseRawQuery(put.rawQuery));
    const text = stringToSignV2({ method: 'PUT', headers: put.headers, dateLine: 'Tue, 27 Mar 2007 19:36:42 +0000', resource });
    expect(text).toEqual(
      Buffer.from(
        'PUT\nXrY7u+Ae7tCTyyK7j1rNww==\nimage/jpeg\nTue, 27 Mar 2007 19:36:42 +0000\nx-amz-meta-name:café\n' +
          'x-amz-server-side-encryption:AES256\n/bucket/photos/puppy%20%E2%82%AC.jpg?partNumber=2&uploadId=abc/def',
        'utf8',
      ),
    );
  });

  it('puts the bucket of a virtual-hosted request before the path', () => {
    expect(canonicalResource('/', parseRawQuery('acl'), 'bucket')).toBe('/bucket/?acl');
    expect(canonicalResource('/k', parseRawQuery('list-type=2&max-keys=5'), 'bucket')).toBe('/bucket/k');
  });
});

describe('SigV2 header auth', () => {
  it('accepts botocore signatures, path style and virtual-hosted, with the body taken as sent', () => {
    expect(verifyRequest(put, ctx(), ON)).toEqual({ signatureVersion: 2, accessKeyId: KEY.accessKeyId, service: 's3', payload: { kind: 'unsigned' }, presigned: false });
    const vhost: SigV4Request = {
      method: 'GET', rawPath: '/', rawQuery: 'acl', virtualHostBucket: 'bucket',
      headers: { host: ['bucket.s3.localhost:9000'], date: ['Tue, 27 Mar 2007 19:36:42 +0000'], authorization: ['AWS AKIDEXAMPLE:df3sCYH/UI50IM4zeWPQ9E9LNv4='] },
    };
    expect(verifyRequest(vhost, ctx(), ON)?.signatureVersion).toBe(2);
  });

  it('signs every x-amz-* header: one added or changed afterwards breaks the signature', () => {
    const added = s3ErrorThrownBy(() => verifyRequest({ ...put, headers: { ...put.headers, 'x-amz-server-side-encryption-aws-kms-key-id': ['alias/x'] } }, ctx(), ON));
    expect(added.code).toBe('SignatureDoesNotMatch');
    expect(added.fields.StringToSign).toContain('x-amz-server-side-encryption-aws-kms-key-id:alias/x\n');
    expect(added.fields).toMatchObject({ AWSAccessKeyId: KEY.accessKeyId, SignatureProvided: 'jvApRqvhXJVHnXBIMf/qBC8rgzU=' });
    expect(added.fields.StringToSignBytes).toMatch(/^50 55 54 0a /);
    expect(added.fields.CanonicalRequest).toBeUndefined();
    const changed = s3ErrorThrownBy(() => verifyRequest({ ...put, headers: { ...put.headers, 'x-amz-server-side-encryption': ['aws:kms'] } }, ctx(), ON));
    expect(changed.code).toBe('SignatureDoesNotMatch');
  });

  it('signs the sub-resources: the same signature does not serve another operation', () => {
    expect(s3ErrorThrownBy(() => verifyRequest({ ...put, rawQuery: 'partNumber=3&uploadId=abc%2Fdef' }, ctx(), ON)).code).toBe('SignatureDoesNotMatch');
    expect(verifyRequest({ ...put, rawQuery: 'partNumber=2&uploadId=abc%2Fdef&prefix=other' }, ctx(), ON)).not.toBeNull();
  });

  it('refuses malformed headers with the texts S3 sends', () => {
    const withAuth = (value: string) => ({ ...put, headers: { ...put.headers, authorization: [value] } });
    expect(s3ErrorThrownBy(() => verifyRequest(withAuth('AWS  AKIDEXAMPLE:sig'), ctx(), ON))).toMatchObject({
      code: 'InvalidArgument', message: "Authorization header is invalid -- one and only one ' ' (space) required",
    });
    for (const value of ['AWS AKIDEXAMPLE', 'AWS AKIDEXAMPLE:', 'AWS AKIDEXAMPLE:a:b']) {
      expect(s3ErrorThrownBy(() => verifyRequest(withAuth(value), ctx(), ON))).toMatchObject({
        code: 'InvalidArgument', message: 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature', fields: { ArgumentName: 'Authorization', ArgumentValue: value },
      });
    }
    expect(s3ErrorThrownBy(() => verifyRequest(withAuth('AWS NOBODY:c2ln'), ctx(), ON))).toMatchObject({ code: 'InvalidAccessKeyId', fields: { AWSAccessKeyId: 'NOBODY' } });
  });

  it('needs a date within 15 minutes; x-amz-date wins over Date and empties the date line', () => {
    const { date: _date, ...noDate } = put.headers;
    expect(s3ErrorThrownBy(() => verifyRequest({ ...put, headers: noDate }, ctx(), ON))).toMatchObject({ code: 'AccessDenied', message: 'AWS authentication requires a valid Date or x-amz-date header' });
    expect(s3ErrorThrownBy(() => verifyRequest(put, ctx(new Date(SIGNED_AT.getTime() + 16 * 60_000)), ON))).toMatchObject({
      code: 'RequestTimeTooSkewed', fields: { RequestTime: 'Tue, 27 Mar 2007 19:36:42 +0000', MaxAllowedSkewMilliseconds: 900000 },
    });
    expect(verifyRequest(put, ctx(new Date(SIGNED_AT.getTime() + 14 * 60_000)), ON)).not.toBeNull();
    const amz = { ...noDate, 'x-amz-date': ['Tue, 27 Mar 2007 19:36:42 +0000'] };
    const resource = canonicalResource(put.rawPath, parseRawQuery(put.rawQuery));
    const signature = createHmac('sha1', KEY.secretAccessKey).update(stringToSignV2({ method: 'PUT', headers: amz, dateLine: '', resource })).digest('base64');
    expect(verifyRequest({ ...put, headers: { ...amz, authorization: [`AWS AKIDEXAMPLE:${signature}`] } }, ctx(), ON)).not.toBeNull();
  });

  it('is refused as an unsupported mechanism when SigV2 is off, and always for KMS', () => {
    for (const opts of [{ service: 's3' as const, sigv2: false }, { service: 's3' as const }, { service: 'kms' as const, sigv2: true }]) {
      expect(s3ErrorThrownBy(() => verifyRequest(put, ctx(), opts))).toMatchObject({
        code: 'InvalidRequest', status: 400, message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      });
    }
  });
});

describe('SigV2 presigned URLs', () => {
  // botocore HmacV1QueryAuth, Expires=1175139620 (2007-03-29T03:40:20Z).
  const presigned: SigV4Request = {
    method: 'GET',
    rawPath: '/bucket/key',
    rawQuery: 'response-content-type=text%2Fplain&AWSAccessKeyId=AKIDEXAMPLE&Signature=kY4GsS%2FQePsp1%2BTY7lSBefnuH08%3D&Expires=1175139620',
    headers: { host: ['127.0.0.1:9000'] },
  };

  it('accepts a botocore URL until Expires, however far ahead that is', () => {
    expect(verifyRequest(presigned, ctx(), ON)).toMatchObject({ signatureVersion: 2, presigned: true, payload: { kind: 'unsigned' } });
    expect(verifyRequest(presigned, ctx(new Date('2007-03-29T03:40:20Z')), ON)).not.toBeNull();
  });

  it('takes a + left unencoded in the signature as the + it was', () => {
    expect(verifyRequest({ ...presigned, rawQuery: presigned.rawQuery.replace('%2B', '+') }, ctx(), ON)).not.toBeNull();
  });

  it('refuses an expired URL, a tampered one, and missing or malformed parameters', () => {
    expect(s3ErrorThrownBy(() => verifyRequest(presigned, ctx(new Date('2007-03-29T03:40:21Z')), ON))).toMatchObject({
      code: 'AccessDenied', message: 'Request has expired', fields: { Expires: '2007-03-29T03:40:20Z', ServerTime: '2007-03-29T03:40:21Z' },
    });
    expect(s3ErrorThrownBy(() => verifyRequest({ ...presigned, rawQuery: presigned.rawQuery.replace('text%2Fplain', 'text%2Fhtml') }, ctx(), ON)).code).toBe('SignatureDoesNotMatch');
    expect(s3ErrorThrownBy(() => verifyRequest({ ...presigned, headers: { ...presigned.headers, 'x-amz-meta-added': ['1'] } }, ctx(), ON)).code).toBe('SignatureDoesNotMatch');
    expect(s3ErrorThrownBy(() => verifyRequest({ ...presigned, rawQuery: 'Signature=abc&Expires=1175139620' }, ctx(), ON))).toMatchObject({
      code: 'AccessDenied', message: 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters',
    });
    expect(s3ErrorThrownBy(() => verifyRequest({ ...presigned, rawQuery: 'AWSAccessKeyId=AKIDEXAMPLE&Signature=abc&Expires=soon' }, ctx(), ON))).toMatchObject({
      code: 'AccessDenied', message: 'Invalid date (should be seconds since epoch): soon',
    });
    expect(s3ErrorThrownBy(() => verifyRequest({ ...presigned, headers: { ...presigned.headers, authorization: ['AWS AKIDEXAMPLE:x'] } }, ctx(), ON)).code).toBe('InvalidArgument');
    expect(s3ErrorThrownBy(() => verifyRequest(presigned, ctx(), { service: 's3', sigv2: false })).code).toBe('InvalidRequest');
  });
});

describe('SigV2 POST policy signatures', () => {
  const policy = Buffer.from('{"expiration":"2030-01-01T00:00:00.000Z","conditions":[{"bucket":"b"}]}').toString('base64');
  const signature = createHmac('sha1', KEY.secretAccessKey).update(policy).digest('base64');

  it('checks base64(HMAC-SHA1(secret, policy)) over the policy text as sent', () => {
    expect(verifyPostPolicy({ accessKeyId: KEY.accessKeyId, policy, signature }, ctx(), ON)).toMatchObject({ signatureVersion: 2, accessKeyId: KEY.accessKeyId });
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ accessKeyId: KEY.accessKeyId, policy: `${policy} `, signature }, ctx(), ON))).toMatchObject({
      code: 'SignatureDoesNotMatch', fields: { StringToSign: `${policy} ` },
    });
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ accessKeyId: 'NOBODY', policy, signature }, ctx(), ON)).code).toBe('InvalidAccessKeyId');
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ accessKeyId: KEY.accessKeyId, policy, signature }, ctx(), { service: 's3', sigv2: false })).code).toBe('InvalidRequest');
  });
});

describe('SSE-KMS needs SigV4', () => {
  it('refuses SigV2 with the InvalidArgument AWS sends, and lets SigV4 through', () => {
    const v2 = verifyRequest(put, ctx(), ON)!;
    expect(s3ErrorThrownBy(() => requireSigV4ForKms(v2))).toMatchObject({
      code: 'InvalidArgument', status: 400,
      message: 'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.',
      fields: { ArgumentName: 'Authorization' },
    });
    expect(() => requireSigV4ForKms({ ...v2, signatureVersion: 4 })).not.toThrow();
  });
});
