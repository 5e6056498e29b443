import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { ACCOUNT, alice, kmsError, mallory, openClockedCore } from './test-fixtures.js';
import type { TestClock } from './test-fixtures.js';

let clock: TestClock;
let core: KmsCore;
beforeEach(async () => ({ clock, core } = await openClockedCore()));
afterEach(() => core.close());

const data = Buffer.from('secret');

describe('CreateKey / DescribeKey', () => {
  it('creates an Enabled symmetric customer key with AWS metadata', async () => {
    const { KeyMetadata: m } = await core.createKey({ Description: 'test key' }, alice);
    expect(m.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(m).toEqual({
      AWSAccountId: ACCOUNT,
      KeyId: m.KeyId,
      Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${m.KeyId}`,
      CreationDate: new Date('2025-01-01T00:00:00.000Z'),
      Enabled: true,
      Description: 'test key',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: m.CurrentKeyMaterialId,
    });
    expect(m.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const described = await core.describeKey({ KeyId: m.Arn }, alice);
    expect(described.KeyMetadata).toEqual(m);
  });

  it('defaults the description to empty', async () => {
    expect((await core.createKey({}, alice)).KeyMetadata.Description).toBe('');
  });

  it('refuses unsupported key types', async () => {
    const err = await kmsError(() => core.createKey({ KeyUsage: 'SIGN_VERIFY' as 'ENCRYPT_DECRYPT' }, alice));
    expect(err.type).toBe('UnsupportedOperationException');
    const bad = await kmsError(() => core.createKey({ KeyUsage: 'NOPE' as 'ENCRYPT_DECRYPT' }, alice));
    expect(bad.message).toBe(
      "1 validation error detected: Value 'NOPE' at 'keyUsage' failed to satisfy constraint: Member must satisfy enum value set: [SIGN_VERIFY, ENCRYPT_DECRYPT, GENERATE_VERIFY_MAC, KEY_AGREEMENT]",
    );
  });

  it('refuses a policy that is not JSON', async () => {
    expect((await kmsError(() => core.createKey({ Policy: 'not json' }, alice))).type).toBe('MalformedPolicyDocumentException');
  });

  it('reports missing and malformed keys with AWS texts', async () => {
    const absent = '11111111-2222-4333-8444-555555555555';
    expect((await kmsError(() => core.describeKey({ KeyId: absent }, alice))).message).toBe(
      `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${absent}' does not exist`,
    );
    expect((await kmsError(() => core.describeKey({ KeyId: 'nope' }, alice))).message).toBe("Invalid keyId 'nope'");
    expect((await kmsError(() => core.describeKey({ KeyId: `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${absent}` }, alice))).message).toBe(
      'Invalid arn eu-west-1',
    );
    expect((await kmsError(() => core.describeKey({ KeyId: 'alias/none' }, alice))).message).toBe(
      `Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/none is not found.`,
    );
    const err = await kmsError(() => core.describeKey({ KeyId: '' }, alice));
    expect(err.type).toBe('ValidationException');
    expect(err.message).toBe("1 validation error detected: Value '' at 'keyId' failed to satisfy constraint: Member must have length greater than or equal to 1");
  });

  it('denies callers from another account', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const err = await kmsError(() => core.describeKey({ KeyId: m.Arn }, mallory));
    expect(err.type).toBe('AccessDeniedException');
    expect(err.message).toBe(
      `User: ${mallory.arn} is not authorized to perform: kms:DescribeKey on resource: ${m.Arn} because no resource-based policy allows the kms:DescribeKey action`,
    );
    expect((await kmsError(() => core.createKey({}, mallory))).type).toBe('AccessDeniedException');
  });

  it('does not lose keys created in parallel', async () => {
    const created = await Promise.all(Array.from({ length: 20 }, () => core.createKey({}, alice)));
    const listed = await core.listKeys({ Limit: 1000 }, alice);
    expect(listed.Keys.map((k) => k.KeyId).sort()).toEqual(created.map((c) => c.KeyMetadata.KeyId).sort());
  });
});

describe('ListKeys paging', () => {
  it('pages with Limit and Marker and reports Truncated', async () => {
    const ids = (await Promise.all([1, 2, 3, 4, 5].map(() => core.createKey({}, alice)))).map((c) => c.KeyMetadata.KeyId).sort();
    const first = await core.listKeys({ Limit: 2 }, alice);
    expect(first.Truncated).toBe(true);
    expect(first.Keys.map((k) => k.KeyId)).toEqual(ids.slice(0, 2));
    const second = await core.listKeys({ Limit: 2, Marker: first.NextMarker }, alice);
    expect(second.Keys.map((k) => k.KeyId)).toEqual(ids.slice(2, 4));
    const last = await core.listKeys({ Limit: 2, Marker: second.NextMarker }, alice);
    expect(last).toEqual({ Keys: [{ KeyId: ids[4], KeyArn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${ids[4]}` }], Truncated: false });
  });

  it('refuses a forged marker and an out-of-range limit', async () => {
    expect((await kmsError(() => core.listKeys({ Marker: 'garbage!' }, alice))).type).toBe('InvalidMarkerException');
    expect((await kmsError(() => core.listKeys({ Limit: 0 }, alice))).message).toBe(
      "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
  });
});

describe('key states', () => {
  it('Disable/Enable toggles usability with DisabledException in between', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.disableKey({ KeyId: m.KeyId }, alice);
    expect((await core.describeKey({ KeyId: m.KeyId }, alice)).KeyMetadata).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    const err = await kmsError(() => core.encrypt({ KeyId: m.KeyId, Plaintext: data }, alice));
    expect(err.type).toBe('DisabledException');
    expect(err.message).toBe(`${m.Arn} is disabled.`);
    await core.enableKey({ KeyId: m.Arn }, alice);
    expect((await core.encrypt({ KeyId: m.KeyId, Plaintext: data }, alice)).KeyId).toBe(m.Arn);
  });

  it('Enable/Disable/Schedule/Cancel refuse aliases (key id or ARN only)', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/k', TargetKeyId: m.KeyId }, alice);
    expect((await kmsError(() => core.disableKey({ KeyId: 'alias/k' }, alice))).message).toBe("Invalid keyId 'alias/k'");
    expect((await kmsError(() => core.scheduleKeyDeletion({ KeyId: 'alias/k' }, alice))).message).toBe("Invalid keyId 'alias/k'");
  });

  it('ScheduleKeyDeletion: default 30 days, pending state, repeated call fails', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const out = await core.scheduleKeyDeletion({ KeyId: m.KeyId }, alice);
    expect(out).toEqual({
      KeyId: m.Arn,
      DeletionDate: new Date('2025-01-31T00:00:00.000Z'),
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 30,
    });
    const described = (await core.describeKey({ KeyId: m.KeyId }, alice)).KeyMetadata;
    expect(described).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2025-01-31T00:00:00.000Z') });
    const again = await kmsError(() => core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 7 }, alice));
    expect(again.type).toBe('KMSInvalidStateException');
    expect(again.message).toBe(`${m.Arn} is pending deletion.`);
    for (const op of [() => core.enableKey({ KeyId: m.KeyId }, alice), () => core.disableKey({ KeyId: m.KeyId }, alice)]) {
      const err = await kmsError(op);
      expect(err.type).toBe('KMSInvalidStateException');
      expect(err.message).toBe(`${m.Arn} is pending deletion.`);
    }
    const enc = await kmsError(() => core.encrypt({ KeyId: m.KeyId, Plaintext: data }, alice));
    expect(enc.type).toBe('KMSInvalidStateException');
    expect(enc.message).toBe(`${m.Arn} is pending deletion.`);
  });

  it('validates the pending window', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    expect((await kmsError(() => core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 6 }, alice))).message).toBe(
      'PendingWindowInDays should be between 7 and 30, but it is 6',
    );
    expect((await kmsError(() => core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 31 }, alice))).type).toBe('ValidationException');
    expect((await kmsError(() => core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 0 }, alice))).message).toBe(
      "1 validation error detected: Value '0' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect((await core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 7 }, alice)).PendingWindowInDays).toBe(7);
  });

  it('CancelKeyDeletion leaves the key Disabled, and fails on a key not pending', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const notPending = await kmsError(() => core.cancelKeyDeletion({ KeyId: m.KeyId }, alice));
    expect(notPending.type).toBe('KMSInvalidStateException');
    expect(notPending.message).toBe(`${m.Arn} is not pending deletion.`);
    await core.scheduleKeyDeletion({ KeyId: m.KeyId }, alice);
    expect(await core.cancelKeyDeletion({ KeyId: m.KeyId }, alice)).toEqual({ KeyId: m.Arn });
    const after = (await core.describeKey({ KeyId: m.KeyId }, alice)).KeyMetadata;
    expect(after.KeyState).toBe('Disabled');
    expect(after.DeletionDate).toBeUndefined();
    await core.enableKey({ KeyId: m.KeyId }, alice);
    expect((await core.describeKey({ KeyId: m.KeyId }, alice)).KeyMetadata.KeyState).toBe('Enabled');
  });

  it('deletes the key and its aliases once the window has elapsed', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/doomed', TargetKeyId: m.KeyId }, alice);
    const blob = (await core.encrypt({ KeyId: m.KeyId, Plaintext: data }, alice)).CiphertextBlob;
    await core.scheduleKeyDeletion({ KeyId: m.KeyId, PendingWindowInDays: 7 }, alice);
    clock.advanceDays(6.9);
    expect((await core.describeKey({ KeyId: m.KeyId }, alice)).KeyMetadata.KeyState).toBe('PendingDeletion');
    clock.advanceDays(0.1);
    const gone = await kmsError(() => core.describeKey({ KeyId: m.KeyId }, alice));
    expect(gone.type).toBe('NotFoundException');
    expect(gone.message).toBe(`Key '${m.Arn}' does not exist`);
    expect((await core.listKeys({}, alice)).Keys).toEqual([]);
    expect((await core.listAliases({}, alice)).Aliases.map((a) => a.AliasName)).toEqual(['alias/aws/s3']);
    const dec = await kmsError(() => core.decrypt({ CiphertextBlob: blob }, alice));
    expect(dec.type).toBe('AccessDeniedException');
  });
});
