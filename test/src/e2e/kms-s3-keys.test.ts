/**
 * What key rotation and key deletion mean for objects stored through S3 with SSE-KMS: objects
 * written before any number of rotations still read; a key pending deletion or disabled refuses
 * GETs; once the waiting period has passed on the KMS's (injected) clock, the key, its aliases
 * and its material are gone from the keystore file and its objects are unreadable for good.
 */
import { describe, expect, it } from '@jest/globals';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  EnableKeyCommand,
  ListAliasesCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;
let kmsDaysAhead = 0;
const fx = useGatewayWithBucket('kms-keys', { now: () => new Date(Date.now() + kmsDaysAhead * DAY_MS) });

async function newKey(): Promise<{ KeyId: string; Arn: string }> {
  const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({ Description: 'objects' }));
  return { KeyId: KeyMetadata!.KeyId!, Arn: KeyMetadata!.Arn! };
}

async function put(key: string, body: string, keyId: string): Promise<void> {
  const out = await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: key, Body: body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId }));
  expect(out.ServerSideEncryption).toBe('aws:kms');
}

async function get(key: string): Promise<string> {
  const out = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key }));
  return (await bodyBytes(out.Body)).toString('utf8');
}

describe('SSE-KMS objects across key rotation', () => {
  it('reads objects written before three on-demand rotations and after them', async () => {
    const key = await newKey();
    await put('rotation/before', 'written under the first material', key.KeyId);
    for (let i = 0; i < 3; i++) await fx.gw.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    await put('rotation/after', 'written under the fourth material', key.Arn);
    expect(await get('rotation/before')).toBe('written under the first material');
    expect(await get('rotation/after')).toBe('written under the fourth material');
  });
});

describe('SSE-KMS objects across key deletion', () => {
  it('refuses GETs while pending deletion and after cancelling (Disabled), reads again once enabled', async () => {
    const key = await newKey();
    await put('deletion/cancelled', 'still here', key.KeyId);
    await fx.gw.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    expect(await errorOf(get('deletion/cancelled'))).toMatchObject({ name: 'KMS.KMSInvalidStateException', status: 400 });
    await fx.gw.kms.send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await fx.gw.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Disabled');
    expect(await errorOf(get('deletion/cancelled'))).toMatchObject({ name: 'KMS.DisabledException', status: 400 });
    await fx.gw.kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    expect(await get('deletion/cancelled')).toBe('still here');
  });

  it('deletes the key, its alias and its material when the window passes: GETs fail for good', async () => {
    const key = await newKey();
    await fx.gw.kms.send(new CreateAliasCommand({ AliasName: 'alias/doomed', TargetKeyId: key.KeyId }));
    await put('deletion/final', 'soon unreadable', 'alias/doomed');
    await fx.gw.kms.send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }));
    const keystorePath = join(fx.gw.dataDir, 'kms', 'keystore.json');
    const before = JSON.parse(await readFile(keystorePath, 'utf8')) as { keys: Record<string, { materials: { sealed: string; materialId: string }[] }> };
    const materials = before.keys[key.KeyId].materials;
    expect(materials).toHaveLength(2);

    await fx.gw.kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    kmsDaysAhead = 6;
    expect(await errorOf(get('deletion/final'))).toMatchObject({ name: 'KMS.KMSInvalidStateException' });
    kmsDaysAhead = 8;
    const gone = await errorOf(get('deletion/final'));
    expect(gone).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await errorOf(fx.gw.kms.send(new DescribeKeyCommand({ KeyId: key.KeyId })))).toMatchObject({
      name: 'NotFoundException',
      status: 400,
      message: `Key '${key.Arn}' does not exist`,
    });
    expect((await fx.gw.kms.send(new ListAliasesCommand({}))).Aliases!.map((a) => a.AliasName)).not.toContain('alias/doomed');
    const text = await readFile(keystorePath, 'utf8');
    expect(text).not.toContain(key.KeyId);
    for (const m of materials) {
      expect(text).not.toContain(m.sealed);
      expect(text).not.toContain(m.materialId);
    }
    expect((await errorOf(get('deletion/final'))).name).toBe('AccessDenied');
  });
});
