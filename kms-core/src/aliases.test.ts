import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { KmsCore } from './kms-core.js';
import { ACCOUNT, alice, aliceViaS3, kmsError, mallory, openTestCore, testClock } from './test-fixtures.js';

let core: KmsCore;
beforeEach(async () => {
  core = await openTestCore(testClock());
});
afterEach(async () => {
  await core.close();
});

const arnOf = (name: string): string => `arn:aws:kms:us-east-1:${ACCOUNT}:${name}`;

describe('CreateAlias', () => {
  it('creates an alias usable by name and by ARN wherever aliases are accepted', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/app/data-key_1:x', TargetKeyId: m.Arn }, alice);
    expect((await core.describeKey({ KeyId: 'alias/app/data-key_1:x' }, alice)).KeyMetadata.KeyId).toBe(m.KeyId);
    expect((await core.describeKey({ KeyId: arnOf('alias/app/data-key_1:x') }, alice)).KeyMetadata.KeyId).toBe(m.KeyId);
    const enc = await core.encrypt({ KeyId: 'alias/app/data-key_1:x', Plaintext: Buffer.from('x') }, alice);
    expect(enc.KeyId).toBe(m.Arn);
  });

  it('requires the alias/ prefix with the AWS text', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    const err = await kmsError(() => core.createAlias({ AliasName: 'my-key', TargetKeyId: m.KeyId }, alice));
    expect(err.type).toBe('ValidationException');
    expect(err.message).toBe(
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  });

  it('enforces the character set and length', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    expect((await kmsError(() => core.createAlias({ AliasName: 'alias/bad name', TargetKeyId: m.KeyId }, alice))).message).toBe(
      "1 validation error detected: Value 'alias/bad name' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
    );
    const long = `alias/${'a'.repeat(251)}`;
    expect((await kmsError(() => core.createAlias({ AliasName: long, TargetKeyId: m.KeyId }, alice))).type).toBe('ValidationException');
    await core.createAlias({ AliasName: long.slice(0, 256), TargetKeyId: m.KeyId }, alice);
    expect((await kmsError(() => core.createAlias({ AliasName: 'alias/', TargetKeyId: m.KeyId }, alice))).type).toBe('InvalidAliasNameException');
  });

  it('reserves alias/aws/', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    expect((await kmsError(() => core.createAlias({ AliasName: 'alias/aws/mine', TargetKeyId: m.KeyId }, alice))).type).toBe(
      'NotAuthorizedException',
    );
  });

  it('refuses an existing name with AlreadyExistsException', async () => {
    const { KeyMetadata: a } = await core.createKey({}, alice);
    const { KeyMetadata: b } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/taken', TargetKeyId: a.KeyId }, alice);
    const err = await kmsError(() => core.createAlias({ AliasName: 'alias/taken', TargetKeyId: b.KeyId }, alice));
    expect(err.type).toBe('AlreadyExistsException');
    expect(err.message).toBe(`An alias with the name ${arnOf('alias/taken')} already exists`);
  });

  it('targets only customer managed keys by key id or ARN, and not keys pending deletion', async () => {
    const { KeyMetadata: m } = await core.createKey({}, alice);
    await core.createAlias({ AliasName: 'alias/one', TargetKeyId: m.KeyId }, alice);
    expect((await kmsError(() => core.createAlias({ AliasName: 'alias/two', TargetKeyId: 'alias/one' }, alice))).message).toBe(
      "Invalid keyId 'alias/one'",
    );
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect((await kmsError(() => core.createAlias({ AliasName: 'alias/two', TargetKeyId: managed.KeyId }, alice))).type).toBe(
      'AccessDeniedException',
    );
    await core.scheduleKeyDeletion({ KeyId: m.KeyId }, alice);
    const pending = await kmsError(() => core.createAlias({ AliasName: 'alias/two', TargetKeyId: m.KeyId }, alice));
    expect(pending.type).toBe('KMSInvalidStateException');
    expect(pending.message).toBe(`${m.Arn} is pending deletion.`);
  });
});

describe('alias/aws/s3 (AWS managed key)', () => {
  it('is listed without a target until first use, then created lazily with its target', async () => {
    const before = await core.listAliases({}, alice);
    expect(before).toEqual({ Aliases: [{ AliasName: 'alias/aws/s3', AliasArn: arnOf('alias/aws/s3') }], Truncated: false });
    expect((await core.listKeys({}, alice)).Keys).toEqual([]);

    const gdk = await core.generateDataKey({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' }, aliceViaS3);
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    expect(gdk.KeyId).toBe(managed.Arn);
    expect(managed).toMatchObject({
      KeyManager: 'AWS',
      Description: 'Default key that protects my S3 objects when no other key is defined',
      KeyState: 'Enabled',
    });
    const after = await core.listAliases({}, alice);
    expect(after.Aliases).toEqual([
      {
        AliasName: 'alias/aws/s3',
        AliasArn: arnOf('alias/aws/s3'),
        TargetKeyId: managed.KeyId,
        CreationDate: new Date('2025-01-01T00:00:00.000Z'),
        LastUpdatedDate: new Date('2025-01-01T00:00:00.000Z'),
      },
    ]);
    expect((await core.listKeys({}, alice)).Keys.map((k) => k.KeyId)).toEqual([managed.KeyId]);
  });

  it('is created only once under concurrent first use', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => core.encrypt({ KeyId: arnOf('alias/aws/s3'), Plaintext: Buffer.from('x') }, aliceViaS3)),
    );
    expect(new Set(results.map((r) => r.KeyId)).size).toBe(1);
    expect((await core.listKeys({}, alice)).Keys).toHaveLength(1);
  });

  it('cannot be disabled or scheduled for deletion (its policy does not allow it)', async () => {
    const managed = (await core.describeKey({ KeyId: 'alias/aws/s3' }, alice)).KeyMetadata;
    for (const [action, run] of [
      ['DisableKey', () => core.disableKey({ KeyId: managed.KeyId }, alice)],
      ['ScheduleKeyDeletion', () => core.scheduleKeyDeletion({ KeyId: managed.KeyId }, alice)],
    ] as const) {
      const err = await kmsError(run);
      expect(err.type).toBe('AccessDeniedException');
      expect(err.message).toBe(
        `User: ${alice.arn} is not authorized to perform: kms:${action} on resource: ${managed.Arn} because no resource-based policy allows the kms:${action} action`,
      );
    }
  });

  it('is not created for another account', async () => {
    const err = await kmsError(() => core.describeKey({ KeyId: 'arn:aws:kms:us-east-1:999988887777:alias/aws/s3' }, alice));
    expect(err.message).toBe('Alias arn:aws:kms:us-east-1:999988887777:alias/aws/s3 is not found.');
    expect((await core.listKeys({}, alice)).Keys).toEqual([]);
  });
});

describe('ListAliases', () => {
  it('filters by KeyId and pages in name order', async () => {
    const { KeyMetadata: a } = await core.createKey({}, alice);
    const { KeyMetadata: b } = await core.createKey({}, alice);
    for (const name of ['alias/c', 'alias/a', 'alias/b']) await core.createAlias({ AliasName: name, TargetKeyId: a.KeyId }, alice);
    await core.createAlias({ AliasName: 'alias/other', TargetKeyId: b.KeyId }, alice);
    const forA = await core.listAliases({ KeyId: a.Arn }, alice);
    expect(forA.Aliases.map((x) => x.AliasName)).toEqual(['alias/a', 'alias/b', 'alias/c']);
    expect(forA.Aliases.every((x) => x.TargetKeyId === a.KeyId)).toBe(true);
    const p1 = await core.listAliases({ Limit: 2 }, alice);
    expect(p1.Aliases.map((x) => x.AliasName)).toEqual(['alias/a', 'alias/aws/s3']);
    expect(p1.Truncated).toBe(true);
    const p2 = await core.listAliases({ Limit: 2, Marker: p1.NextMarker }, alice);
    expect(p2.Aliases.map((x) => x.AliasName)).toEqual(['alias/b', 'alias/c']);
    const p3 = await core.listAliases({ Limit: 2, Marker: p2.NextMarker }, alice);
    expect(p3.Aliases.map((x) => x.AliasName)).toEqual(['alias/other']);
    expect(p3.Truncated).toBe(false);
    expect(p3.NextMarker).toBeUndefined();
  });

  it('reports an unknown KeyId filter and refuses other accounts', async () => {
    const absent = '11111111-2222-4333-8444-555555555555';
    expect((await kmsError(() => core.listAliases({ KeyId: absent }, alice))).type).toBe('NotFoundException');
    expect((await kmsError(() => core.listAliases({}, mallory))).type).toBe('AccessDeniedException');
  });
});
