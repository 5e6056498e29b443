// The data plane keeps what it worked out (unsealed material and its XAES cipher, parsed
// policies, prepared decisions) and answers without a promise turn of its own. None of that may
// outlive a change: each case warms the path with a GenerateDataKey+Decrypt pair first, changes
// the key, and expects the very next call to see the change.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { ACCOUNT, alice, kmsError, openClockedCore } from './test-fixtures.js';
import type { TestClock } from './test-fixtures.js';
import type { Caller } from './types.js';

let clock: TestClock;
let core: KmsCore;
beforeEach(async () => ({ clock, core } = await openClockedCore()));
afterEach(() => core.close());

const context = { 'aws:s3:arn': 'arn:aws:s3:::docs/report.pdf' };
const bob: Caller = { arn: `arn:aws:iam::${ACCOUNT}:user/bob`, accountId: ACCOUNT, identityPolicies: [] };

/** A GenerateDataKey+Decrypt pair on `keyId` (warming every cache on the way); the blob and its material. */
async function pair(keyId: string, caller: Caller = alice): Promise<{ blob: Buffer; materialId: string }> {
  const dk = await core.generateDataKey({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: { ...context } }, { ...caller });
  const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: { ...context } }, { ...caller });
  expect(out.Plaintext.equals(dk.Plaintext)).toBe(true);
  return { blob: dk.CiphertextBlob, materialId: dk.KeyMaterialId };
}

const refusal = async (call: () => Promise<unknown>): Promise<string> => (await kmsError(call)).type;

describe('the warm data plane sees every change at once', () => {
  it('disable and enable', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const { blob } = await pair(m.Arn);
    await core.disableKey({ KeyId: m.KeyId }, alice);
    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, alice))).toBe('DisabledException');
    expect(await refusal(() => core.generateDataKey({ KeyId: m.Arn, KeySpec: 'AES_256' }, alice))).toBe('DisabledException');
    await core.enableKey({ KeyId: m.KeyId }, alice);
    await pair(m.Arn);
  });

  it('rotation: new data keys use the new material, earlier blobs still open with theirs', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const before = await pair(m.Arn);
    await core.rotateKeyOnDemand({ KeyId: m.KeyId }, alice);
    const after = await pair(m.Arn);
    expect(after.materialId).not.toBe(before.materialId);
    expect((await core.decrypt({ CiphertextBlob: before.blob, EncryptionContext: context }, alice)).KeyMaterialId).toBe(before.materialId);
  });

  it('deletion: pending deletion refuses at once, and once the window has passed the blob names no key', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const { blob } = await pair(m.Arn);
    await core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 7 }, alice);
    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, alice))).toBe('KMSInvalidStateException');
    clock.advanceDays(8);
    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, alice))).toBe('AccessDeniedException');
    expect(await refusal(() => core.generateDataKey({ KeyId: m.Arn, KeySpec: 'AES_256' }, alice))).toBe('NotFoundException');
  });

  it('a key policy put, an identity policy changed, a grant revoked', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const { blob } = await pair(m.Arn);
    const root = { Sid: 'Root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
    const denyDecrypt = { Effect: 'Deny', Principal: { AWS: alice.arn }, Action: 'kms:Decrypt', Resource: '*' };
    await core.putKeyPolicy({ KeyId: m.KeyId, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [root, denyDecrypt] }) }, alice);
    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, alice))).toBe('AccessDeniedException');
    await core.putKeyPolicy({ KeyId: m.KeyId, Policy: JSON.stringify({ Version: '2012-10-17', Statement: [root] }) }, alice);
    await pair(m.Arn);

    const onlyEncrypt = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*' }] });
    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, { ...alice, identityPolicies: [onlyEncrypt] }))).toBe('AccessDeniedException');

    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, bob))).toBe('AccessDeniedException');
    const grant = await core.createGrant({ KeyId: m.KeyId, GranteePrincipal: bob.arn, Operations: ['Decrypt', 'GenerateDataKey'] }, alice);
    await pair(m.Arn, bob);
    await core.revokeGrant({ KeyId: m.KeyId, GrantId: grant.GrantId }, alice);
    expect(await refusal(() => core.decrypt({ CiphertextBlob: blob, EncryptionContext: context }, bob))).toBe('AccessDeniedException');
  });

  it('an alias moved to another key', async () => {
    const first = (await core.createKey({}, alice)).KeyMetadata;
    const second = (await core.createKey({}, alice)).KeyMetadata;
    await core.createAlias({ AliasName: 'alias/docs', TargetKeyId: first.KeyId }, alice);
    expect((await core.generateDataKey({ KeyId: 'alias/docs', KeySpec: 'AES_256' }, alice)).KeyId).toBe(first.Arn);
    await core.updateAlias({ AliasName: 'alias/docs', TargetKeyId: second.KeyId }, alice);
    expect((await core.generateDataKey({ KeyId: 'alias/docs', KeySpec: 'AES_256' }, alice)).KeyId).toBe(second.Arn);
  });

  it('alias/aws/s3, named first by a GenerateDataKey, is created on the way and then answered at once', async () => {
    const viaS3 = { ...alice, viaService: 's3.us-east-1.amazonaws.com' };
    const first = await core.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256', EncryptionContext: context }, viaS3);
    const second = await core.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256', EncryptionContext: context }, viaS3);
    expect(second.KeyId).toBe(first.KeyId);
    expect((await core.decrypt({ CiphertextBlob: first.CiphertextBlob, EncryptionContext: context }, viaS3)).Plaintext.equals(first.Plaintext)).toBe(true);
  });
});
