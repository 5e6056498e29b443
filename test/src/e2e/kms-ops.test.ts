/**
 * Every symmetric-key operation of the embedded KMS through @aws-sdk/client-kms, over the KMS
 * JSON protocol on the gateway's port: names, fields, states, exception names and statuses.
 */
import { describe, expect, it } from '@jest/globals';
import { constants, createCipheriv, createPublicKey, publicEncrypt, randomBytes } from 'node:crypto';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DeleteAliasCommand,
  DeleteImportedKeyMaterialCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  DisableKeyRotationCommand,
  EnableKeyCommand,
  EnableKeyRotationCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateDataKeyWithoutPlaintextCommand,
  GenerateRandomCommand,
  GetKeyRotationStatusCommand,
  GetParametersForImportCommand,
  ImportKeyMaterialCommand,
  ListAliasesCommand,
  ListKeyRotationsCommand,
  ListKeysCommand,
  ListResourceTagsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateAliasCommand,
  UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import type { KMSClient } from '@aws-sdk/client-kms';
import { errorOf, useGateway } from '../harness.js';

const fx = useGateway();
const kms = (): KMSClient => fx.gw.kms;

async function newKey(description = 'kms-ops'): Promise<{ KeyId: string; Arn: string }> {
  const { KeyMetadata } = await kms().send(new CreateKeyCommand({ Description: description }));
  return { KeyId: KeyMetadata!.KeyId!, Arn: KeyMetadata!.Arn! };
}

describe('keys', () => {
  it('CreateKey with tags and DescribeKey answer every KeyMetadata field of a symmetric key', async () => {
    const { KeyMetadata: m } = await kms().send(
      new CreateKeyCommand({
        Description: 'all fields',
        KeyUsage: 'ENCRYPT_DECRYPT',
        KeySpec: 'SYMMETRIC_DEFAULT',
        Origin: 'AWS_KMS',
        Tags: [{ TagKey: 'team', TagValue: 'storage' }],
        BypassPolicyLockoutSafetyCheck: false,
      }),
    );
    const described = (await kms().send(new DescribeKeyCommand({ KeyId: m!.Arn }))).KeyMetadata!;
    expect(described).toEqual({
      AWSAccountId: fx.gw.accountId,
      KeyId: m!.KeyId,
      Arn: `arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:key/${m!.KeyId}`,
      CreationDate: m!.CreationDate,
      Enabled: true,
      Description: 'all fields',
      KeyUsage: 'ENCRYPT_DECRYPT',
      KeyState: 'Enabled',
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      KeySpec: 'SYMMETRIC_DEFAULT',
      CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
      EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
      MultiRegion: false,
      CurrentKeyMaterialId: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const tags = await kms().send(new ListResourceTagsCommand({ KeyId: m!.KeyId }));
    expect(tags).toMatchObject({ Tags: [{ TagKey: 'team', TagValue: 'storage' }], Truncated: false });
  });

  it('ListKeys pages with Limit and Marker; UpdateKeyDescription changes the description', async () => {
    await newKey();
    await newKey();
    const first = await kms().send(new ListKeysCommand({ Limit: 1 }));
    expect(first.Keys).toHaveLength(1);
    expect(first.Truncated).toBe(true);
    const second = await kms().send(new ListKeysCommand({ Limit: 1, Marker: first.NextMarker }));
    expect(second.Keys![0].KeyId).not.toBe(first.Keys![0].KeyId);
    const bad = await errorOf(kms().send(new ListKeysCommand({ Marker: 'not-a-marker' })));
    expect(bad).toMatchObject({ name: 'InvalidMarkerException', status: 400 });
    const key = await newKey('before');
    await kms().send(new UpdateKeyDescriptionCommand({ KeyId: key.KeyId, Description: 'after' }));
    expect((await kms().send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.Description).toBe('after');
  });

  it('Disable/Enable/Schedule/Cancel follow the key states with 400s and AWS texts', async () => {
    const key = await newKey();
    await kms().send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect(await errorOf(kms().send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' })))).toMatchObject({
      name: 'DisabledException',
      status: 400,
      message: `${key.Arn} is disabled.`,
    });
    const scheduled = await kms().send(new ScheduleKeyDeletionCommand({ KeyId: key.Arn }));
    expect(scheduled).toMatchObject({ KeyId: key.Arn, KeyState: 'PendingDeletion', PendingWindowInDays: 30 });
    expect(await errorOf(kms().send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId })))).toMatchObject({
      name: 'KMSInvalidStateException',
      status: 400,
      message: `${key.Arn} is pending deletion.`,
    });
    expect((await errorOf(kms().send(new EnableKeyCommand({ KeyId: key.KeyId })))).name).toBe('KMSInvalidStateException');
    await kms().send(new CancelKeyDeletionCommand({ KeyId: key.KeyId }));
    expect((await kms().send(new DescribeKeyCommand({ KeyId: key.KeyId }))).KeyMetadata!.KeyState).toBe('Disabled');
    expect((await errorOf(kms().send(new CancelKeyDeletionCommand({ KeyId: key.KeyId })))).message).toBe(`${key.Arn} is not pending deletion.`);
    const window = await errorOf(kms().send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 6 })));
    expect(window).toMatchObject({ name: 'ValidationException', status: 400 });
  });

  it('the AWS managed key cannot be disabled, scheduled, tagged, rotated or described anew', async () => {
    const managed = (await kms().send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!;
    expect(managed.KeyManager).toBe('AWS');
    for (const command of [
      new DisableKeyCommand({ KeyId: managed.KeyId }),
      new ScheduleKeyDeletionCommand({ KeyId: managed.KeyId }),
      new UpdateKeyDescriptionCommand({ KeyId: managed.KeyId, Description: 'mine' }),
      new TagResourceCommand({ KeyId: managed.KeyId, Tags: [{ TagKey: 'a', TagValue: 'b' }] }),
      new RotateKeyOnDemandCommand({ KeyId: managed.KeyId }),
      new DisableKeyRotationCommand({ KeyId: managed.KeyId }),
    ]) {
      expect(await errorOf(kms().send(command as never))).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    }
    const status = await kms().send(new GetKeyRotationStatusCommand({ KeyId: managed.KeyId }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 365 });
  });
});

describe('aliases', () => {
  it('CreateAlias, UpdateAlias, ListAliases with a KeyId filter, DeleteAlias', async () => {
    const a = await newKey();
    const b = await newKey();
    await kms().send(new CreateAliasCommand({ AliasName: 'alias/ops-moving', TargetKeyId: a.KeyId }));
    await kms().send(new UpdateAliasCommand({ AliasName: 'alias/ops-moving', TargetKeyId: b.Arn }));
    const listed = await kms().send(new ListAliasesCommand({ KeyId: b.KeyId }));
    expect(listed.Aliases).toEqual([
      expect.objectContaining({ AliasName: 'alias/ops-moving', AliasArn: `arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:alias/ops-moving`, TargetKeyId: b.KeyId }),
    ]);
    expect((await kms().send(new ListAliasesCommand({ KeyId: a.KeyId }))).Aliases).toEqual([]);
    await kms().send(new DeleteAliasCommand({ AliasName: 'alias/ops-moving' }));
    expect(await errorOf(kms().send(new DescribeKeyCommand({ KeyId: 'alias/ops-moving' })))).toMatchObject({
      name: 'NotFoundException',
      status: 400,
      message: `Alias arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:alias/ops-moving is not found.`,
    });
    expect((await errorOf(kms().send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: a.KeyId }))))).toMatchObject({
      name: 'NotAuthorizedException',
      status: 400,
    });
    expect((await errorOf(kms().send(new DeleteAliasCommand({ AliasName: 'alias/aws/s3' })))).name).toBe('NotAuthorizedException');
    expect((await errorOf(kms().send(new CreateAliasCommand({ AliasName: 'ops', TargetKeyId: a.KeyId })))).name).toBe('ValidationException');
  });
});

describe('rotation', () => {
  it('EnableKeyRotation with a period, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, DisableKeyRotation', async () => {
    const key = await newKey();
    const before = await kms().send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('old material') }));
    await kms().send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 180 }));
    const status = await kms().send(new GetKeyRotationStatusCommand({ KeyId: key.Arn }));
    expect(status).toMatchObject({ KeyRotationEnabled: true, KeyId: key.Arn, RotationPeriodInDays: 180 });
    expect(status.NextRotationDate).toBeInstanceOf(Date);
    expect(await kms().send(new RotateKeyOnDemandCommand({ KeyId: key.KeyId }))).toMatchObject({ KeyId: key.Arn });
    const rotations = await kms().send(new ListKeyRotationsCommand({ KeyId: key.KeyId }));
    expect(rotations.Rotations).toEqual([expect.objectContaining({ KeyId: key.Arn, RotationType: 'ON_DEMAND', KeyMaterialId: expect.any(String) })]);
    expect(rotations.Rotations![0].RotationDate).toBeInstanceOf(Date);
    const dec = await kms().send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('old material');
    const fresh = await kms().send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256' }));
    expect(fresh.KeyMaterialId).toBe(rotations.Rotations![0].KeyMaterialId);
    await kms().send(new DisableKeyRotationCommand({ KeyId: key.KeyId }));
    expect((await kms().send(new GetKeyRotationStatusCommand({ KeyId: key.KeyId }))).KeyRotationEnabled).toBe(false);
    expect((await errorOf(kms().send(new EnableKeyRotationCommand({ KeyId: key.KeyId, RotationPeriodInDays: 30 })))).name).toBe('ValidationException');
  });
});

describe('imported key material', () => {
  it('GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial and re-import', async () => {
    const created = (await kms().send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    expect(created).toMatchObject({ Origin: 'EXTERNAL', KeyState: 'PendingImport', Enabled: false });
    const material = randomBytes(32);
    const importOnce = async (algorithm: 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256'): Promise<string> => {
      const params = await kms().send(new GetParametersForImportCommand({ KeyId: created.KeyId, WrappingAlgorithm: algorithm, WrappingKeySpec: 'RSA_2048' }));
      expect(params.KeyId).toBe(created.Arn);
      expect(params.ParametersValidTo!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
      const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
      const rsa = { key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
      let wrapped: Buffer;
      if (algorithm === 'RSAES_OAEP_SHA_256') {
        wrapped = publicEncrypt(rsa, material);
      } else {
        const aesKey = randomBytes(32);
        const kwp = createCipheriv('id-aes256-wrap-pad', aesKey, Buffer.from('a65959a6', 'hex'));
        wrapped = Buffer.concat([publicEncrypt(rsa, aesKey), kwp.update(material), kwp.final()]);
      }
      const out = await kms().send(
        new ImportKeyMaterialCommand({ KeyId: created.KeyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE' }),
      );
      expect(out.KeyId).toBe(created.Arn);
      return out.KeyMaterialId!;
    };
    const materialId = await importOnce('RSAES_OAEP_SHA_256');
    const enc = await kms().send(new EncryptCommand({ KeyId: created.KeyId, Plaintext: Buffer.from('imported') }));
    await kms().send(new DeleteImportedKeyMaterialCommand({ KeyId: created.KeyId }));
    expect((await kms().send(new DescribeKeyCommand({ KeyId: created.KeyId }))).KeyMetadata!.KeyState).toBe('PendingImport');
    expect(await errorOf(kms().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })))).toMatchObject({
      name: 'KMSInvalidStateException',
      message: `${created.Arn} is pending import.`,
    });
    expect(await importOnce('RSA_AES_KEY_WRAP_SHA_256')).toBe(materialId);
    expect(Buffer.from((await kms().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob }))).Plaintext!).toString()).toBe('imported');
    const expiring = await errorOf(
      kms().send(new ImportKeyMaterialCommand({ KeyId: created.KeyId, ImportToken: Buffer.alloc(64, 1), EncryptedKeyMaterial: Buffer.alloc(256, 1) })),
    );
    expect(expiring).toMatchObject({ name: 'ValidationException', message: 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES' });
    const aws = await newKey();
    expect(await errorOf(kms().send(new GetParametersForImportCommand({ KeyId: aws.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' })))).toMatchObject({
      name: 'UnsupportedOperationException',
      message: `${aws.Arn} origin is AWS_KMS which is not valid for this operation.`,
    });
  });
});

describe('imported material that expires', () => {
  it('takes ValidTo as epoch seconds and reports it in DescribeKey', async () => {
    const created = (await kms().send(new CreateKeyCommand({ Origin: 'EXTERNAL' }))).KeyMetadata!;
    const params = await kms().send(new GetParametersForImportCommand({ KeyId: created.KeyId, WrappingAlgorithm: 'RSAES_OAEP_SHA_1', WrappingKeySpec: 'RSA_2048' }));
    const publicKey = createPublicKey({ key: Buffer.from(params.PublicKey!), format: 'der', type: 'spki' });
    const wrapped = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, randomBytes(32));
    const validTo = new Date(Math.floor(Date.now() / 1000 + 30 * 86400) * 1000);
    await kms().send(new ImportKeyMaterialCommand({ KeyId: created.Arn, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ValidTo: validTo }));
    expect((await kms().send(new DescribeKeyCommand({ KeyId: created.KeyId }))).KeyMetadata).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_EXPIRES',
      ValidTo: validTo,
    });
  });
});

describe('data plane', () => {
  it('Encrypt, Decrypt, ReEncrypt, GenerateDataKey[WithoutPlaintext], GenerateRandom', async () => {
    const a = await newKey();
    const b = await newKey();
    const context = { tenant: 'blue', object: 'x' };
    const enc = await kms().send(new EncryptCommand({ KeyId: a.KeyId, Plaintext: Buffer.from('hello'), EncryptionContext: context }));
    expect(enc).toMatchObject({ KeyId: a.Arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const re = await kms().send(
      new ReEncryptCommand({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { object: 'x', tenant: 'blue' }, DestinationKeyId: b.KeyId }),
    );
    expect(re).toMatchObject({ SourceKeyId: a.Arn, KeyId: b.Arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const dec = await kms().send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob, KeyId: b.Arn }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('hello');
    expect((await errorOf(kms().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'blue' } })))).name).toBe(
      'InvalidCiphertextException',
    );
    const noPlain = await kms().send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: a.KeyId, KeySpec: 'AES_128', EncryptionContext: context }));
    expect('Plaintext' in noPlain).toBe(false);
    expect((await kms().send(new DecryptCommand({ CiphertextBlob: noPlain.CiphertextBlob, EncryptionContext: context }))).Plaintext).toHaveLength(16);
    const random = await kms().send(new GenerateRandomCommand({ NumberOfBytes: 48 }));
    expect(random.Plaintext).toHaveLength(48);
    expect((await errorOf(kms().send(new GenerateRandomCommand({ NumberOfBytes: 1025 })))).name).toBe('ValidationException');
  });

  it('DryRun answers DryRunOperationException after every check; GrantTokens are accepted', async () => {
    const key = await newKey();
    const dry = await errorOf(kms().send(new GenerateDataKeyCommand({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true, GrantTokens: ['t1'] })));
    expect(dry).toMatchObject({ name: 'DryRunOperationException', status: 400, message: 'The request would have succeeded, but the DryRun option is set.' });
    const enc = await kms().send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), GrantTokens: ['t1', 't2'] }));
    expect((await errorOf(kms().send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, DryRun: true })))).name).toBe('DryRunOperationException');
    await kms().send(new DisableKeyCommand({ KeyId: key.KeyId }));
    expect((await errorOf(kms().send(new EncryptCommand({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true })))).name).toBe('DisabledException');
  });
});

describe('tags', () => {
  it('TagResource, UntagResource, ListResourceTags with the reserved prefix and limits', async () => {
    const key = await newKey();
    await kms().send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: '1' }, { TagKey: 'b', TagValue: '2' }] }));
    await kms().send(new UntagResourceCommand({ KeyId: key.KeyId, TagKeys: ['a'] }));
    expect((await kms().send(new ListResourceTagsCommand({ KeyId: key.Arn }))).Tags).toEqual([{ TagKey: 'b', TagValue: '2' }]);
    expect(await errorOf(kms().send(new TagResourceCommand({ KeyId: key.KeyId, Tags: [{ TagKey: 'aws:owner', TagValue: 'x' }] })))).toMatchObject({
      name: 'TagException',
      status: 400,
    });
    const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `k${i}`, TagValue: 'v' }));
    expect((await errorOf(kms().send(new TagResourceCommand({ KeyId: key.KeyId, Tags: many })))).name).toBe('LimitExceededException');
  });
});
