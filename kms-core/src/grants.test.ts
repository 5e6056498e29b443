import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { ACCOUNT, alice, aliceViaS3, kmsError, openTestCore } from './test-fixtures.js';
import type { Caller } from './types.js';

const bob: Caller = { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, identityPolicies: [] };
const onlyAlice = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*' }],
});

let core: KmsCore;
let key: string;
beforeEach(async () => {
  core = await openTestCore();
  key = (await core.createKey({ Policy: onlyAlice }, alice)).KeyMetadata.Arn;
});
afterEach(() => core.close());

describe('grants', () => {
  it('allow the grantee the listed operations under the constraints, at once, until revoked', async () => {
    const { CiphertextBlob } = await core.encrypt({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { team: 'a' } }, alice);
    expect((await kmsError(() => core.decrypt({ CiphertextBlob, EncryptionContext: { team: 'a' } }, bob))).type).toBe('AccessDeniedException');
    const g = await core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Decrypt'], Constraints: { EncryptionContextEquals: { team: 'a' } } }, alice);
    expect((await core.decrypt({ CiphertextBlob, EncryptionContext: { team: 'a' } }, bob)).Plaintext.toString()).toBe('x');
    expect((await kmsError(() => core.encrypt({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { team: 'a' } }, bob))).type).toBe('AccessDeniedException');
    await core.revokeGrant({ KeyId: key, GrantId: g.GrantId }, alice);
    expect((await kmsError(() => core.decrypt({ CiphertextBlob, EncryptionContext: { team: 'a' } }, bob))).type).toBe('AccessDeniedException');
    expect(await kmsError(() => core.revokeGrant({ KeyId: key, GrantId: g.GrantId }, alice))).toMatchObject({ type: 'NotFoundException' });
  });

  it('refuse operations outside the list, disabled keys, and callers without kms:CreateGrant', async () => {
    expect(await kmsError(() => core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['ScheduleKeyDeletion'] }, alice))).toMatchObject({ type: 'ValidationException' });
    expect(await kmsError(() => core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Sign'] }, alice))).toMatchObject({ type: 'ValidationException' });
    expect(await kmsError(() => core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Decrypt'] }, bob))).toMatchObject({ type: 'AccessDeniedException' });
    await core.disableKey({ KeyId: key }, alice);
    expect(await kmsError(() => core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Decrypt'] }, alice))).toMatchObject({ type: 'DisabledException' });
  });

  it('let a grantee holding CreateGrant hand on only what it holds', async () => {
    await core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Decrypt', 'CreateGrant'] }, alice);
    const carol = `arn:aws:iam::${ACCOUNT}:user/carol`;
    await core.createGrant({ KeyId: key, GranteePrincipal: carol, Operations: ['Decrypt'] }, bob);
    expect((await kmsError(() => core.createGrant({ KeyId: key, GranteePrincipal: carol, Operations: ['Encrypt'] }, bob))).type).toBe('AccessDeniedException');
  });

  it('are retired by the retiring principal or by token, not by others', async () => {
    const g = await core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Encrypt'], RetiringPrincipal: bob.arn, Name: 'n' }, alice);
    const other: Caller = { arn: `arn:aws:iam::${ACCOUNT}:user/other`, accountId: ACCOUNT };
    expect((await kmsError(() => core.retireGrant({ KeyId: key, GrantId: g.GrantId }, other))).type).toBe('AccessDeniedException');
    expect((await kmsError(() => core.retireGrant({ GrantToken: 'not-a-token' }, bob))).type).toBe('InvalidGrantTokenException');
    expect((await core.listRetirableGrants({ RetiringPrincipal: bob.arn }, alice)).Grants).toHaveLength(1);
    await core.retireGrant({ GrantToken: g.GrantToken }, bob);
    expect((await core.listGrants({ KeyId: key }, alice)).Grants).toEqual([]);
  });

  it('pages ListGrants', async () => {
    for (let i = 0; i < 3; i++) await core.createGrant({ KeyId: key, GranteePrincipal: bob.arn, Operations: ['Encrypt'], Name: `g${i}` }, alice);
    const first = await core.listGrants({ KeyId: key, Limit: 2 }, alice);
    expect(first.Grants).toHaveLength(2);
    expect(first.Truncated).toBe(true);
    const rest = await core.listGrants({ KeyId: key, Limit: 2, Marker: first.NextMarker }, alice);
    expect([...first.Grants, ...rest.Grants].map((g) => g.Name).sort()).toEqual(['g0', 'g1', 'g2']);
    expect(rest.Truncated).toBe(false);
  });
});

describe('key policies', () => {
  it('make aws/s3 usable only via S3: Decrypt of its ciphertext through the API is refused', async () => {
    const dk = await core.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }, aliceViaS3);
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: dk.CiphertextBlob }, alice))).type).toBe('AccessDeniedException');
    expect((await core.decrypt({ CiphertextBlob: dk.CiphertextBlob }, aliceViaS3)).Plaintext.equals(dk.Plaintext)).toBe(true);
    const other = { ...aliceViaS3, accountId: '999988887777', arn: 'arn:aws:iam::999988887777:user/x' };
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: dk.CiphertextBlob }, other))).type).toBe('AccessDeniedException');
  });

  it('match kms:EncryptionContextKeys and refuse ForAllValues on kms:EncryptionContext:<key>', async () => {
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: ['kms:PutKeyPolicy', 'kms:Decrypt'], Resource: '*' },
        { Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': 'tenant' } } },
      ],
    });
    await core.putKeyPolicy({ KeyId: key, Policy: policy }, alice);
    await core.encrypt({ KeyId: key, Plaintext: Buffer.from('x'), EncryptionContext: { tenant: 't1' } }, alice);
    expect((await kmsError(() => core.encrypt({ KeyId: key, Plaintext: Buffer.from('x') }, alice))).type).toBe('AccessDeniedException');
    const bad = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: alice.arn }, Action: 'kms:*', Resource: '*', Condition: { 'ForAllValues:StringEquals': { 'kms:EncryptionContext:a': 'b' } } }],
    });
    expect((await kmsError(() => core.putKeyPolicy({ KeyId: key, Policy: bad }, alice))).type).toBe('MalformedPolicyDocumentException');
    expect((await kmsError(() => core.putKeyPolicy({ KeyId: key, Policy: '{"Statement": 1}' }, alice))).type).toBe('MalformedPolicyDocumentException');
    expect((await kmsError(() => core.putKeyPolicy({ KeyId: key, Policy: policy, PolicyName: 'other' }, alice))).type).toBe('NotFoundException');
  });

  it('let an identity-policy Deny win over a key policy Allow, with the identity-based message', async () => {
    const denyAll = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'kms:Encrypt', Resource: '*' }] });
    const denied: Caller = { ...alice, identityPolicies: [denyAll] };
    const err = await kmsError(() => core.encrypt({ KeyId: key, Plaintext: Buffer.from('x') }, denied));
    expect(err.message).toBe(`User: ${alice.arn} is not authorized to perform: kms:Encrypt on resource: ${key} with an explicit deny in an identity-based policy`);
  });
});
