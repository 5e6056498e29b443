import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { constants, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsCore } from '../kms-core.js';
import { ACCOUNT, REGION, TEST_ROOT_KEY, alice, kmsError, testClock } from '../test-fixtures.js';
import type { TestClock } from '../test-fixtures.js';
import type { Caller } from '../types.js';
import { readAuditTrail } from './reader.js';
import type { AuditRecord } from './record.js';

let dir: string;
let auditPath: string;
let clock: TestClock;
let core: KmsCore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kms-trail-'));
  auditPath = join(dir, 'audit.log');
  clock = testClock();
  core = await KmsCore.open({ keystorePath: null, auditPath, rootKey: Buffer.from(TEST_ROOT_KEY), region: REGION, accountId: ACCOUNT, now: clock.now, scheduleIntervalMs: 0 });
});
afterEach(async () => {
  await core.close();
  await rm(dir, { recursive: true, force: true });
});

const s3Caller: Caller = { ...alice, requestId: 'REQ123', sourceIp: '127.0.0.1', userAgent: 'aws-cli/2', invokedBy: 's3.amazonaws.com', accessKeyId: 'AKIDEXAMPLE' };
const trail = (): Promise<AuditRecord[]> => readAuditTrail(auditPath);
const last = async (): Promise<AuditRecord> => (await trail()).at(-1)!;

describe('audit trail in kms-core', () => {
  it('records a data-key call in CloudTrail shape, with no key material, before it answers', async () => {
    const { KeyMetadata } = await core.createKey({ Description: 'k' }, alice);
    const context = { 'aws:s3:arn': 'arn:aws:s3:::b/o' };
    const dk = await core.generateDataKey({ KeyId: KeyMetadata.KeyId, KeySpec: 'AES_256', EncryptionContext: context }, s3Caller);
    const r = await last();
    expect(r).toMatchObject({
      eventVersion: '1.11',
      eventSource: 'kms.amazonaws.com',
      eventName: 'GenerateDataKey',
      eventTime: '2025-01-01T00:00:00Z',
      awsRegion: REGION,
      userIdentity: { type: 'IAMUser', arn: alice.arn, accountId: ACCOUNT, accessKeyId: 'AKIDEXAMPLE', userName: 'alice', invokedBy: 's3.amazonaws.com' },
      sourceIPAddress: '127.0.0.1',
      userAgent: 'aws-cli/2',
      requestParameters: { keyId: KeyMetadata.KeyId, keySpec: 'AES_256', encryptionContext: context },
      responseElements: null,
      requestID: 'REQ123',
      readOnly: true,
      resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: KeyMetadata.Arn }],
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    });
    expect(r.errorCode).toBeUndefined();
    const out = await core.decrypt({ CiphertextBlob: dk.CiphertextBlob, EncryptionContext: context }, s3Caller);
    const d = await last();
    expect(d.eventName).toBe('Decrypt');
    expect(d.resources[0]!.ARN).toBe(KeyMetadata.Arn);
    expect(d.requestParameters).toEqual({ encryptionContext: context, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const file = await readFile(auditPath);
    for (const secret of [dk.Plaintext, dk.CiphertextBlob, out.Plaintext]) {
      expect(file.includes(secret)).toBe(false);
      expect(file.includes(secret.toString('base64'))).toBe(false);
      expect(file.includes(secret.toString('hex'))).toBe(false);
    }
  });

  it('records management outputs (CreateKey keyMetadata, ScheduleKeyDeletion) and readOnly false', async () => {
    const { KeyMetadata } = await core.createKey({ Description: 'k', Tags: [{ TagKey: 'team', TagValue: 'a' }] }, alice);
    const created = await last();
    expect(created.readOnly).toBe(false);
    expect(created.requestParameters).toEqual({ description: 'k', tags: [{ tagKey: 'team', tagValue: 'a' }] });
    expect(created.responseElements).toMatchObject({ keyMetadata: { keyId: KeyMetadata.KeyId, arn: KeyMetadata.Arn, keyState: 'Enabled' } });
    await core.scheduleKeyDeletion({ KeyId: KeyMetadata.KeyId, PendingWindowInDays: 7 }, alice);
    expect((await last()).responseElements).toEqual({ keyId: KeyMetadata.Arn, keyState: 'PendingDeletion', deletionDate: '2025-01-08T00:00:00.000Z', pendingWindowInDays: 7 });
  });

  it('records refused calls with errorCode and errorMessage, resolving the key from the blob', async () => {
    const { KeyMetadata } = await core.createKey({}, alice);
    const { CiphertextBlob } = await core.encrypt({ KeyId: KeyMetadata.KeyId, Plaintext: Buffer.from('secret') }, alice);
    await core.disableKey({ KeyId: KeyMetadata.KeyId }, alice);
    const err = await kmsError(() => core.decrypt({ CiphertextBlob }, alice));
    const r = await last();
    expect(r).toMatchObject({ eventName: 'Decrypt', errorCode: 'DisabledException', errorMessage: err.message, responseElements: null });
    expect(r.resources[0]!.ARN).toBe(KeyMetadata.Arn);
    await kmsError(() => core.describeKey({ KeyId: 'alias/none' }, alice));
    expect(await last()).toMatchObject({ eventName: 'DescribeKey', errorCode: 'NotFoundException', resources: [] });
  });

  it('records a request the JSON layer refused before the operation ran, without its plaintext', async () => {
    const plaintext = Buffer.from('do-not-log-this').toString('base64');
    await expect(core.dispatchJson('Encrypt', { Plaintext: plaintext, KeyId: 'alias/x', EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }, alice)).rejects.toThrow();
    const r = await last();
    expect(r).toMatchObject({ eventName: 'Encrypt', errorCode: 'InvalidKeyUsageException', requestParameters: { keyId: 'alias/x' } });
    expect((await readFile(auditPath, 'utf8')).includes(plaintext)).toBe(false);
    // A refusal recorded by the operation is not recorded again by the JSON layer.
    const before = (await trail()).length;
    await expect(core.dispatchJson('DescribeKey', { KeyId: 'alias/none' }, alice)).rejects.toThrow();
    expect((await trail()).length).toBe(before + 1);
  });

  it('records scheduled deletion and automatic rotation as AwsServiceEvent', async () => {
    const { KeyMetadata: doomed } = await core.createKey({}, alice);
    const { KeyMetadata: rotating } = await core.createKey({}, alice);
    await core.enableKeyRotation({ KeyId: rotating.KeyId, RotationPeriodInDays: 90 }, alice);
    await core.scheduleKeyDeletion({ KeyId: doomed.KeyId, PendingWindowInDays: 7 }, alice);
    clock.advanceDays(91);
    await core.runScheduledWork();
    const service = (await trail()).filter((r) => r.eventType === 'AwsServiceEvent');
    const base = {
      eventSource: 'kms.amazonaws.com',
      userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
      sourceIPAddress: 'AWS Internal',
      userAgent: 'AWS Internal',
      requestParameters: null,
      eventTime: '2025-04-02T00:00:00Z',
    };
    expect(service).toHaveLength(2);
    expect(service).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ...base, eventName: 'DeleteKey', resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: doomed.Arn }] }),
        expect.objectContaining({ ...base, eventName: 'RotateKey', serviceEventDetails: { keyId: rotating.Arn } }),
      ]),
    );
  });
});

describe('audit of imported material expiry', () => {
  it('records DeleteExpiredKeyMaterial as an AwsServiceEvent', async () => {
    const { KeyMetadata } = await core.createKey({ Origin: 'EXTERNAL' }, alice);
    const params = await core.getParametersForImport({ KeyId: KeyMetadata.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_256', WrappingKeySpec: 'RSA_2048' }, alice);
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey), format: 'der', type: 'spki' });
    const material = randomBytes(32);
    const EncryptedKeyMaterial = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, material);
    await core.importKeyMaterial({ KeyId: KeyMetadata.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial, ValidTo: new Date('2025-01-03T00:00:00Z') }, alice);
    const file = await readFile(auditPath);
    for (const secret of [material, EncryptedKeyMaterial, Buffer.from(params.ImportToken)]) expect(file.includes(secret.toString('base64'))).toBe(false);
    clock.advanceDays(3);
    await core.runScheduledWork();
    expect(await last()).toMatchObject({
      eventName: 'DeleteExpiredKeyMaterial',
      eventType: 'AwsServiceEvent',
      userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
      resources: [{ ARN: KeyMetadata.Arn }],
    });
  });
});
