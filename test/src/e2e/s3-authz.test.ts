/**
 * S3 authorisation against a real gateway: users made through @aws-sdk/client-iam, each with
 * its own S3 client; identity policies and bucket policies decide, as AWS evaluates them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketPolicyCommand, DeleteObjectsCommand, GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand, GetObjectCommand, HeadObjectCommand, ListBucketsCommand, ListObjectsV2Command,
  PutBucketPolicyCommand, PutObjectCommand, S3Client,
} from '@aws-sdk/client-s3';
import { bodyBytes, createKmsKey, createUserClient, errorOf, useGateway } from '../harness.js';

const fx = useGateway();
const ACCOUNT = '111122223333';
const arn = (user: string): string => `arn:aws:iam::${ACCOUNT}:user/${user}`;
const clients: S3Client[] = [];
let alice: S3Client;
let bob: S3Client;
let carol: S3Client;

async function user(name: string, policy?: object): Promise<S3Client> {
  const { s3 } = await createUserClient(fx.gw, name, policy);
  clients.push(s3);
  return s3;
}

const readWrite = (bucket: string, extra: object[] = []): object => ({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], Resource: `arn:aws:s3:::${bucket}/*` },
    { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
    ...extra,
  ],
});

const put = (client: S3Client, Bucket: string, Key: string, extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}): Promise<unknown> =>
  client.send(new PutObjectCommand({ Bucket, Key, Body: `body of ${Key}`, ...extra }));
const denied = { name: 'AccessDenied', status: 403, message: 'Access Denied' };

beforeAll(async () => {
  for (const b of ['docs', 'other', 'sealed', 'guarded', 'homes']) await fx.gw.s3.send(new CreateBucketCommand({ Bucket: b }));
  bob = await user('bob', readWrite('docs', [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::homes', Condition: { StringLike: { 's3:prefix': 'bob/*' } } }]));
  alice = await user('alice', readWrite('docs', [
    { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::sealed/*', 'arn:aws:s3:::guarded/*'] },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' },
    // SSE-KMS through S3 needs the key too: the default key policy delegates to this identity policy.
    { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: '*' },
  ]));
  carol = await user('carol');
});
afterAll(() => {
  clients.forEach((c) => c.destroy());
});

describe('identity policies', () => {
  it('lets Bob and Alice read and write docs, each other\'s objects included', async () => {
    await put(bob, 'docs', 'from-bob.txt');
    await put(alice, 'docs', 'from-alice.txt');
    expect((await bodyBytes((await alice.send(new GetObjectCommand({ Bucket: 'docs', Key: 'from-bob.txt' }))).Body)).toString()).toBe('body of from-bob.txt');
    expect((await bodyBytes((await bob.send(new GetObjectCommand({ Bucket: 'docs', Key: 'from-alice.txt' }))).Body)).toString()).toBe('body of from-alice.txt');
    const listed = await bob.send(new ListObjectsV2Command({ Bucket: 'docs' }));
    expect(listed.Contents!.map((c) => c.Key)).toEqual(['from-alice.txt', 'from-bob.txt']);
    // Nothing beyond the policy: another bucket, or listing all buckets.
    expect(await errorOf(put(bob, 'other', 'x'))).toMatchObject(denied);
    expect(await errorOf(bob.send(new ListBucketsCommand({})))).toMatchObject(denied);
  });

  it('refuses Carol, who has no policy, everything: 403 AccessDenied, HEAD without a body', async () => {
    expect(await errorOf(carol.send(new GetObjectCommand({ Bucket: 'docs', Key: 'from-bob.txt' })))).toMatchObject(denied);
    expect(await errorOf(carol.send(new GetObjectCommand({ Bucket: 'docs', Key: 'no-such-key' })))).toMatchObject(denied);
    expect(await errorOf(carol.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'from-bob.txt' })))).toMatchObject({ status: 403 });
    expect(await errorOf(put(carol, 'docs', 'from-carol.txt'))).toMatchObject(denied);
    expect(await errorOf(carol.send(new ListObjectsV2Command({ Bucket: 'docs' })))).toMatchObject(denied);
    expect(await errorOf(carol.send(new ListBucketsCommand({})))).toMatchObject(denied);
    expect(await errorOf(carol.send(new CreateBucketCommand({ Bucket: 'carols' })))).toMatchObject(denied);
    expect(await errorOf(carol.send(new GetBucketPolicyCommand({ Bucket: 'docs' })))).toMatchObject(denied);
  });

  it('applies an s3:prefix condition on ListBucket', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: 'homes', Key: 'bob/a', Body: 'a' }));
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: 'homes', Key: 'alice/a', Body: 'a' }));
    expect((await bob.send(new ListObjectsV2Command({ Bucket: 'homes', Prefix: 'bob/' }))).Contents!.map((c) => c.Key)).toEqual(['bob/a']);
    expect(await errorOf(bob.send(new ListObjectsV2Command({ Bucket: 'homes', Prefix: 'alice/' })))).toMatchObject(denied);
    expect(await errorOf(bob.send(new ListObjectsV2Command({ Bucket: 'homes' })))).toMatchObject(denied);
  });

  it('needs GetObject on the copy source and PutObject on the destination', async () => {
    await fx.gw.s3.send(new PutObjectCommand({ Bucket: 'other', Key: 'src', Body: 'source bytes' }));
    // Bob may write docs but not read other.
    expect(await errorOf(bob.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'copied', CopySource: 'other/src' })))).toMatchObject(denied);
    // Alice may read other but not write it.
    expect(await errorOf(alice.send(new CopyObjectCommand({ Bucket: 'other', Key: 'copied', CopySource: 'docs/from-bob.txt' })))).toMatchObject(denied);
    await alice.send(new CopyObjectCommand({ Bucket: 'docs', Key: 'copied', CopySource: 'other/src' }));
    expect((await bodyBytes((await bob.send(new GetObjectCommand({ Bucket: 'docs', Key: 'copied' }))).Body)).toString()).toBe('source bytes');
  });

  it('reports AccessDenied per key DeleteObjects may not delete, and deletes the rest', async () => {
    await fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: 'docs', Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'KeepLocked', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: 'arn:aws:s3:::docs/locked/*' }],
    }) }));
    await put(bob, 'docs', 'locked/keep');
    await put(bob, 'docs', 'gone');
    const result = await bob.send(new DeleteObjectsCommand({ Bucket: 'docs', Delete: { Objects: [{ Key: 'locked/keep' }, { Key: 'gone' }] } }));
    expect(result.Deleted!.map((d) => d.Key)).toEqual(['gone']);
    expect(result.Errors).toEqual([{ Key: 'locked/keep', Code: 'AccessDenied', Message: 'Access Denied' }]);
    expect((await bob.send(new HeadObjectCommand({ Bucket: 'docs', Key: 'locked/keep' }))).ContentLength).toBeGreaterThan(0);
    await fx.gw.s3.send(new DeleteBucketPolicyCommand({ Bucket: 'docs' }));
  });
});

describe('bucket policies', () => {
  it('requires SSE-KMS with one given key (DenyIncorrectEncryptionHeader, DenyUnEncryptedObjectUploads)', async () => {
    const { keyArn } = await createKmsKey(fx.gw);
    const other = await createKmsKey(fx.gw);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DenyIncorrectEncryptionHeader', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::sealed/*',
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': keyArn } } },
        { Sid: 'DenyUnEncryptedObjectUploads', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: 'arn:aws:s3:::sealed/*',
          Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
      ],
    });
    await fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: 'sealed', Policy: policy }));
    expect((await fx.gw.s3.send(new GetBucketPolicyCommand({ Bucket: 'sealed' }))).Policy).toBe(policy);
    expect((await fx.gw.s3.send(new GetBucketPolicyStatusCommand({ Bucket: 'sealed' }))).PolicyStatus).toEqual({ IsPublic: false });

    expect(await errorOf(put(alice, 'sealed', 'plain'))).toMatchObject(denied);
    expect(await errorOf(put(alice, 'sealed', 'aes', { ServerSideEncryption: 'AES256' }))).toMatchObject(denied);
    expect(await errorOf(put(alice, 'sealed', 'wrong-key', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: other.keyArn }))).toMatchObject(denied);
    // The admin too: a bucket policy Deny applies to everyone.
    expect(await errorOf(put(fx.gw.s3, 'sealed', 'admin-plain'))).toMatchObject(denied);
    const ok = (await put(alice, 'sealed', 'right-key', { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyArn })) as { SSEKMSKeyId?: string };
    expect(ok.SSEKMSKeyId).toBe(keyArn);
    expect((await bodyBytes((await alice.send(new GetObjectCommand({ Bucket: 'sealed', Key: 'right-key' }))).Body)).toString()).toBe('body of right-key');
  });

  it("an explicit Deny beats Alice's identity Allow; a bucket Allow alone lets Carol in", async () => {
    await put(alice, 'guarded', 'before');
    await fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: 'guarded', Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Deny', Principal: { AWS: arn('alice') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*' },
        { Effect: 'Allow', Principal: { AWS: arn('carol') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::guarded/*' },
      ],
    }) }));
    expect(await errorOf(alice.send(new GetObjectCommand({ Bucket: 'guarded', Key: 'before' })))).toMatchObject(denied);
    expect((await bodyBytes((await carol.send(new GetObjectCommand({ Bucket: 'guarded', Key: 'before' }))).Body)).toString()).toBe('body of before');
    await put(alice, 'guarded', 'still-writable');
  });

  it('validates policies strictly, with MalformedPolicy as S3 answers', async () => {
    const putPolicy = (Policy: string): Promise<unknown> => fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: 'other', Policy }));
    const doc = (statement: object): string => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
    const allowBob = { Effect: 'Allow', Principal: { AWS: arn('bob') } };
    const cases: [string, string][] = [
      ['not json', "Policies must be valid JSON and the first byte must be '{'"],
      [doc({ ...allowBob, Action: 's3:GetObject', Resource: 'arn:aws:s3:::docs/*' }), 'Policy has invalid resource'],
      [doc({ ...allowBob, Action: 's3:GetObject', Resource: '*' }), 'Policy has invalid resource'],
      [doc({ ...allowBob, Action: 's3:NoSuchThing', Resource: 'arn:aws:s3:::other/*' }), 'Policy has invalid action'],
      [doc({ ...allowBob, Action: 's3:PutObject', Resource: 'arn:aws:s3:::other' }), 'Action does not apply to any resource(s) in statement'],
      [doc({ ...allowBob, Action: 's3:GetObject' }), 'Statement is missing required element'],
      [doc({ Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' }), 'Invalid principal in policy'],
      [doc({ ...allowBob, Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*', Sid: 'x'.repeat(21 * 1024) }), 'Policy exceeds the maximum allowed document size.'],
    ];
    for (const [policy, message] of cases) expect(await errorOf(putPolicy(policy))).toMatchObject({ name: 'MalformedPolicy', status: 400, message });
    // Every bucket blocks public policies.
    expect(await errorOf(putPolicy(doc({ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::other/*' })))).toMatchObject(denied);
    expect(await errorOf(fx.gw.s3.send(new GetBucketPolicyCommand({ Bucket: 'other' })))).toMatchObject({ name: 'NoSuchBucketPolicy', status: 404 });
  });

  it('never locks the admin out of the policy itself', async () => {
    await fx.gw.s3.send(new CreateBucketCommand({ Bucket: 'locked' }));
    await fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: 'locked', Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::locked', 'arn:aws:s3:::locked/*'] }],
    }) }));
    expect(await errorOf(put(fx.gw.s3, 'locked', 'x'))).toMatchObject(denied);
    expect(await errorOf(fx.gw.s3.send(new ListObjectsV2Command({ Bucket: 'locked' })))).toMatchObject(denied);
    await fx.gw.s3.send(new DeleteBucketPolicyCommand({ Bucket: 'locked' }));
    await put(fx.gw.s3, 'locked', 'x');
  });
});
