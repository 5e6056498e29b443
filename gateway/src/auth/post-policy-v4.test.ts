/**
 * SigV4 POST policy signatures against two independent known answers: the example of AWS's
 * "Example: Browser-Based Upload using HTTP POST" page (a policy with CRLF line ends), and
 * botocore's generate_presigned_post run with a fixed clock.
 */
import { describe, expect, it } from '@jest/globals';
import { verifyPostPolicy } from './verify.js';
import type { AuthContext } from './types.js';
import { s3ErrorThrownBy } from '../http/testing/s3-error.js';

const KEY = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const ctx: AuthContext = { now: new Date('2015-12-29T00:00:00Z'), region: 'us-east-1', lookup: (id) => (id === KEY.accessKeyId ? KEY : undefined) };
const ON = { service: 's3' as const, sigv2: true };

const AWS_POLICY = Buffer.from(
  [
    '{ "expiration": "2015-12-30T12:00:00.000Z",',
    '  "conditions": [',
    '    {"bucket": "sigv4examplebucket"},',
    '    ["starts-with", "$key", "user/user1/"],',
    '    {"acl": "public-read"},',
    '    {"success_action_redirect": "http://sigv4examplebucket.s3.amazonaws.com/successful_upload.html"},',
    '    ["starts-with", "$Content-Type", "image/"],',
    '    {"x-amz-meta-uuid": "14365123651274"},',
    '    {"x-amz-server-side-encryption": "AES256"},',
    '    ["starts-with", "$x-amz-meta-tag", ""],',
    '',
    '    {"x-amz-credential": "AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request"},',
    '    {"x-amz-algorithm": "AWS4-HMAC-SHA256"},',
    '    {"x-amz-date": "20151229T000000Z" }',
    '  ]',
    '}',
  ].join('\r\n'),
).toString('base64');

const BOTOCORE_POLICY =
  'eyJleHBpcmF0aW9uIjogIjIwMTUtMTItMjlUMDE6MDA6MDBaIiwgImNvbmRpdGlvbnMiOiBbeyJidWNrZXQiOiAic2lndjRleGFtcGxlYnVja2V0In0sIHsia2V5IjogInVzZXIvdXNlcjEvcGhvdG8uanBnIn0sIHsieC1hbXotYWxnb3JpdGhtIjogIkFXUzQtSE1BQy1TSEEyNTYifSwgeyJ4LWFtei1jcmVkZW50aWFsIjogIkFLSUFJT1NGT0ROTjdFWEFNUExFLzIwMTUxMjI5L3VzLWVhc3QtMS9zMy9hd3M0X3JlcXVlc3QifSwgeyJ4LWFtei1kYXRlIjogIjIwMTUxMjI5VDAwMDAwMFoifV19';

const form = (policy: string, signature: string) => ({
  algorithm: 'AWS4-HMAC-SHA256',
  credential: 'AKIAIOSFODNN7EXAMPLE/20151229/us-east-1/s3/aws4_request',
  date: '20151229T000000Z',
  policy,
  signature,
});

describe('SigV4 POST policy signatures', () => {
  it('accepts the known answers: hex HMAC-SHA256 of the base64 policy under the scope key', () => {
    expect(verifyPostPolicy(form(AWS_POLICY, '8afdbf4008c03f22c2cd3cdb72e4afbb1f6a588f3255ac628749a66d7f09699e'), ctx, ON)).toEqual({
      signatureVersion: 4, accessKeyId: KEY.accessKeyId, service: 's3', payload: { kind: 'unsigned' }, presigned: false,
    });
    expect(verifyPostPolicy(form(BOTOCORE_POLICY, '3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6'), ctx, ON).accessKeyId).toBe(KEY.accessKeyId);
    // SigV4 forms are taken even where SigV2 is turned off.
    expect(verifyPostPolicy(form(BOTOCORE_POLICY, '3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6'), ctx, { service: 's3', sigv2: false }).signatureVersion).toBe(4);
  });

  it('answers a policy that is not the one signed with the policy as its string to sign', () => {
    const truncated = BOTOCORE_POLICY.slice(0, -2);
    expect(s3ErrorThrownBy(() => verifyPostPolicy(form(truncated, '3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6'), ctx, ON))).toMatchObject({
      code: 'SignatureDoesNotMatch',
      fields: { AWSAccessKeyId: KEY.accessKeyId, StringToSign: truncated, SignatureProvided: '3364624b39010d9b06f5d9b8c9a18a6e478d261c048159c92f2fd6fa885f14e6' },
    });
  });

  it('names the field that does not parse', () => {
    const ok = form(BOTOCORE_POLICY, 'x');
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ ...ok, credential: 'AKIAIOSFODNN7EXAMPLE/20151229/eu-west-1/s3/aws4_request' }, ctx, ON))).toMatchObject({
      code: 'InvalidArgument',
      message: "the region 'eu-west-1' is wrong; expecting 'us-east-1'",
      fields: { ArgumentName: 'X-Amz-Credential', ArgumentValue: 'AKIAIOSFODNN7EXAMPLE/20151229/eu-west-1/s3/aws4_request', Region: 'us-east-1' },
    });
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ ...ok, credential: '/20151229/us-east-1/s3/aws4_request' }, ctx, ON))).toMatchObject({
      code: 'InvalidArgument', message: 'a non-empty Access Key (AKID) must be provided in the credential.',
    });
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ ...ok, date: '2015-12-29' }, ctx, ON))).toMatchObject({
      code: 'InvalidArgument', message: 'X-Amz-Date must be formated via ISO8601 Long format', fields: { ArgumentName: 'X-Amz-Date', ArgumentValue: '2015-12-29' },
    });
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ ...ok, algorithm: 'AWS4-HMAC-SHA1' }, ctx, ON)).fields).toMatchObject({ ArgumentName: 'X-Amz-Algorithm' });
    expect(s3ErrorThrownBy(() => verifyPostPolicy({ ...ok, credential: 'NOBODY/20151229/us-east-1/s3/aws4_request' }, ctx, ON)).code).toBe('InvalidAccessKeyId');
  });
});
