import { describe, expect, it } from '@jest/globals';
import { parsePolicy } from './document.js';
import type { Policy } from './document.js';
import { evaluateAccess } from './evaluate.js';
import type { ContextValue, Decision, PolicyPrincipal } from './evaluate.js';
import { arnMatch, wildcardMatch } from './wildcard.js';

const ACCT = '111122223333';
const alice: PolicyPrincipal = { arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT };
const bob: PolicyPrincipal = { arn: `arn:aws:iam::${ACCT}:user/bob`, accountId: ACCT };
const stranger: PolicyPrincipal = { arn: 'arn:aws:iam::444455556666:user/eve', accountId: '444455556666' };
const KEY = `arn:aws:kms:us-east-1:${ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

type Doc = Record<string, unknown>;
const identity = (...Statement: Doc[]): Policy => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement }), 'identity');
const resource = (...Statement: Doc[]): Policy => parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement }), 'resource');
const allow = (Action: unknown, Resource: unknown, Condition?: Doc): Doc => ({ Effect: 'Allow', Action, Resource, ...(Condition && { Condition }) });
const deny = (Action: unknown, Resource: unknown, Condition?: Doc): Doc => ({ Effect: 'Deny', Action, Resource, ...(Condition && { Condition }) });

interface Row {
  name: string;
  identity?: Policy[];
  resource?: Policy;
  gate?: boolean;
  principal?: PolicyPrincipal | null;
  action: string;
  on: string;
  context?: Record<string, ContextValue>;
  expect: Decision;
}

function run(rows: Row[]): void {
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, r) => {
    const decision = evaluateAccess({
      request: { principal: r.principal === undefined ? alice : r.principal, action: r.action, resource: r.on, context: r.context },
      identityPolicies: r.identity,
      resourcePolicy: r.resource,
      resourcePolicyGate: r.gate,
    });
    expect(decision).toBe(r.expect);
  });
}

describe('identity policies', () => {
  const readBucket = identity(allow('s3:GetObject', 'arn:aws:s3:::bkt/*'));
  run([
    { name: 'allow by action and resource wildcard', identity: [readBucket], action: 's3:GetObject', on: 'arn:aws:s3:::bkt/a/b.txt', expect: 'Allow' },
    { name: 'no policy: implicit deny', identity: [], action: 's3:GetObject', on: 'arn:aws:s3:::bkt/a', expect: 'ImplicitDeny' },
    { name: 'other action: implicit deny', identity: [readBucket], action: 's3:PutObject', on: 'arn:aws:s3:::bkt/a', expect: 'ImplicitDeny' },
    { name: 'actions match case-insensitively', identity: [identity(allow('S3:getOBJECT', '*'))], action: 's3:GetObject', on: 'arn:aws:s3:::x/y', expect: 'Allow' },
    { name: 'action wildcards: kms:Generate*', identity: [identity(allow('kms:Generate*', '*'))], action: 'kms:GenerateDataKeyWithoutPlaintext', on: KEY, expect: 'Allow' },
    { name: 'action wildcard ? is one character', identity: [identity(allow('kms:?ncrypt', '*'))], action: 'kms:Encrypt', on: KEY, expect: 'Allow' },
    { name: 'action wildcard ? is not two', identity: [identity(allow('kms:?ncrypt', '*'))], action: 'kms:ReEncrypt', on: KEY, expect: 'ImplicitDeny' },
    { name: 'resources match case-sensitively', identity: [identity(allow('s3:GetObject', 'arn:aws:s3:::BKT/*'))], action: 's3:GetObject', on: 'arn:aws:s3:::bkt/a', expect: 'ImplicitDeny' },
    { name: 'resource ? matches exactly one character', identity: [identity(allow('s3:GetObject', 'arn:aws:s3:::bkt/file?.txt'))], action: 's3:GetObject', on: 'arn:aws:s3:::bkt/file1.txt', expect: 'Allow' },
    { name: 'resource ? does not match two', identity: [identity(allow('s3:GetObject', 'arn:aws:s3:::bkt/file?.txt'))], action: 's3:GetObject', on: 'arn:aws:s3:::bkt/file12.txt', expect: 'ImplicitDeny' },
    { name: 'resource * crosses slashes', identity: [identity(allow('s3:*', 'arn:aws:s3:::bkt/*'))], action: 's3:GetObject', on: 'arn:aws:s3:::bkt/a/b/c', expect: 'Allow' },
    { name: 'a region * stays in the region field', identity: [identity(allow('kms:*', `arn:aws:kms:*:${ACCT}:key/*`))], action: 'kms:Decrypt', on: KEY.replace(ACCT, '999999999999'), expect: 'ImplicitDeny' },
    { name: 'a region * matches any region', identity: [identity(allow('kms:*', `arn:aws:kms:*:${ACCT}:key/*`))], action: 'kms:Decrypt', on: KEY, expect: 'Allow' },
    { name: 'explicit deny wins over allow', identity: [identity(allow('s3:*', '*'), deny('s3:DeleteObject', '*'))], action: 's3:DeleteObject', on: 'arn:aws:s3:::b/k', expect: 'Deny' },
    { name: 'explicit deny in another policy wins', identity: [identity(allow('s3:*', '*')), identity(deny('s3:*', 'arn:aws:s3:::b/*'))], action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'Deny' },
    { name: 'the deny leaves other actions allowed', identity: [identity(allow('s3:*', '*'), deny('s3:DeleteObject', '*'))], action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'Allow' },
    { name: 'NotAction allows everything else', identity: [identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], action: 'kms:Decrypt', on: KEY, expect: 'Allow' },
    { name: 'NotAction excludes what it names', identity: [identity({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })], action: 'iam:CreateUser', on: `arn:aws:iam::${ACCT}:user/x`, expect: 'ImplicitDeny' },
    { name: 'NotResource deny hits other buckets', identity: [identity(allow('s3:*', '*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::mine', 'arn:aws:s3:::mine/*'] })], action: 's3:GetObject', on: 'arn:aws:s3:::theirs/k', expect: 'Deny' },
    { name: 'NotResource deny spares what it names', identity: [identity(allow('s3:*', '*'), { Effect: 'Deny', Action: 's3:*', NotResource: ['arn:aws:s3:::mine', 'arn:aws:s3:::mine/*'] })], action: 's3:GetObject', on: 'arn:aws:s3:::mine/k', expect: 'Allow' },
    { name: 'policy variable ${aws:username}', identity: [identity(allow('s3:*', 'arn:aws:s3:::home/${aws:username}/*'))], action: 's3:PutObject', on: 'arn:aws:s3:::home/alice/x', expect: 'Allow' },
    { name: 'policy variable for another user', identity: [identity(allow('s3:*', 'arn:aws:s3:::home/${aws:username}/*'))], principal: bob, action: 's3:PutObject', on: 'arn:aws:s3:::home/alice/x', expect: 'ImplicitDeny' },
    { name: 'a variable the request lacks matches nothing', identity: [identity(allow('s3:*', 'arn:aws:s3:::home/${aws:userid}/*'))], action: 's3:PutObject', on: 'arn:aws:s3:::home/alice/x', expect: 'ImplicitDeny' },
    { name: "a variable's default applies when the key is missing", identity: [identity(allow('s3:*', "arn:aws:s3:::home/${aws:userid, 'nobody'}/*"))], action: 's3:PutObject', on: 'arn:aws:s3:::home/nobody/x', expect: 'Allow' },
    { name: '${*} is a literal asterisk', identity: [identity(allow('s3:*', 'arn:aws:s3:::b/star${*}'))], action: 's3:GetObject', on: 'arn:aws:s3:::b/star*', expect: 'Allow' },
    { name: '${*} is not a wildcard', identity: [identity(allow('s3:*', 'arn:aws:s3:::b/star${*}'))], action: 's3:GetObject', on: 'arn:aws:s3:::b/starry', expect: 'ImplicitDeny' },
  ]);
});

describe('conditions', () => {
  const ctxPolicy = (Condition: Doc): Policy[] => [identity(allow('kms:Decrypt', '*', Condition))];
  const dec = (Condition: Doc, context: Record<string, ContextValue> | undefined, expected: Decision, name: string): Row =>
    ({ name, identity: ctxPolicy(Condition), action: 'kms:Decrypt', on: KEY, context, expect: expected });
  const dept = { StringEquals: { 'kms:EncryptionContext:Department': 'IT' } };
  const anyKeys = { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } };
  const allKeys = { 'ForAllValues:StringEquals': { 'kms:EncryptionContextKeys': ['a', 'b'] } };
  run([
    dec(dept, { 'kms:EncryptionContext:Department': 'IT' }, 'Allow', 'StringEquals on an encryption context pair'),
    dec(dept, { 'kms:EncryptionContext:Department': 'it' }, 'ImplicitDeny', 'StringEquals is case-sensitive in the value'),
    dec(dept, { 'KMS:ENCRYPTIONCONTEXT:department': 'IT' }, 'Allow', 'condition key names are case-insensitive'),
    dec(dept, {}, 'ImplicitDeny', 'StringEquals on a missing key is false'),
    dec({ StringEquals: { 'kms:EncryptionContext:Department': ['HR', 'IT'] } }, { 'kms:EncryptionContext:Department': 'IT' }, 'Allow', 'values of one key are ORed'),
    dec({ StringEquals: { 'kms:EncryptionContext:a': '1', 'kms:EncryptionContext:b': '2' } }, { 'kms:EncryptionContext:a': '1' }, 'ImplicitDeny', 'keys of one operator are ANDed'),
    dec({ StringEquals: { 'kms:EncryptionContext:a': '1' }, StringLike: { 'kms:EncryptionContext:b': '2*' } }, { 'kms:EncryptionContext:a': '1', 'kms:EncryptionContext:b': '22' }, 'Allow', 'operators are ANDed'),
    dec({ StringNotEquals: { 'kms:EncryptionContext:Department': 'HR' } }, {}, 'Allow', 'StringNotEquals on a missing key is true'),
    dec({ StringNotEquals: { 'kms:EncryptionContext:Department': 'HR' } }, { 'kms:EncryptionContext:Department': 'HR' }, 'ImplicitDeny', 'StringNotEquals on the named value'),
    dec({ StringEqualsIfExists: { 'kms:EncryptionContext:Department': 'IT' } }, {}, 'Allow', 'IfExists on a missing key is true'),
    dec({ StringEqualsIfExists: { 'kms:EncryptionContext:Department': 'IT' } }, { 'kms:EncryptionContext:Department': 'HR' }, 'ImplicitDeny', 'IfExists on a present key tests it'),
    dec({ StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bkt/*' } }, { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bkt/k' }, 'Allow', 'StringLike with a wildcard'),
    dec({ StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::bkt/*' } }, { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::other/k' }, 'ImplicitDeny', 'StringLike mismatch'),
    dec({ StringEqualsIgnoreCase: { 'kms:EncryptionContext:Department': 'it' } }, { 'kms:EncryptionContext:Department': 'IT' }, 'Allow', 'StringEqualsIgnoreCase'),
    dec(anyKeys, { 'kms:EncryptionContextKeys': ['a', 'z'] }, 'Allow', 'ForAnyValue: one of the keys is named'),
    dec(anyKeys, { 'kms:EncryptionContextKeys': ['z'] }, 'ImplicitDeny', 'ForAnyValue: none is named'),
    dec(anyKeys, { 'kms:EncryptionContextKeys': [] }, 'ImplicitDeny', 'ForAnyValue on no values is false'),
    dec(allKeys, { 'kms:EncryptionContextKeys': ['a'] }, 'Allow', 'ForAllValues: every key is named'),
    dec(allKeys, { 'kms:EncryptionContextKeys': ['a', 'z'] }, 'ImplicitDeny', 'ForAllValues: one key is not'),
    dec(allKeys, {}, 'Allow', 'ForAllValues on a missing key is true (IAM documents this trap)'),
    dec({ 'ForAnyValue:StringNotEquals': { 'kms:EncryptionContextKeys': ['a'] } }, { 'kms:EncryptionContextKeys': ['a', 'z'] }, 'Allow', 'ForAnyValue with a negated operator'),
    dec({ 'ForAllValues:StringNotEquals': { 'kms:EncryptionContextKeys': ['a'] } }, { 'kms:EncryptionContextKeys': ['a', 'z'] }, 'ImplicitDeny', 'ForAllValues with a negated operator'),
    dec({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': true }, 'Allow', 'Bool true'),
    dec({ Bool: { 'aws:SecureTransport': true } }, { 'aws:SecureTransport': false }, 'ImplicitDeny', 'Bool false against a JSON true'),
    dec({ Null: { 'kms:EncryptionContext:Department': 'true' } }, {}, 'Allow', 'Null true: the key is missing'),
    dec({ Null: { 'kms:EncryptionContext:Department': 'false' } }, {}, 'ImplicitDeny', 'Null false: the key must be present'),
    dec({ Null: { 'kms:EncryptionContext:Department': 'false' } }, { 'kms:EncryptionContext:Department': 'x' }, 'Allow', 'Null false with the key present'),
    dec({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:user/a*` } }, undefined, 'Allow', 'ArnLike on the caller (filled in by the evaluator)'),
    dec({ ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCT}:user/b*` } }, undefined, 'ImplicitDeny', 'ArnLike mismatch'),
    dec({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:s3:::x' } }, {}, 'Allow', 'ArnNotLike on a missing key is true'),
    dec({ IpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }, { 'aws:SourceIp': '::ffff:127.0.0.1' }, 'Allow', 'IpAddress with an IPv4-mapped address'),
    dec({ IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32'] } }, { 'aws:SourceIp': '2001:db8::5' }, 'Allow', 'IpAddress IPv6'),
    dec({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' }, 'ImplicitDeny', 'IpAddress outside the range'),
    dec({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } }, { 'aws:SourceIp': '127.0.0.1' }, 'Allow', 'NotIpAddress'),
    dec({ NumericLessThanEquals: { 'kms:EncryptionContext:n': '10' } }, { 'kms:EncryptionContext:n': '9.5' }, 'Allow', 'NumericLessThanEquals'),
    dec({ NumericLessThanEquals: { 'kms:EncryptionContext:n': '10' } }, { 'kms:EncryptionContext:n': 'ten' }, 'ImplicitDeny', 'Numeric on a non-number is false'),
    dec({ DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } }, { 'aws:CurrentTime': '2026-05-01T00:00:00Z' }, 'Allow', 'DateLessThan'),
    dec({ StringEquals: { 'kms:CallerAccount': ACCT, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }, { 'kms:CallerAccount': ACCT, 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, 'Allow', 'kms:CallerAccount and kms:ViaService'),
    dec({ StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } }, { 'kms:CallerAccount': ACCT }, 'ImplicitDeny', 'kms:ViaService missing on a direct call'),
    dec({ StringEquals: { 'kms:EncryptionContext:tenant': '${aws:username}' } }, { 'kms:EncryptionContext:tenant': 'alice' }, 'Allow', 'a policy variable in a condition value'),
  ]);

  run([
    { name: 's3 deny when encryption is not aws:kms', identity: [identity(allow('s3:PutObject', '*'), deny('s3:PutObject', '*', { StringNotEquals: { 's3:x-amz-server-side-encryption': 'aws:kms' } }))], action: 's3:PutObject', on: 'arn:aws:s3:::b/k', context: { 's3:x-amz-server-side-encryption': 'AES256' }, expect: 'Deny' },
    { name: 's3 deny when no encryption header (Null)', identity: [identity(allow('s3:PutObject', '*'), deny('s3:PutObject', '*', { Null: { 's3:x-amz-server-side-encryption': 'true' } }))], action: 's3:PutObject', on: 'arn:aws:s3:::b/k', context: {}, expect: 'Deny' },
    { name: 's3 allow with the right KMS key id', identity: [identity(allow('s3:PutObject', '*', { StringEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY } }))], action: 's3:PutObject', on: 'arn:aws:s3:::b/k', context: { 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY }, expect: 'Allow' },
    { name: 's3:prefix StringLike', identity: [identity(allow('s3:ListBucket', 'arn:aws:s3:::b', { StringLike: { 's3:prefix': ['home/${aws:username}/*', ''] } }))], action: 's3:ListBucket', on: 'arn:aws:s3:::b', context: { 's3:prefix': 'home/alice/docs' }, expect: 'Allow' },
    { name: 's3:prefix of another user', identity: [identity(allow('s3:ListBucket', 'arn:aws:s3:::b', { StringLike: { 's3:prefix': 'home/${aws:username}/*' } }))], action: 's3:ListBucket', on: 'arn:aws:s3:::b', context: { 's3:prefix': 'home/bob/docs' }, expect: 'ImplicitDeny' },
    { name: 'deny without TLS', identity: [identity(allow('s3:*', '*'), deny('s3:*', '*', { Bool: { 'aws:SecureTransport': 'false' } }))], action: 's3:GetObject', on: 'arn:aws:s3:::b/k', context: { 'aws:SecureTransport': false }, expect: 'Deny' },
  ]);
});

describe('key policies (the resource policy is a gate)', () => {
  const defaultPolicy = resource({ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCT}:root` }, Action: 'kms:*', Resource: '*' });
  const useDecrypt = identity(allow('kms:Decrypt', '*'));
  const s3Managed = resource({
    Effect: 'Allow', Principal: { AWS: '*' }, Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey*'], Resource: '*',
    Condition: { StringEquals: { 'kms:CallerAccount': ACCT, 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
  });
  run([
    { name: 'account root alone grants nothing', resource: defaultPolicy, gate: true, identity: [], action: 'kms:Decrypt', on: KEY, expect: 'ImplicitDeny' },
    { name: 'account root delegates to an identity allow', resource: defaultPolicy, gate: true, identity: [useDecrypt], action: 'kms:Decrypt', on: KEY, expect: 'Allow' },
    { name: 'the identity allow covers only its action', resource: defaultPolicy, gate: true, identity: [useDecrypt], action: 'kms:ScheduleKeyDeletion', on: KEY, expect: 'ImplicitDeny' },
    { name: 'without the root statement identity policies do not count', resource: resource({ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 'kms:*', Resource: '*' }), gate: true, identity: [useDecrypt], action: 'kms:Decrypt', on: KEY, expect: 'ImplicitDeny' },
    { name: 'a key policy naming the user allows directly', resource: resource({ Effect: 'Allow', Principal: { AWS: [bob.arn, alice.arn] }, Action: 'kms:Decrypt', Resource: '*' }), gate: true, identity: [], action: 'kms:Decrypt', on: KEY, expect: 'Allow' },
    { name: 'an identity deny overrides the key policy', resource: resource({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }), gate: true, identity: [identity(deny('kms:Decrypt', '*'))], action: 'kms:Decrypt', on: KEY, expect: 'Deny' },
    { name: 'a key policy deny overrides the identity allow', resource: resource({ Effect: 'Allow', Principal: { AWS: ACCT }, Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }), gate: true, identity: [useDecrypt], action: 'kms:Decrypt', on: KEY, expect: 'Deny' },
    { name: 'another account is not delegated to', resource: defaultPolicy, gate: true, identity: [useDecrypt], principal: stranger, action: 'kms:Decrypt', on: KEY, expect: 'ImplicitDeny' },
    { name: 'aws/s3 policy: through S3 in the account', resource: s3Managed, gate: true, action: 'kms:GenerateDataKey', on: KEY, context: { 'kms:CallerAccount': ACCT, 'kms:ViaService': 's3.us-east-1.amazonaws.com' }, expect: 'Allow' },
    { name: 'aws/s3 policy: not directly', resource: s3Managed, gate: true, action: 'kms:GenerateDataKey', on: KEY, context: { 'kms:CallerAccount': ACCT }, expect: 'ImplicitDeny' },
    { name: 'Principal "*" admits an anonymous caller', resource: resource({ Effect: 'Allow', Principal: '*', Action: 'kms:DescribeKey', Resource: '*' }), gate: true, principal: null, action: 'kms:DescribeKey', on: KEY, expect: 'Allow' },
    { name: 'a named principal does not admit an anonymous one', resource: resource({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }), gate: true, principal: null, action: 'kms:DescribeKey', on: KEY, expect: 'ImplicitDeny' },
    { name: 'NotPrincipal deny spares the one named', resource: resource({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }), gate: true, action: 'kms:Decrypt', on: KEY, expect: 'Allow' },
    { name: 'NotPrincipal deny hits everyone else', resource: resource({ Effect: 'Allow', Principal: '*', Action: 'kms:*', Resource: '*' }, { Effect: 'Deny', NotPrincipal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }), gate: true, principal: bob, action: 'kms:Decrypt', on: KEY, expect: 'Deny' },
    { name: 'a key policy statement without Resource never applies', resource: resource({ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*' }), gate: true, action: 'kms:Decrypt', on: KEY, expect: 'ImplicitDeny' },
  ]);
});

describe('bucket policies (union with identity policies)', () => {
  const bucketAllowsBob = resource({ Effect: 'Allow', Principal: { AWS: bob.arn }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' });
  run([
    { name: 'the bucket policy alone allows the named user', resource: bucketAllowsBob, principal: bob, action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'Allow' },
    { name: 'an identity allow suffices without a bucket statement', resource: bucketAllowsBob, identity: [identity(allow('s3:GetObject', '*'))], action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'Allow' },
    { name: 'neither allows', resource: bucketAllowsBob, identity: [], action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'ImplicitDeny' },
    { name: 'a bucket deny beats an identity allow', resource: resource({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: 'arn:aws:s3:::b/*' }), identity: [identity(allow('s3:*', '*'))], action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'Deny' },
    { name: 'public read for anonymous callers', resource: resource({ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }), principal: null, action: 's3:GetObject', on: 'arn:aws:s3:::b/k', expect: 'Allow' },
    { name: 'variables are literal text in a 2008-10-17 policy', resource: parsePolicy(JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/${aws:username}' }] }), 'resource'), action: 's3:GetObject', on: 'arn:aws:s3:::b/${aws:username}', expect: 'Allow' },
  ]);
});

describe('wildcard matching', () => {
  it('handles runs of stars without blowing up, and code points', () => {
    expect(wildcardMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(wildcardMatch('*a*a*a*a*a*a*a*b', `${'a'.repeat(5000)}b`)).toBe(true);
    expect(wildcardMatch('?', '😀')).toBe(true);
    expect(wildcardMatch('', '')).toBe(true);
    expect(wildcardMatch('*', '')).toBe(true);
    expect(wildcardMatch('?', '')).toBe(false);
  });

  it('matches ARNs field by field', () => {
    expect(arnMatch('arn:aws:s3:::*', 'arn:aws:s3:::b/k')).toBe(true);
    expect(arnMatch('arn:aws:kms:us-east-1:*:key/*', KEY)).toBe(true);
    expect(arnMatch('arn:aws:kms:us-east-?:*:key/*', 'arn:aws:kms:us-east-10:1:key/x')).toBe(false);
  });
});

describe('wildcard matching of plain and trailing-star patterns', () => {
  // The reference: a code-point regex, `*` any run and `?` one code point, folded to lower case when asked.
  const reference = (pattern: string, value: string, ignoreCase: boolean): boolean => {
    const fold = (t: string): string => (ignoreCase ? t.toLowerCase() : t);
    const source = Array.from(fold(pattern), (ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))).join('');
    return new RegExp(`^${source}$`, 'su').test(fold(value));
  };
  const patterns = ['*', '', 'kms:Decrypt', 'KMS:decrypt', 'kms:GenerateDataKey*', 'kms:*', 'arn:aws:s3:::bench/*', 'a?c', 'a*c', '\u{1F600}*', 'x\uD83D*', 'Σ*', 'İ'];
  const values = ['', 'kms:Decrypt', 'kms:decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:Encrypt', 'arn:aws:s3:::bench/objects/1.bin', 'arn:aws:s3:::bench', 'abc', 'a\u{1F600}c', '\u{1F600}x', 'x\u{1F600}', 'σς', 'i̇', 'İ'];

  it('answers as the general matcher, with and without case folding', () => {
    for (const ignoreCase of [false, true]) {
      for (const pattern of patterns) {
        for (const value of values) {
          expect([pattern, value, ignoreCase, wildcardMatch(pattern, value, { ignoreCase })]).toEqual([pattern, value, ignoreCase, reference(pattern, value, ignoreCase)]);
        }
      }
    }
  });

  it('still resolves policy variables in a plain pattern, and an ARN without wildcards matches only itself', () => {
    const variables = (key: string): string | undefined => (key === 'aws:username' ? 'bob' : undefined);
    expect(wildcardMatch('home/${aws:username}', 'home/bob', { variables })).toBe(true);
    expect(wildcardMatch('home/${aws:username}', 'home/${aws:username}', { variables })).toBe(false);
    expect(wildcardMatch('home/${aws:username}', 'home/${aws:username}')).toBe(true);
    expect(arnMatch(KEY, KEY)).toBe(true);
    expect(arnMatch(KEY, `${KEY}x`)).toBe(false);
    expect(arnMatch('arn:aws:s3:::b', 'arn:aws:s3:::B')).toBe(false);
  });
});
