import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { ACCOUNT, alice, kmsError, openTestCore, testClock } from './test-fixtures.js';
import type { TestClock } from './test-fixtures.js';

let clock: TestClock;
let core: KmsCore;
beforeEach(async () => {
  clock = testClock('2025-01-01T00:00:00.250Z');
  core = await openTestCore(clock);
});
afterEach(async () => {
  await core.close();
});

/** Sends `input` through JSON text and back, as the HTTP layer would. */
async function call(op: string, input: unknown): Promise<Record<string, unknown>> {
  const out = await core.dispatchJson(op, JSON.parse(JSON.stringify(input)), alice);
  expect(JSON.parse(JSON.stringify(out))).toEqual(out);
  return out;
}

describe('dispatchJson', () => {
  it('CreateKey/DescribeKey answer AWS JSON with epoch-second dates', async () => {
    const created = await call('CreateKey', { Description: 'json key', Tags: [{ TagKey: 'team', TagValue: 'a' }] });
    const meta = created.KeyMetadata as Record<string, unknown>;
    expect(meta).toEqual({
      AWSAccountId: ACCOUNT,
      KeyId: meta.KeyId,
      Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${String(meta.KeyId)}`,
      CreationDate: 1735689600.25,
      Enabled: true,
      Description: 'json key',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: meta.CurrentKeyMaterialId,
    });
    expect(await call('DescribeKey', { KeyId: meta.KeyId })).toEqual(created);
  });

  it('Encrypt/Decrypt/GenerateDataKey carry blobs as base64', async () => {
    const meta = (await call('CreateKey', {})).KeyMetadata as { KeyId: string; Arn: string };
    const ctx = { 'aws:s3:arn': 'arn:aws:s3:::b/k' };
    const enc = await call('Encrypt', { KeyId: meta.KeyId, Plaintext: Buffer.from('hello json').toString('base64'), EncryptionContext: ctx });
    expect(Object.keys(enc).sort()).toEqual(['CiphertextBlob', 'EncryptionAlgorithm', 'KeyId']);
    expect(enc.KeyId).toBe(meta.Arn);
    expect(enc.EncryptionAlgorithm).toBe('SYMMETRIC_DEFAULT');
    expect(typeof enc.CiphertextBlob).toBe('string');
    const dec = await call('Decrypt', { CiphertextBlob: enc.CiphertextBlob, EncryptionContext: ctx, GrantTokens: [] });
    expect(Buffer.from(dec.Plaintext as string, 'base64').toString()).toBe('hello json');
    expect(dec.KeyId).toBe(meta.Arn);
    expect(dec.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);

    const gdk = await call('GenerateDataKey', { KeyId: meta.Arn, KeySpec: 'AES_256' });
    expect(Object.keys(gdk).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId', 'Plaintext']);
    expect(Buffer.from(gdk.Plaintext as string, 'base64')).toHaveLength(32);
    const back = await call('Decrypt', { CiphertextBlob: gdk.CiphertextBlob, KeyId: meta.Arn });
    expect(back.Plaintext).toBe(gdk.Plaintext);
  });

  it('void operations answer {} and lifecycle dates are numbers', async () => {
    const meta = (await call('CreateKey', {})).KeyMetadata as { KeyId: string; Arn: string };
    expect(await call('DisableKey', { KeyId: meta.KeyId })).toEqual({});
    expect(await call('EnableKey', { KeyId: meta.KeyId })).toEqual({});
    expect(await call('CreateAlias', { AliasName: 'alias/json', TargetKeyId: meta.KeyId })).toEqual({});
    expect(await call('ScheduleKeyDeletion', { KeyId: meta.KeyId, PendingWindowInDays: 7 })).toEqual({
      KeyId: meta.Arn,
      DeletionDate: 1735689600.25 + 7 * 86400,
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
    });
    expect(await call('CancelKeyDeletion', { KeyId: meta.KeyId })).toEqual({ KeyId: meta.Arn });
    const aliases = await call('ListAliases', { KeyId: meta.KeyId });
    expect(aliases).toEqual({
      Aliases: [
        {
          AliasName: 'alias/json',
          AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/json`,
          TargetKeyId: meta.KeyId,
          CreationDate: 1735689600.25,
          LastUpdatedDate: 1735689600.25,
        },
      ],
      Truncated: false,
    });
    expect(await call('ListKeys', {})).toEqual({ Keys: [{ KeyId: meta.KeyId, KeyArn: meta.Arn }], Truncated: false });
  });

  it('reports missing members, wrong types and bad base64 as ValidationException', async () => {
    const missing = await kmsError(() => core.dispatchJson('Encrypt', {}, alice));
    expect(missing.type).toBe('ValidationException');
    expect(missing.message).toBe(
      "2 validation errors detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'plaintext' failed to satisfy constraint: Member must not be null",
    );
    const wrongType = await kmsError(() => core.dispatchJson('DescribeKey', { KeyId: 42 }, alice));
    expect(wrongType.message).toBe("1 validation error detected: Value at 'keyId' failed to satisfy constraint: Member must be a string");
    const badBlob = await kmsError(() => core.dispatchJson('Decrypt', { CiphertextBlob: 'not base64!' }, alice));
    expect(badBlob.type).toBe('ValidationException');
    const badCtx = await kmsError(() => core.dispatchJson('Decrypt', { CiphertextBlob: 'AAAA', EncryptionContext: { a: 1 } }, alice));
    expect(badCtx.type).toBe('ValidationException');
    const badInt = await kmsError(() => core.dispatchJson('GenerateDataKey', { KeyId: 'alias/aws/s3', NumberOfBytes: 1.5 }, alice));
    expect(badInt.message).toBe("1 validation error detected: Value at 'numberOfBytes' failed to satisfy constraint: Member must be an integer");
  });

  it('passes typed errors through unchanged', async () => {
    const err = await kmsError(() => core.dispatchJson('DescribeKey', { KeyId: 'alias/none' }, alice));
    expect(err.type).toBe('NotFoundException');
    expect(err.httpStatus).toBe(400);
    expect(err.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/none is not found.`);
  });

  it('answers UnknownOperationException for anything not implemented', async () => {
    for (const op of ['Sign', 'constructor', 'toString', '__proto__', '']) {
      const err = await kmsError(() => core.dispatchJson(op, {}, alice));
      expect(err.type).toBe('UnknownOperationException');
    }
  });

  it('ignores undeclared members; DryRun checks everything and does nothing', async () => {
    const out = await call('CreateKey', { Description: 'x', Surprise: true, KeyState: 'Disabled' });
    expect((out.KeyMetadata as { KeyState: string }).KeyState).toBe('Enabled');
    const keyId = (out.KeyMetadata as { KeyId: string }).KeyId;
    const dry = await kmsError(() => core.dispatchJson('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', DryRun: true }, alice));
    expect(dry.type).toBe('DryRunOperationException');
    expect(dry.message).toBe('The request would have succeeded, but the DryRun option is set.');
    expect((await call('ListKeys', {})).Keys).toHaveLength(1);
  });
});
