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
