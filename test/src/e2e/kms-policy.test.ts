/**
 * Key policies and grants through @aws-sdk/client-kms against a real gateway, with users made
 * through @aws-sdk/client-iam: who may use a key is decided by its key policy, the caller's
 * identity policies (where the key policy delegates to the account) and the key's grants.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import {
  CreateGrantCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EncryptCommand, GenerateDataKeyCommand, GetKeyPolicyCommand,
  KMSClient, ListGrantsCommand, ListKeyPoliciesCommand, ListRetirableGrantsCommand, PutKeyPolicyCommand, RetireGrantCommand, RevokeGrantCommand,
} from '@aws-sdk/client-kms';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { bodyBytes, createUser, errorOf, useGatewayWithBucket } from '../harness.js';

const fx = useGatewayWithBucket('kmspol');
const ACCOUNT = '111122223333';
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const userArn = (name: string): string => `arn:aws:iam::${ACCOUNT}:user/${name}`;
const KMS_ALL = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] });

interface User {
  arn: string;
  kms: KMSClient;
  s3: S3Client;
}

const clients: { destroy(): void }[] = [];

afterAll(() => {
  clients.forEach((c) => c.destroy());
});

async function user(name: string, ...policies: string[]): Promise<User> {
  const { credentials } = await createUser(fx.gw, name, ...policies);
  const common = { endpoint: fx.gw.endpoint, region: fx.gw.region, credentials };
  const kms = new KMSClient(common);
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  clients.push(kms, s3);
  return { arn: userArn(name), kms, s3 };
}

function onlyFor(principal: string, extra: object[] = []): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'Only', Effect: 'Allow', Principal: { AWS: principal }, Action: 'kms:*', Resource: '*' }, ...extra],
  });
}

const denied = (who: string, action: string, key: string, why = `because no resource-based policy allows the kms:${action} action`): string =>
  `User: ${who} is not authorized to perform: kms:${action} on resource: ${key} ${why}`;

describe('key policies', () => {
  it("lets only the principal a key policy names use the key, until a grant lets another, until it is revoked", async () => {
    const bob = await user('bob', KMS_ALL);
    const alice = await user('alice', KMS_ALL);
    const key = (await bob.kms.send(new CreateKeyCommand({ Policy: onlyFor(bob.arn) }))).KeyMetadata!.Arn!;
    const { CiphertextBlob } = await bob.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('secret') }));

    expect(await errorOf(alice.kms.send(new DecryptCommand({ CiphertextBlob })))).toMatchObject({ name: 'AccessDeniedException', status: 400, message: denied(alice.arn, 'Decrypt', key) });
    expect(await errorOf(alice.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).toMatchObject({ name: 'AccessDeniedException', message: denied(alice.arn, 'Encrypt', key) });

    const grant = await bob.kms.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: alice.arn, Operations: ['Decrypt'], RetiringPrincipal: bob.arn, Name: 'alice-decrypt' }));
    expect(grant.GrantId).toMatch(/^[0-9a-f]{64}$/);
    expect(grant.GrantToken).toBeTruthy();
    const out = await alice.kms.send(new DecryptCommand({ CiphertextBlob, GrantTokens: [grant.GrantToken!] }));
    expect(Buffer.from(out.Plaintext!).toString()).toBe('secret');
    // The grant covers Decrypt only.
    expect(await errorOf(alice.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('x') })))).toMatchObject({ name: 'AccessDeniedException' });

    const again = await bob.kms.send(new CreateGrantCommand({ KeyId: key, GranteePrincipal: alice.arn, Operations: ['Decrypt'], RetiringPrincipal: bob.arn, Name: 'alice-decrypt' }));
    expect(again.GrantId).toBe(grant.GrantId);
    const listed = await bob.kms.send(new ListGrantsCommand({ KeyId: key }));
    expect(listed.Grants).toEqual([
      {
        KeyId: key, GrantId: grant.GrantId, Name: 'alice-decrypt', CreationDate: expect.any(Date), GranteePrincipal: alice.arn,
        RetiringPrincipal: bob.arn, IssuingAccount: ROOT, Operations: ['Decrypt'],
      },
    ]);
    expect(listed.Truncated).toBe(false);
    expect((await bob.kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: bob.arn }))).Grants!.map((g) => g.GrantId)).toEqual([grant.GrantId]);

    await bob.kms.send(new RevokeGrantCommand({ KeyId: key, GrantId: grant.GrantId }));
    expect(await errorOf(alice.kms.send(new DecryptCommand({ CiphertextBlob })))).toMatchObject({ name: 'AccessDeniedException', message: denied(alice.arn, 'Decrypt', key) });
    expect((await bob.kms.send(new ListGrantsCommand({ KeyId: key }))).Grants).toEqual([]);
  });

  it('retires a grant by its token for the retiring principal, and constrains a grant to its encryption context', async () => {
    const owner = await user('owner', KMS_ALL);
    const reader = await user('reader', KMS_ALL);
    const key = (await owner.kms.send(new CreateKeyCommand({ Policy: onlyFor(owner.arn) }))).KeyMetadata!.Arn!;
    const grant = await owner.kms.send(new CreateGrantCommand({
      KeyId: key, GranteePrincipal: reader.arn, Operations: ['Encrypt', 'Decrypt'], RetiringPrincipal: reader.arn,
      Constraints: { EncryptionContextSubset: { project: 'apollo' } },
    }));
    const ok = await reader.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a'), EncryptionContext: { project: 'apollo', part: '1' } }));
    expect(ok.KeyId).toBe(key);
    expect(await errorOf(reader.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a'), EncryptionContext: { project: 'gemini' } })))).toMatchObject({ name: 'AccessDeniedException' });
    await reader.kms.send(new RetireGrantCommand({ GrantToken: grant.GrantToken }));
    expect(await errorOf(reader.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a'), EncryptionContext: { project: 'apollo' } })))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('allows Encrypt only with the encryption context a key policy condition names, and an explicit Deny wins', async () => {
    const carol = await user('carol', KMS_ALL);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Admin', Effect: 'Allow', Principal: { AWS: carol.arn }, Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:Decrypt', 'kms:DescribeKey'], Resource: '*' },
        { Sid: 'Apollo', Effect: 'Allow', Principal: { AWS: carol.arn }, Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:project': 'apollo' } } },
        { Sid: 'NoDescribe', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:DescribeKey', Resource: '*' },
      ],
    });
    const key = (await carol.kms.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!.Arn!;
    await carol.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a'), EncryptionContext: { project: 'apollo' } }));
    expect(await errorOf(carol.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a'), EncryptionContext: { project: 'gemini' } })))).toMatchObject({ name: 'AccessDeniedException', message: denied(carol.arn, 'Encrypt', key) });
    expect(await errorOf(carol.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a') })))).toMatchObject({ name: 'AccessDeniedException' });
    expect(await errorOf(carol.kms.send(new DescribeKeyCommand({ KeyId: key })))).toMatchObject({
      name: 'AccessDeniedException', message: denied(carol.arn, 'DescribeKey', key, 'with an explicit deny in a resource-based policy'),
    });
    expect(await carol.kms.send(new GetKeyPolicyCommand({ KeyId: key }))).toMatchObject({ Policy: policy, PolicyName: 'default' });
    // Not even the admin, whose identity policies allow everything, gets past a key policy that does not delegate to the account.
    expect(await errorOf(fx.gw.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a'), EncryptionContext: { project: 'apollo' } })))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('gives new keys the default policy, which delegates to identity policies', async () => {
    const created = await fx.gw.kms.send(new CreateKeyCommand({}));
    const key = created.KeyMetadata!.Arn!;
    const got = await fx.gw.kms.send(new GetKeyPolicyCommand({ KeyId: key }));
    expect(JSON.parse(got.Policy!)).toEqual({
      Version: '2012-10-17', Id: 'key-default-1',
      Statement: [{ Sid: 'Enable IAM User Permissions', Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:*', Resource: '*' }],
    });
    expect(await fx.gw.kms.send(new ListKeyPoliciesCommand({ KeyId: key }))).toMatchObject({ PolicyNames: ['default'], Truncated: false });
    const nobody = await user('nobody');
    const encryptOnly = await user('encrypter', JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: key }] }));
    expect(await errorOf(nobody.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a') })))).toMatchObject({
      name: 'AccessDeniedException', message: denied(nobody.arn, 'Encrypt', key, 'because no identity-based policy allows the kms:Encrypt action'),
    });
    expect((await encryptOnly.kms.send(new EncryptCommand({ KeyId: key, Plaintext: Buffer.from('a') }))).KeyId).toBe(key);
    expect(await errorOf(encryptOnly.kms.send(new DescribeKeyCommand({ KeyId: key })))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses a policy that would lock the caller out, unless the check is bypassed, and one over 32 KB', async () => {
    const dave = await user('dave', KMS_ALL);
    const key = (await dave.kms.send(new CreateKeyCommand({}))).KeyMetadata!.Arn!;
    const lockout = onlyFor(userArn('someone-else'));
    const message = 'The new key policy will not allow you to update the key policy in the future.';
    expect(await errorOf(dave.kms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: lockout })))).toMatchObject({ name: 'MalformedPolicyDocumentException', message });
    expect(await errorOf(dave.kms.send(new CreateKeyCommand({ Policy: lockout })))).toMatchObject({ name: 'MalformedPolicyDocumentException', message });
    const big = onlyFor(ROOT, [{ Sid: 'x'.repeat(33 * 1024), Effect: 'Allow', Principal: { AWS: ROOT }, Action: 'kms:Decrypt', Resource: '*' }]);
    expect(await errorOf(dave.kms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: big })))).toMatchObject({ name: 'LimitExceededException' });
    await dave.kms.send(new PutKeyPolicyCommand({ KeyId: key, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }));
    expect(await errorOf(dave.kms.send(new GetKeyPolicyCommand({ KeyId: key })))).toMatchObject({ name: 'AccessDeniedException' });
  });
});

// S3 requests here are the admin's: which users S3 itself lets in is S3 authorisation's business.
describe('KMS keys used through S3', () => {
  it('aws/s3 is refused through the KMS API for data use, works through S3, and its policy cannot change', async () => {
    const erin = await user('erin', KMS_ALL);
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'managed', Body: 'hello', ServerSideEncryption: 'aws:kms' }));
    const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'managed' }));
    expect((await bodyBytes(got.Body)).toString()).toBe('hello');
    const managed = (await erin.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata!.Arn!;
    expect(got.SSEKMSKeyId).toBe(managed);

    expect(await errorOf(erin.kms.send(new GenerateDataKeyCommand({ KeyId: 'alias/aws/s3', KeySpec: 'AES_256' })))).toMatchObject({
      name: 'AccessDeniedException', message: denied(erin.arn, 'GenerateDataKey', managed),
    });
    expect(await errorOf(fx.gw.kms.send(new EncryptCommand({ KeyId: 'alias/aws/s3', Plaintext: Buffer.from('a') })))).toMatchObject({ name: 'AccessDeniedException' });
    const policy = (await fx.gw.kms.send(new GetKeyPolicyCommand({ KeyId: managed }))).Policy!;
    expect(JSON.parse(policy).Id).toBe('auto-s3-2');
    expect(await errorOf(fx.gw.kms.send(new PutKeyPolicyCommand({ KeyId: managed, Policy: onlyFor(ROOT) })))).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('answers S3 AccessDenied when the key policy does not let the S3 caller use the key', async () => {
    const key = (await fx.gw.kms.send(new CreateKeyCommand({ Policy: onlyFor(ROOT, [{ Sid: 'NoAdmin', Effect: 'Deny', Principal: { AWS: userArn('admin') }, Action: 'kms:GenerateDataKey', Resource: '*' }]) }))).KeyMetadata!.Arn!;
    const put = await errorOf(fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'f', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key })));
    expect(put).toMatchObject({ name: 'AccessDenied', status: 403 });
  });

  it('lets S3 decrypt with a key whose policy allows only via S3', async () => {
    const viaS3Only = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Manage', Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:PutKeyPolicy', 'kms:GetKeyPolicy', 'kms:DescribeKey'], Resource: '*' },
        { Sid: 'S3', Effect: 'Allow', Principal: { AWS: ROOT }, Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:ViaService': `s3.${fx.gw.region}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT } } },
      ],
    });
    const key = (await fx.gw.kms.send(new CreateKeyCommand({ Policy: viaS3Only }))).KeyMetadata!.Arn!;
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'via', Body: 'through s3', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key }));
    expect((await bodyBytes((await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'via' }))).Body)).toString()).toBe('through s3');
    expect(await errorOf(fx.gw.kms.send(new GenerateDataKeyCommand({ KeyId: key, KeySpec: 'AES_256' })))).toMatchObject({ name: 'AccessDeniedException' });
  });
});
