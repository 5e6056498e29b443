import { describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { parsePolicy, type Policy } from '@kmsgate/kms-core';
import { conditionKeys, decideS3Access, resourceArn, type S3Resource } from './authorize.js';
import { parseBucketPolicy, policyIsPublic } from './bucket-policy.js';
import { ROUTES } from '../http/router.js';
import { S3_ACTIONS } from './s3-actions.js';

const ACCT = '111122223333';
const user = (name: string) => ({ name, arn: `arn:aws:iam::${ACCT}:user/${name}`, accountId: ACCT, accessKeyId: 'AKIAEXAMPLE' });
const idPolicy = (...Statement: object[]): Policy => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement }), 'identity');
const bucketPolicy = (...Statement: object[]): Policy => parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement }), 'b');
const obj: S3Resource = { bucket: 'b', key: 'k' };

function decide(name: string, identity: Policy[], bucket: Policy | undefined, action: string, on: S3Resource = obj): string {
  return decideS3Access({ principal: user(name), identityPolicies: identity, bucketPolicy: bucket, action, on, context: {} });
}

describe('decideS3Access', () => {
  const readB = idPolicy({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
  const denyAll = bucketPolicy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::b', 'arn:aws:s3:::b/*'] });
  it.each([
    ['no identity policy: nothing', decide('carol', [], undefined, 's3:GetObject'), 'ImplicitDeny'],
    ['an identity Allow', decide('bob', [readB], undefined, 's3:GetObject'), 'Allow'],
    ['only what it names', decide('bob', [readB], undefined, 's3:PutObject'), 'ImplicitDeny'],
    ['a bucket policy Allow naming the user', decide('carol', [], bucketPolicy({ Effect: 'Allow', Principal: { AWS: user('carol').arn }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), 's3:GetObject'), 'Allow'],
    ['a bucket Deny beats an identity Allow', decide('bob', [readB], denyAll, 's3:GetObject'), 'Deny'],
    ['the admin may do everything', decide('admin', [], undefined, 's3:DeleteBucket', { bucket: 'b' }), 'Allow'],
    ['the admin is denied by a bucket Deny', decide('admin', [], denyAll, 's3:GetObject'), 'Deny'],
    ['the admin may always delete the bucket policy', decide('admin', [], denyAll, 's3:DeleteBucketPolicy', { bucket: 'b' }), 'Allow'],
    ['a user denied by the bucket policy may not', decide('bob', [idPolicy({ Effect: 'Allow', Action: 's3:*', Resource: '*' })], denyAll, 's3:DeleteBucketPolicy', { bucket: 'b' }), 'Deny'],
  ])('%s', (_name, got, expected) => expect(got).toBe(expected));

  it('builds resource ARNs', () => {
    expect(resourceArn({ account: true })).toBe('*');
    expect(resourceArn({ bucket: 'b' })).toBe('arn:aws:s3:::b');
    expect(resourceArn({ bucket: 'b', key: 'a/b c' })).toBe('arn:aws:s3:::b/a/b c');
  });
});

describe('conditionKeys', () => {
  const req = (headers: Record<string, string>): IncomingMessage => ({ headers, socket: { remoteAddress: '::ffff:127.0.0.1' } }) as unknown as IncomingMessage;
  it('gives SSE headers as sent on PutObject, listing parameters on ListBucket, and the globals', () => {
    const put = conditionKeys(req({ 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/x' }), new URLSearchParams(), 's3:PutObject');
    expect(put).toMatchObject({ 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': 'alias/x', 'aws:SourceIp': '::ffff:127.0.0.1', 'aws:SecureTransport': false });
    const list = conditionKeys(req({}), new URLSearchParams('list-type=2&prefix=home%2F'), 's3:ListBucket');
    expect(list['s3:prefix']).toBe('home/');
    expect(list['s3:delimiter']).toBeUndefined();
    expect(conditionKeys(req({ 'x-amz-server-side-encryption': 'AES256' }), new URLSearchParams(), 's3:GetObject')['s3:x-amz-server-side-encryption']).toBeUndefined();
  });
});

describe('routes', () => {
  it('every route names a known S3 action, checked on a resource its kind applies to', () => {
    for (const r of ROUTES) {
      const kind = S3_ACTIONS.get(r.action);
      expect([r.name, kind]).toEqual([r.name, expect.any(String)]);
      const on = r.on === 'each-object' ? 'object' : r.on;
      expect([r.name, kind]).toEqual([r.name, on]);
    }
  });
});

describe('bucket policy validation and status', () => {
  const statement = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:user/bob` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' };
  const doc = (s: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [s] });
  it('accepts wildcards that fit the bucket and refuses what S3 refuses', () => {
    expect(() => parseBucketPolicy(doc({ ...statement, Action: 's3:Get*' }), 'b')).not.toThrow();
    expect(() => parseBucketPolicy(doc({ ...statement, Action: 's3:*', Resource: 'arn:aws:s3:::b' }), 'b')).not.toThrow();
    expect(() => parseBucketPolicy(doc({ ...statement, NotAction: 's3:DeleteObject', Action: undefined }), 'b')).not.toThrow();
    expect(() => parseBucketPolicy(doc({ ...statement, Action: 'kms:Decrypt' }), 'b')).toThrow('Policy has invalid action');
    expect(() => parseBucketPolicy(doc({ ...statement, Resource: 'arn:aws:s3:::bb/*' }), 'b')).toThrow('Policy has invalid resource');
    expect(() => parseBucketPolicy(doc({ ...statement, Action: 's3:ListAllMyBuckets' }), 'b')).toThrow('Action does not apply to any resource(s) in statement');
    expect(() => parseBucketPolicy(' [1]', 'b')).toThrow("Policies must be valid JSON and the first byte must be '{'");
  });
  it('calls a policy public when an Allow admits anyone, unpinned', () => {
    const anyone = { ...statement, Principal: '*' };
    expect(policyIsPublic(parseBucketPolicy(doc(statement), 'b'))).toBe(false);
    expect(policyIsPublic(parseBucketPolicy(doc(anyone), 'b'))).toBe(true);
    expect(policyIsPublic(parseBucketPolicy(doc({ ...anyone, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }), 'b'))).toBe(false);
    expect(policyIsPublic(parseBucketPolicy(doc({ ...anyone, Effect: 'Deny' }), 'b'))).toBe(false);
  });
});
