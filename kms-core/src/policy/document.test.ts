import { describe, expect, it } from '@jest/globals';
import { PolicyDocumentError, parsePolicy } from './document.js';
import type { PolicyKind } from './document.js';

const V = '2012-10-17';
const ok = { Effect: 'Allow', Action: 's3:GetObject', Resource: '*' };
const doc = (...Statement: unknown[]): string => JSON.stringify({ Version: V, Statement });

function refusal(text: string, kind: PolicyKind = 'identity'): string {
  try {
    parsePolicy(text, kind);
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyDocumentError);
    return (err as Error).message;
  }
  throw new Error('expected the policy to be refused');
}

describe('policy documents refused with AWS MalformedPolicyDocument messages', () => {
  const SYNTAX = 'Syntax errors in policy.';
  it.each([
    ['not JSON', '{"Version":', SYNTAX],
    ['a JSON array', '[]', SYNTAX],
    ['an unknown top-level member', JSON.stringify({ Version: V, Statement: [ok], Extra: 1 }), SYNTAX],
    ['an unknown version', JSON.stringify({ Version: '2012-10-18', Statement: [ok] }), SYNTAX],
    ['no Statement', JSON.stringify({ Version: V }), SYNTAX],
    ['an empty Statement list', doc(), SYNTAX],
    ['an unknown statement member', doc({ ...ok, Actions: 's3:*' }), SYNTAX],
    ['Action and NotAction together', doc({ ...ok, NotAction: 's3:PutObject' }), SYNTAX],
    ['Resource and NotResource together', doc({ ...ok, NotResource: '*' }), SYNTAX],
    ['a numeric action', doc({ ...ok, Action: 5 }), SYNTAX],
    ['an effect that is not a word of the grammar', doc({ ...ok, Effect: 'Permit' }), SYNTAX],
    ['an effect in the wrong case', doc({ ...ok, Effect: 'allow' }), 'The policy failed legacy parsing'],
    ['an unknown condition operator', doc({ ...ok, Condition: { StringEqualz: { 'aws:username': 'a' } } }), SYNTAX],
    ['a condition value that is an object', doc({ ...ok, Condition: { StringEquals: { 'aws:username': { a: 1 } } } }), SYNTAX],
    ['ForAnyValue on Null', doc({ ...ok, Condition: { 'ForAnyValue:Null': { 'aws:username': 'true' } } }), SYNTAX],
    ['a version before 2012-10-17', JSON.stringify({ Version: '2008-10-17', Statement: [ok] }), 'Policy document must be version 2012-10-17 or greater.'],
    ['no version', JSON.stringify({ Statement: [ok] }), 'Policy document must be version 2012-10-17 or greater.'],
    ['duplicate Sids', doc({ ...ok, Sid: 'a' }, { ...ok, Sid: 'a' }), 'Statement IDs (SID) in a single policy must be unique.'],
    ['no action', doc({ Effect: 'Allow', Resource: '*' }), 'Policy statement must contain actions.'],
    ['an empty action list', doc({ Effect: 'Allow', Action: [], Resource: '*' }), 'Policy statement must contain actions.'],
    ['no resource', doc({ Effect: 'Allow', Action: 's3:*' }), 'Policy statement must contain resources.'],
    ['an action without vendor', doc({ ...ok, Action: 'GetObject' }), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'],
    ['an action with two colons', doc({ ...ok, Action: 's3:Get:Object' }), 'Actions/Condition can contain only one colon.'],
    ['a bad vendor', doc({ ...ok, Action: 's 3:GetObject' }), 'Vendor s 3 is not valid'],
    ['a resource that is not an ARN', doc({ ...ok, Resource: 'bucket/key' }), 'Resource bucket/key must be in ARN format or "*".'],
    ['a resource with a wildcard vendor', doc({ ...ok, Resource: 'arn:aws:*:::x' }), 'Resource vendor must be fully qualified and cannot contain regexes.'],
    ['a principal in an identity policy', doc({ ...ok, Principal: '*' }), 'Policy document should not specify a principal.'],
  ])('%s', (_name, text, message) => {
    expect(refusal(text)).toBe(message);
  });

  it.each([
    ['no principal', doc(ok), 'Policy statement must contain a principal.'],
    ['a principal that is not an account or IAM ARN', doc({ ...ok, Principal: { AWS: 'alice' } }), 'Invalid principal in policy'],
    ['a wildcard inside a principal ARN', doc({ ...ok, Principal: { AWS: 'arn:aws:iam::111122223333:user/*' } }), 'Invalid principal in policy'],
    ['an unknown principal type', doc({ ...ok, Principal: { Federated: 'x' } }), 'Invalid principal in policy'],
    ['ForAllValues with a single-valued encryption context key', doc({ ...ok, Principal: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:a': 'b' } } }),
      'The ForAllValues set operator cannot be used with the single-valued condition key kms:EncryptionContext:a.'],
  ])('resource policy: %s', (_name, text, message) => {
    expect(refusal(text, 'resource')).toBe(message);
  });
});

describe('policy documents accepted', () => {
  it('reads a single statement object, list values, account principals and JSON scalars in conditions', () => {
    const policy = parsePolicy(JSON.stringify({
      Version: V, Id: 'x',
      Statement: { Sid: 's', Effect: 'Deny', Principal: { AWS: ['111122223333', '*'] }, NotAction: ['kms:Decrypt'], Resource: ['*'], Condition: { Bool: { 'aws:SecureTransport': false }, NumericLessThan: { 'kms:x': 5 } } },
    }), 'resource');
    expect(policy.statements).toEqual([{
      sid: 's', effect: 'Deny', principal: { anyone: true, aws: ['arn:aws:iam::111122223333:root'], service: [] }, notPrincipal: undefined,
      action: undefined, notAction: ['kms:Decrypt'], resource: ['*'], notResource: undefined,
      conditions: [
        { operator: 'Bool', qualifier: undefined, ifExists: false, key: 'aws:SecureTransport', values: ['false'] },
        { operator: 'NumericLessThan', qualifier: undefined, ifExists: false, key: 'kms:x', values: ['5'] },
      ],
    }]);
  });

  it('keeps key policies that omit Version, Action or Resource (AWS KMS accepts them)', () => {
    expect(parsePolicy(JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*' }] }), 'resource').statements).toHaveLength(1);
  });

  it('parses qualifiers and IfExists', () => {
    const [test] = parsePolicy(doc({ ...ok, Condition: { 'ForAnyValue:StringLikeIfExists': { 'kms:EncryptionContextKeys': ['a*'] } } }), 'identity').statements[0]!.conditions;
    expect(test).toEqual({ operator: 'StringLike', qualifier: 'ForAnyValue', ifExists: true, key: 'kms:EncryptionContextKeys', values: ['a*'] });
  });
});
