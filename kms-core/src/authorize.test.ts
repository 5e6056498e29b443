import { describe, expect, it } from '@jest/globals';
import { authorize } from './authorize.js';
import type { KeyRecord } from './records.js';

const caller = { arn: 'arn:aws:iam::111122223333:user/u', accountId: '111122223333' };
const policy = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: caller.arn }, Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:project': 'x' } } }],
});
const key = { arn: 'arn:aws:kms:us-east-1:111122223333:key/0f2c1f2e-8a4b-4c1d-9e2f-0123456789ab', policy, grants: [] } as unknown as KeyRecord;
const decide = (encryptionContext: Record<string, string>): string => {
  try {
    authorize(caller, 'Encrypt', key, { encryptionContext });
    return 'Allow';
  } catch (err) {
    return (err as { type: string }).type;
  }
};

describe('remembered decisions', () => {
  it('are never reused for a context whose value imitates a second pair of the tested key', () => {
    // Allowed: every pair whose key folds to "project" is "x".
    expect(decide({ project: 'x', Project: 'x' })).toBe('Allow');
    // One pair whose value is not "x": refused, whatever was decided for the context above.
    expect(decide({ project: 'x\u0000Project=x' })).toBe('AccessDeniedException');
    expect(decide({ project: 'x' })).toBe('Allow');
  });
});

describe('remembered decisions are kept under everything the decision depends on', () => {
  const account = '111122223333';
  const root = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: 'kms:*', Resource: '*' }] });
  const keyWith = (keyPolicy: string, uuid = '0f2c1f2e-8a4b-4c1d-9e2f-0123456789ac'): KeyRecord =>
    ({ arn: `arn:aws:kms:us-east-1:${account}:key/${uuid}`, policy: keyPolicy, grants: [] }) as unknown as KeyRecord;
  const identity = (statement: Record<string, unknown>): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const decryptOnly = identity({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' });
  const viaS3Only = identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } } });
  const thisKeyOnly = (k: KeyRecord): string => identity({ Effect: 'Allow', Action: 'kms:*', Resource: k.arn });
  const outcome = (who: { arn: string; accountId: string; viaService?: string; identityPolicies?: string[] }, action: 'Decrypt' | 'Encrypt', k: KeyRecord): string => {
    try {
      authorize(who, action, k, { encryptionContext: {} });
      return 'Allow';
    } catch (err) {
      return (err as { type: string }).type;
    }
  };
  const user = (name: string, identityPolicies: string[], viaService?: string) => ({ arn: `arn:aws:iam::${account}:user/${name}`, accountId: account, identityPolicies, ...(viaService ? { viaService } : {}) });

  it('the action, the caller, its identity policies and kms:ViaService', () => {
    const k = keyWith(root);
    expect(outcome(user('a', [decryptOnly]), 'Decrypt', k)).toBe('Allow');
    expect(outcome(user('a', [decryptOnly]), 'Encrypt', k)).toBe('AccessDeniedException');
    expect(outcome(user('b', []), 'Decrypt', k)).toBe('AccessDeniedException');
    expect(outcome(user('a', []), 'Decrypt', k)).toBe('AccessDeniedException');
    expect(outcome(user('c', [viaS3Only], 's3.us-east-1.amazonaws.com'), 'Decrypt', k)).toBe('Allow');
    expect(outcome(user('c', [viaS3Only]), 'Decrypt', k)).toBe('AccessDeniedException');
  });

  it('the key and its policy: a changed key policy decides at once', () => {
    const k = keyWith(root);
    const other = keyWith(root, '0f2c1f2e-8a4b-4c1d-9e2f-0123456789ad');
    expect(outcome(user('d', [thisKeyOnly(k)]), 'Decrypt', k)).toBe('Allow');
    expect(outcome(user('d', [thisKeyOnly(k)]), 'Decrypt', other)).toBe('AccessDeniedException');
    const denied = keyWith(JSON.stringify({ Version: '2012-10-17', Statement: [...JSON.parse(root).Statement, { Effect: 'Deny', Principal: { AWS: user('d', []).arn }, Action: 'kms:Decrypt', Resource: '*' }] }));
    expect(outcome(user('d', [thisKeyOnly(k)]), 'Decrypt', denied)).toBe('AccessDeniedException');
    expect(outcome(user('d', [thisKeyOnly(k)]), 'Decrypt', k)).toBe('Allow');
  });
});
