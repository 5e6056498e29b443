/**
 * The embedded KMS through @aws-sdk/client-kms: the AWS KMS JSON protocol on the gateway's port.
 */
import { describe, expect, it } from '@jest/globals';
import {
  CancelKeyDeletionCommand,
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  KMSClient,
  ListAliasesCommand,
  ListKeysCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { errorOf, useGateway } from '../harness.js';

const fx = useGateway();

describe('KMS JSON API', () => {
  it('creates, describes and lists keys', async () => {
    const created = await fx.gw.kms.send(new CreateKeyCommand({ Description: 'first' }));
    const meta = created.KeyMetadata!;
    expect(meta.Arn).toBe(`arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:key/${meta.KeyId}`);
    expect(meta).toMatchObject({ Enabled: true, KeyState: 'Enabled', KeyUsage: 'ENCRYPT_DECRYPT', KeySpec: 'SYMMETRIC_DEFAULT', KeyManager: 'CUSTOMER', Origin: 'AWS_KMS', Description: 'first' });
    expect(meta.CreationDate).toBeInstanceOf(Date);
    const described = await fx.gw.kms.send(new DescribeKeyCommand({ KeyId: meta.Arn }));
    expect(described.KeyMetadata!.KeyId).toBe(meta.KeyId);
    const listed = await fx.gw.kms.send(new ListKeysCommand({}));
    expect(listed.Keys!.map((k) => k.KeyArn)).toContain(meta.Arn);
  });

  it('encrypts and decrypts with an encryption context, and binds the context', async () => {
    const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({}));
    const context = { purpose: 'test', 'b-key': 'two' };
    const enc = await fx.gw.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('attack at dawn'), EncryptionContext: context }));
    expect(enc.KeyId).toBe(KeyMetadata!.Arn);
    const dec = await fx.gw.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { 'b-key': 'two', purpose: 'test' } }));
    expect(Buffer.from(dec.Plaintext!).toString()).toBe('attack at dawn');
    expect(dec.KeyId).toBe(KeyMetadata!.Arn);
    const wrong = await errorOf(fx.gw.kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'other', 'b-key': 'two' } })));
    expect(wrong.name).toBe('InvalidCiphertextException');
    const tooBig = await errorOf(fx.gw.kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.alloc(4097) })));
    expect(tooBig.name).toBe('ValidationException');
  });

  it('generates data keys that decrypt to the same plaintext', async () => {
    const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({}));
    const dk = await fx.gw.kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
    expect(dk.Plaintext!.length).toBe(32);
    const dec = await fx.gw.kms.send(new DecryptCommand({ CiphertextBlob: dk.CiphertextBlob }));
    expect(Buffer.from(dec.Plaintext!).equals(Buffer.from(dk.Plaintext!))).toBe(true);
  });

  it('follows the key state machine with AWS errors', async () => {
    const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({}));
    const arn = KeyMetadata!.Arn!;
    await fx.gw.kms.send(new DisableKeyCommand({ KeyId: arn }));
    const disabled = await errorOf(fx.gw.kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') })));
    expect(disabled).toMatchObject({ name: 'DisabledException', status: 400, message: `${arn} is disabled.` });
    await fx.gw.kms.send(new EnableKeyCommand({ KeyId: arn }));
    await fx.gw.kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') }));
    const scheduled = await fx.gw.kms.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 }));
    expect(scheduled).toMatchObject({ KeyId: arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(scheduled.DeletionDate!.getTime()).toBeGreaterThan(Date.now() + 6 * 86400_000);
    const pending = await errorOf(fx.gw.kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') })));
    expect(pending).toMatchObject({ name: 'KMSInvalidStateException', status: 400, message: `${arn} is pending deletion.` });
    await fx.gw.kms.send(new CancelKeyDeletionCommand({ KeyId: arn }));
    const after = await fx.gw.kms.send(new DescribeKeyCommand({ KeyId: arn }));
    expect(after.KeyMetadata!.KeyState).toBe('Disabled');
  });

  it('resolves aliases and lists them, with the aws/s3 alias', async () => {
    const { KeyMetadata } = await fx.gw.kms.send(new CreateKeyCommand({}));
    await fx.gw.kms.send(new CreateAliasCommand({ AliasName: 'alias/kms-sdk', TargetKeyId: KeyMetadata!.KeyId }));
    const byAlias = await fx.gw.kms.send(new DescribeKeyCommand({ KeyId: 'alias/kms-sdk' }));
    expect(byAlias.KeyMetadata!.Arn).toBe(KeyMetadata!.Arn);
    const dup = await errorOf(fx.gw.kms.send(new CreateAliasCommand({ AliasName: 'alias/kms-sdk', TargetKeyId: KeyMetadata!.KeyId })));
    expect(dup.name).toBe('AlreadyExistsException');
    const aliases = await fx.gw.kms.send(new ListAliasesCommand({}));
    const names = aliases.Aliases!.map((a) => a.AliasName);
    expect(names).toContain('alias/kms-sdk');
    expect(names).toContain('alias/aws/s3');
    const unknown = await errorOf(fx.gw.kms.send(new DescribeKeyCommand({ KeyId: 'alias/nope' })));
    expect(unknown).toMatchObject({ name: 'NotFoundException', message: `Alias arn:aws:kms:${fx.gw.region}:${fx.gw.accountId}:alias/nope is not found.` });
  });

  it('refuses unknown and badly signed callers', async () => {
    const stranger = new KMSClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: { accessKeyId: 'AKIANOTAKEY000000000', secretAccessKey: 'x' } });
    expect((await errorOf(stranger.send(new ListKeysCommand({})))).name).toBe('UnrecognizedClientException');
    const wrongSecret = new KMSClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: { accessKeyId: fx.gw.credentials.accessKeyId, secretAccessKey: 'wrong' } });
    expect((await errorOf(wrongSecret.send(new ListKeysCommand({})))).name).toBe('InvalidSignatureException');
    stranger.destroy();
    wrongSecret.destroy();
  });
});
