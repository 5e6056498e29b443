// Tags, UpdateAlias/DeleteAlias, UpdateKeyDescription, and the data-plane operations beyond
// Encrypt/Decrypt/GenerateDataKey (ReEncrypt, GenerateDataKeyWithoutPlaintext, GenerateRandom,
// DryRun, GrantTokens).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { alice, kmsError, mallory, openTestCore, testClock } from './test-fixtures.js';

let core: KmsCore;
beforeEach(async () => {
  core = await openTestCore(testClock());
});
afterEach(async () => {
  await core.close();
});

const newKey = async (): Promise<{ KeyId: string; Arn: string }> => (await core.createKey({}, alice)).KeyMetadata;

describe('tags', () => {
  it('tags, replaces, lists in pages and untags', async () => {
    const key = (await core.createKey({ Tags: [{ TagKey: 'a', TagValue: '1' }] }, alice)).KeyMetadata;
    await core.tagResource({ KeyId: key.Arn, Tags: [{ TagKey: 'a', TagValue: '2' }, { TagKey: 'b', TagValue: '' }] }, alice);
    const page = await core.listResourceTags({ KeyId: key.KeyId, Limit: 1 }, alice);
    expect(page).toMatchObject({ Tags: [{ TagKey: 'a', TagValue: '2' }], Truncated: true });
    expect((await core.listResourceTags({ KeyId: key.KeyId, Marker: page.NextMarker }, alice)).Tags).toEqual([{ TagKey: 'b', TagValue: '' }]);
    await core.untagResource({ KeyId: key.KeyId, TagKeys: ['a', 'missing'] }, alice);
    expect((await core.listResourceTags({ KeyId: key.KeyId }, alice)).Tags).toEqual([{ TagKey: 'b', TagValue: '' }]);
  });

  it('reserves aws:, refuses duplicates, more than 50 tags, bad lengths and keys pending deletion', async () => {
    const key = await newKey();
    expect(await kmsError(() => core.tagResource({ KeyId: key.KeyId, Tags: [{ TagKey: 'aws:x', TagValue: '1' }] }, alice))).toMatchObject({
      type: 'TagException',
      message: 'Tags beginning with aws: are reserved',
    });
    expect((await kmsError(() => core.createKey({ Tags: [{ TagKey: 'AWS:x', TagValue: '1' }] }, alice))).type).toBe('TagException');
    const dup = [{ TagKey: 'k', TagValue: '1' }, { TagKey: 'k', TagValue: '2' }];
    expect((await kmsError(() => core.tagResource({ KeyId: key.KeyId, Tags: dup }, alice))).type).toBe('TagException');
    const many = Array.from({ length: 51 }, (_, i) => ({ TagKey: `t${i}`, TagValue: '' }));
    expect((await kmsError(() => core.tagResource({ KeyId: key.KeyId, Tags: many }, alice))).type).toBe('LimitExceededException');
    await core.tagResource({ KeyId: key.KeyId, Tags: many.slice(0, 50) }, alice);
    expect((await kmsError(() => core.tagResource({ KeyId: key.KeyId, Tags: [{ TagKey: 'x'.repeat(129), TagValue: '' }] }, alice))).message).toMatch(
      /at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length less than or equal to 128/,
    );
    await core.scheduleKeyDeletion({ KeyId: key.KeyId }, alice);
    expect((await kmsError(() => core.tagResource({ KeyId: key.KeyId, Tags: [{ TagKey: 'a', TagValue: '' }] }, alice))).type).toBe('KMSInvalidStateException');
    expect((await kmsError(() => core.untagResource({ KeyId: key.KeyId, TagKeys: ['t1'] }, alice))).type).toBe('KMSInvalidStateException');
    expect((await core.listResourceTags({ KeyId: key.KeyId }, alice)).Tags).toHaveLength(50);
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect((await kmsError(() => core.tagResource({ KeyId: managed.KeyId, Tags: [{ TagKey: 'a', TagValue: '' }] }, alice))).type).toBe('AccessDeniedException');
  });
});

describe('UpdateKeyDescription', () => {
  it('changes the description, not while pending deletion, not on AWS managed keys', async () => {
    const key = await newKey();
    await core.updateKeyDescription({ KeyId: key.KeyId, Description: 'new words' }, alice);
    expect((await core.describeKey({ KeyId: key.KeyId }, alice)).KeyMetadata.Description).toBe('new words');
    await core.scheduleKeyDeletion({ KeyId: key.KeyId }, alice);
    expect((await kmsError(() => core.updateKeyDescription({ KeyId: key.KeyId, Description: 'x' }, alice))).message).toBe(`${key.Arn} is pending deletion.`);
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect((await kmsError(() => core.updateKeyDescription({ KeyId: managed.KeyId, Description: 'x' }, alice))).type).toBe('AccessDeniedException');
  });
});

describe('UpdateAlias / DeleteAlias', () => {
  it('repoints an alias, deletes it, and reports missing ones with the AWS text', async () => {
    const a = await newKey();
    const b = await newKey();
    await core.createAlias({ AliasName: 'alias/moving', TargetKeyId: a.KeyId }, alice);
    await core.updateAlias({ AliasName: 'alias/moving', TargetKeyId: b.Arn }, alice);
    expect((await core.describeKey({ KeyId: 'alias/moving' }, alice)).KeyMetadata.KeyId).toBe(b.KeyId);
    expect((await core.listAliases({ KeyId: b.KeyId }, alice)).Aliases.map((x) => x.AliasName)).toEqual(['alias/moving']);
    await core.deleteAlias({ AliasName: 'alias/moving' }, alice);
    const gone = await kmsError(() => core.deleteAlias({ AliasName: 'alias/moving' }, alice));
    expect(gone).toMatchObject({ type: 'NotFoundException', message: 'Alias arn:aws:kms:us-east-1:111122223333:alias/moving is not found.' });
    expect((await kmsError(() => core.updateAlias({ AliasName: 'alias/none', TargetKeyId: a.KeyId }, alice))).type).toBe('NotFoundException');
  });

  it('keeps alias/aws/ reserved and refuses a target pending deletion; deletion works in any state', async () => {
    const a = await newKey();
    const b = await newKey();
    await core.describeKey({ KeyId: 'alias/aws/s3' }, alice);
    expect((await kmsError(() => core.deleteAlias({ AliasName: 'alias/aws/s3' }, alice))).type).toBe('NotAuthorizedException');
    expect((await kmsError(() => core.updateAlias({ AliasName: 'alias/aws/s3', TargetKeyId: a.KeyId }, alice))).type).toBe('NotAuthorizedException');
    await core.createAlias({ AliasName: 'alias/a', TargetKeyId: a.KeyId }, alice);
    await core.scheduleKeyDeletion({ KeyId: b.KeyId }, alice);
    expect((await kmsError(() => core.updateAlias({ AliasName: 'alias/a', TargetKeyId: b.KeyId }, alice))).message).toBe(`${b.Arn} is pending deletion.`);
    await core.scheduleKeyDeletion({ KeyId: a.KeyId }, alice);
    await core.deleteAlias({ AliasName: 'alias/a' }, alice);
    expect((await kmsError(() => core.updateAlias({ AliasName: 'nope', TargetKeyId: a.KeyId }, alice))).type).toBe('ValidationException');
  });
});

describe('data plane', () => {
  it('ReEncrypt moves a blob to another key and context, and answers both ARNs', async () => {
    const a = await newKey();
    const b = await newKey();
    const enc = await core.encrypt({ KeyId: a.KeyId, Plaintext: Buffer.from('moving'), EncryptionContext: { x: '1' } }, alice);
    const moved = await core.reEncrypt(
      { CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { x: '1' }, DestinationKeyId: b.Arn, DestinationEncryptionContext: { y: '2' } },
      alice,
    );
    expect(moved).toMatchObject({ SourceKeyId: a.Arn, KeyId: b.Arn, SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT', DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    const out = await core.decrypt({ CiphertextBlob: moved.CiphertextBlob, EncryptionContext: { y: '2' } }, alice);
    expect(out.KeyId).toBe(b.Arn);
    expect(Buffer.from(out.Plaintext).toString()).toBe('moving');
    expect((await kmsError(() => core.reEncrypt({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: b.KeyId }, alice))).type).toBe('InvalidCiphertextException');
    expect((await kmsError(() => core.reEncrypt({ CiphertextBlob: enc.CiphertextBlob, SourceKeyId: b.KeyId, SourceEncryptionContext: { x: '1' }, DestinationKeyId: b.KeyId }, alice))).type).toBe(
      'IncorrectKeyException',
    );
    await core.disableKey({ KeyId: b.KeyId }, alice);
    expect((await kmsError(() => core.reEncrypt({ CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: { x: '1' }, DestinationKeyId: b.KeyId }, alice))).type).toBe(
      'DisabledException',
    );
  });

  it('GenerateDataKeyWithoutPlaintext returns only the blob, which Decrypt opens', async () => {
    const key = await newKey();
    const out = await core.generateDataKeyWithoutPlaintext({ KeyId: key.KeyId, NumberOfBytes: 64 }, alice);
    expect(Object.keys(out).sort()).toEqual(['CiphertextBlob', 'KeyId', 'KeyMaterialId']);
    expect((await core.decrypt({ CiphertextBlob: out.CiphertextBlob }, alice)).Plaintext).toHaveLength(64);
  });

  it('GenerateRandom answers 1..1024 fresh bytes with the AWS texts', async () => {
    const a = await core.generateRandom({ NumberOfBytes: 1024 }, alice);
    const b = await core.generateRandom({ NumberOfBytes: 1024 }, alice);
    expect(a.Plaintext).toHaveLength(1024);
    expect(a.Plaintext.equals(b.Plaintext)).toBe(false);
    expect((await kmsError(() => core.generateRandom({}, alice))).message).toBe('NumberOfBytes is required.');
    expect((await kmsError(() => core.generateRandom({ NumberOfBytes: 0 }, alice))).message).toBe(
      "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1",
    );
    expect((await kmsError(() => core.generateRandom({ NumberOfBytes: 8 }, mallory))).type).toBe('AccessDeniedException');
  });

  it('DryRun runs every check first, then refuses to act', async () => {
    const key = await newKey();
    const enc = await core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('x') }, alice);
    for (const call of [
      () => core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true }, alice),
      () => core.decrypt({ CiphertextBlob: enc.CiphertextBlob, DryRun: true }, alice),
      () => core.generateDataKey({ KeyId: key.KeyId, KeySpec: 'AES_256', DryRun: true }, alice),
      () => core.generateDataKeyWithoutPlaintext({ KeyId: key.KeyId, KeySpec: 'AES_128', DryRun: true }, alice),
      () => core.reEncrypt({ CiphertextBlob: enc.CiphertextBlob, DestinationKeyId: key.KeyId, DryRun: true }, alice),
    ]) {
      expect(await kmsError(call)).toMatchObject({ type: 'DryRunOperationException', httpStatus: 400 });
    }
    await core.disableKey({ KeyId: key.KeyId }, alice);
    expect((await kmsError(() => core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), DryRun: true }, alice))).type).toBe('DisabledException');
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: enc.CiphertextBlob, DryRun: true }, mallory))).type).toBe('AccessDeniedException');
  });

  it('accepts up to 10 grant tokens and validates their shape', async () => {
    const key = await newKey();
    await core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), GrantTokens: Array.from({ length: 10 }, () => 'token') }, alice);
    const many = await kmsError(() => core.encrypt({ KeyId: key.KeyId, Plaintext: Buffer.from('x'), GrantTokens: Array.from({ length: 11 }, () => 't') }, alice));
    expect(many.message).toBe(
      "1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10",
    );
    expect((await kmsError(() => core.decrypt({ CiphertextBlob: Buffer.alloc(80, 2), GrantTokens: [''] }, alice))).type).toBe('ValidationException');
  });
});
