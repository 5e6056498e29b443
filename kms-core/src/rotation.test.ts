import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { alice, aliceViaS3, kmsError, openClockedCore } from './test-fixtures.js';
import type { TestClock } from './test-fixtures.js';

let clock: TestClock;
let core: KmsCore;
beforeEach(async () => ({ clock, core } = await openClockedCore()));
afterEach(() => core.close());

const ctx = { purpose: 'rotation' };

async function newKey(): Promise<{ KeyId: string; Arn: string }> {
  const { KeyMetadata } = await core.createKey({}, alice);
  return { KeyId: KeyMetadata.KeyId, Arn: KeyMetadata.Arn };
}

describe('RotateKeyOnDemand', () => {
  it('keeps every earlier blob decrypting and wraps new data keys under the newest material', async () => {
    const key = await newKey();
    const blobs = [];
    for (let i = 0; i < 4; i++) {
      const dk = await core.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', EncryptionContext: ctx }, alice);
      const current = (await core.describeKey({ KeyId: key.KeyId }, alice)).KeyMetadata.CurrentKeyMaterialId;
      expect(dk.KeyMaterialId).toBe(current);
      blobs.push(dk);
      if (i < 3) expect(await core.rotateKeyOnDemand({ KeyId: key.KeyId }, alice)).toEqual({ KeyId: key.Arn });
    }
    expect(new Set(blobs.map((b) => b.KeyMaterialId)).size).toBe(4);
    for (const dk of blobs) {
      const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: ctx }, alice);
      expect(out.Plaintext.equals(dk.Plaintext)).toBe(true);
      expect(out.KeyMaterialId).toBe(dk.KeyMaterialId);
    }
    const listed = await core.listKeyRotations({ KeyId: key.KeyId }, alice);
    expect(listed.Rotations).toHaveLength(3);
    expect(listed.Rotations.every((r) => r.RotationType === 'ON_DEMAND' && r.KeyId === key.Arn)).toBe(true);
    expect(listed.Rotations[2].KeyMaterialState).toBe('CURRENT');
    const all = await core.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Limit: 2 }, alice);
    expect(all).toMatchObject({ Truncated: true });
    expect(all.Rotations[0].RotationType).toBeUndefined();
    const rest = await core.listKeyRotations({ KeyId: key.KeyId, IncludeKeyMaterial: 'ALL_KEY_MATERIAL', Marker: all.NextMarker }, alice);
    expect(rest.Rotations).toHaveLength(2);
  });

  it('stops at 25 rotations with the AWS text', async () => {
    const key = await newKey();
    for (let i = 0; i < 25; i++) await core.rotateKeyOnDemand({ KeyId: key.KeyId }, alice);
    const err = await kmsError(() => core.rotateKeyOnDemand({ KeyId: key.KeyId }, alice));
    expect(err.type).toBe('LimitExceededException');
    expect(err.message).toBe(
      `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${key.Arn}`,
    );
  });

  it('honours key state, origin and key manager', async () => {
    const key = await newKey();
    await core.disableKey({ KeyId: key.KeyId }, alice);
    expect(await kmsError(() => core.rotateKeyOnDemand({ KeyId: key.KeyId }, alice))).toMatchObject({ type: 'DisabledException', message: `${key.Arn} is disabled.` });
    await core.scheduleKeyDeletion({ KeyId: key.KeyId }, alice);
    expect((await kmsError(() => core.rotateKeyOnDemand({ KeyId: key.KeyId }, alice))).type).toBe('KMSInvalidStateException');
    const external = (await core.createKey({ Origin: 'EXTERNAL' }, alice)).KeyMetadata;
    expect(await kmsError(() => core.rotateKeyOnDemand({ KeyId: external.KeyId }, alice))).toMatchObject({
      type: 'UnsupportedOperationException',
      message: `${external.Arn} origin is EXTERNAL which is not valid for this operation.`,
    });
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect((await kmsError(() => core.rotateKeyOnDemand({ KeyId: managed.KeyId }, alice))).type).toBe('AccessDeniedException');
    expect((await kmsError(() => core.rotateKeyOnDemand({ KeyId: 'alias/x' }, alice))).message).toBe("Invalid keyId 'alias/x'");
  });
});

describe('automatic rotation', () => {
  it('is off by default, then rotates one period after enabling, and again each period', async () => {
    const key = await newKey();
    expect(await core.getKeyRotationStatus({ KeyId: key.KeyId }, alice)).toEqual({ KeyRotationEnabled: false, KeyId: key.Arn });
    await core.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 }, alice);
    const status = await core.getKeyRotationStatus({ KeyId: key.KeyId }, alice);
    expect(status).toEqual({ KeyRotationEnabled: true, KeyId: key.Arn, RotationPeriodInDays: 90, NextRotationDate: new Date('2025-04-01T00:00:00.000Z') });
    const old = await core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('before') }, alice);
    clock.advanceDays(89);
    expect((await core.listKeyRotations({ KeyId: key.KeyId }, alice)).Rotations).toHaveLength(0);
    clock.advanceDays(1);
    const rotations = (await core.listKeyRotations({ KeyId: key.KeyId }, alice)).Rotations;
    expect(rotations).toEqual([expect.objectContaining({ RotationType: 'AUTOMATIC', RotationDate: new Date('2025-04-01T00:00:00.000Z') })]);
    clock.advanceDays(90);
    expect((await core.listKeyRotations({ KeyId: key.KeyId }, alice)).Rotations).toHaveLength(2);
    expect(Buffer.from((await core.decrypt({ CiphertextBlob: old.CiphertextBlob }, alice)).Plaintext).toString()).toBe('before');
    await core.disableKeyRotation({ KeyId: key.KeyId }, alice);
    clock.advanceDays(400);
    expect((await core.listKeyRotations({ KeyId: key.KeyId }, alice)).Rotations).toHaveLength(2);
  });

  it('validates the period and key state with AWS errors', async () => {
    const key = await newKey();
    expect((await kmsError(() => core.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 89 }, alice))).message).toBe(
      "1 validation error detected: Value '89' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 90",
    );
    expect((await kmsError(() => core.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 2561 }, alice))).type).toBe('ValidationException');
    await core.disableKey({ KeyId: key.KeyId }, alice);
    expect((await kmsError(() => core.enableKeyRotation({ KeyId: key.KeyId }, alice))).type).toBe('DisabledException');
    expect((await kmsError(() => core.disableKeyRotation({ KeyId: key.KeyId }, alice))).type).toBe('DisabledException');
    await core.scheduleKeyDeletion({ KeyId: key.KeyId }, alice);
    expect((await kmsError(() => core.enableKeyRotation({ KeyId: key.KeyId }, alice))).type).toBe('KMSInvalidStateException');
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect((await kmsError(() => core.enableKeyRotation({ KeyId: managed.KeyId }, alice))).type).toBe('AccessDeniedException');
    expect((await kmsError(() => core.disableKeyRotation({ KeyId: managed.KeyId }, alice))).type).toBe('AccessDeniedException');
  });

  it('skips a disabled key and catches up as soon as it is enabled again', async () => {
    const key = await newKey();
    await core.enableKeyRotation({ KeyId: key.KeyId, RotationPeriodInDays: 90 }, alice);
    await core.disableKey({ KeyId: key.KeyId }, alice);
    clock.advanceDays(200);
    expect((await core.listKeyRotations({ KeyId: key.KeyId }, alice)).Rotations).toHaveLength(0);
    await core.enableKey({ KeyId: key.KeyId }, alice);
    expect((await core.listKeyRotations({ KeyId: key.KeyId }, alice)).Rotations).toHaveLength(1);
  });

  it('rotates the AWS managed key every year, which reports rotation on and cannot change it', async () => {
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect(await core.getKeyRotationStatus({ KeyId: managed.KeyId }, alice)).toEqual({
      KeyRotationEnabled: true,
      KeyId: managed.Arn,
      RotationPeriodInDays: 365,
      NextRotationDate: new Date('2026-01-01T00:00:00.000Z'),
    });
    const blob = await core.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }, aliceViaS3);
    clock.advanceDays(365);
    await core.runScheduledWork();
    const rotated = (await core.describeKey({ KeyId: managed.KeyId }, alice)).KeyMetadata;
    expect(rotated.CurrentKeyMaterialId).not.toBe(managed.CurrentKeyMaterialId);
    expect((await core.decrypt({ CiphertextBlob: blob.CiphertextBlob }, aliceViaS3)).Plaintext.equals(blob.Plaintext)).toBe(true);
    expect((await core.getKeyRotationStatus({ KeyId: managed.KeyId }, alice)).NextRotationDate).toEqual(new Date('2027-01-01T00:00:00.000Z'));
  });

  it('reads false while pending deletion and comes back when the deletion is cancelled', async () => {
    const key = await newKey();
    await core.enableKeyRotation({ KeyId: key.KeyId }, alice);
    await core.scheduleKeyDeletion({ KeyId: key.KeyId }, alice);
    expect((await core.getKeyRotationStatus({ KeyId: key.KeyId }, alice)).KeyRotationEnabled).toBe(false);
    await core.cancelKeyDeletion({ KeyId: key.KeyId }, alice);
    expect((await core.getKeyRotationStatus({ KeyId: key.KeyId }, alice)).KeyRotationEnabled).toBe(true);
  });
});
