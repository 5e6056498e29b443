/**
 * The lecture's scenario, end to end against a real gateway with the real AWS SDK clients:
 * Bob and Alice may both read and write bucket `docs`, but only Bob may use Bob's key, so
 * Alice cannot read what Bob stored with it until Bob grants her Decrypt, and cannot again once
 * he revokes the grant. The audit trail shows her refused Decrypt under the S3 request id of
 * her GET. A key policy condition on the encryption context decides which uploads may use a
 * key, and a bucket policy that requires SSE-KMS with Bob's key refuses a plain PUT.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { CreateGrantCommand, CreateKeyCommand, KMSClient, RevokeGrantCommand } from '@aws-sdk/client-kms';
import { CopyObjectCommand, CreateBucketCommand, GetObjectCommand, PutBucketPolicyCommand, PutObjectCommand, S3Client, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import { readAuditTrail, type AuditRecord } from '@kmsgate/kms-core';
import { join } from 'node:path';
import { bodyBytes, createUser, useGateway } from '../harness.js';

const fx = useGateway();
const BUCKET = 'docs';
const clients: { destroy(): void }[] = [];

interface User {
  name: string;
  arn: string;
  s3: S3Client;
  kms: KMSClient;
}

/** An IAM user made through the gateway's IAM API, with one identity policy and its own clients. */
async function user(name: string, policy: object): Promise<User> {
  const { arn, credentials } = await createUser(fx.gw, name, policy);
  const common = { endpoint: fx.gw.endpoint, region: fx.gw.region, credentials };
  const s3 = new S3Client({ ...common, forcePathStyle: true });
  const kms = new KMSClient(common);
  clients.push(s3, kms);
  return { name, arn, s3, kms };
}

/** Read and write on every object of `docs`; Bob's policy also lets him manage KMS keys. */
const docsReadWrite = (extra: object[] = []): object => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${BUCKET}/*` }, ...extra],
});

/** A key policy whose statements all name Bob, and no one else (no account-root delegation). */
const onlyBob = (bob: User, statements: object[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements.map((s) => ({ Effect: 'Allow', Principal: { AWS: bob.arn }, Resource: '*', ...s })) });

const contextHeader = (context: Record<string, string>): string => Buffer.from(JSON.stringify(context)).toString('base64');

async function read(who: User, Key: string): Promise<string> {
  return (await bodyBytes((await who.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }))).Body)).toString();
}

/** The S3 error a call failed with, and the request id (x-amz-request-id) of its response. */
async function refusal(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string; requestId?: string }> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to be refused, and it succeeded');
    },
    (e: unknown) => e as { name: string; Code?: string; message: string; $metadata?: { httpStatusCode?: number; requestId?: string } },
  );
  return { name: err.Code ?? err.name, status: err.$metadata?.httpStatusCode, message: err.message, requestId: err.$metadata?.requestId };
}

const notAuthorized = (who: User, action: string, keyArn: string): string =>
  `User: ${who.arn} is not authorized to perform: kms:${action} on resource: ${keyArn} because no resource-based policy allows the kms:${action} action`;

let bob: User;
let alice: User;

beforeAll(async () => {
  await fx.gw.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  bob = await user('bob', docsReadWrite([{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }]));
  // Alice may use the bucket, and nothing of KMS: whatever she reads through a key, a key policy or a grant allowed.
  alice = await user('alice', docsReadWrite());
});
afterAll(() => {
  clients.forEach((c) => c.destroy());
});

describe("the lecture: reading the bucket is not reading the data", () => {
  let bobsKey: string;

  it("Alice may read and write docs, yet Bob's SSE-KMS object under Bob's key is 403 AccessDenied for her", async () => {
    bobsKey = (await bob.kms.send(new CreateKeyCommand({ Description: "Bob's key", Policy: onlyBob(bob, [{ Sid: 'OnlyBob', Action: 'kms:*' }]) }))).KeyMetadata!.Arn!;
    const put = await bob.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bob/plan.txt', Body: "Bob's plan", ServerSideEncryption: 'aws:kms', SSEKMSKeyId: bobsKey }));
    expect(put).toMatchObject({ ServerSideEncryption: 'aws:kms', SSEKMSKeyId: bobsKey });
    expect(await read(bob, 'bob/plan.txt')).toBe("Bob's plan");

    // The bucket is open to her: she writes and reads her own object, and Bob reads it.
    await alice.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'alice/notes.txt', Body: "Alice's notes" }));
    expect(await read(bob, 'alice/notes.txt')).toBe("Alice's notes");

    const refused = await refusal(alice.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bob/plan.txt' })));
    expect(refused).toMatchObject({ name: 'AccessDenied', status: 403, message: notAuthorized(alice, 'Decrypt', bobsKey) });
    expect(refused.requestId).toBeTruthy();
    // No side door: a range read or a copy into her own object needs the same Decrypt.
    expect(await refusal(alice.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bob/plan.txt', Range: 'bytes=0-2' }))))
      .toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await refusal(alice.s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'alice/copy.txt', CopySource: `${BUCKET}/bob/plan.txt` }))))
      .toMatchObject({ name: 'AccessDenied', status: 403 });

    const trail = await readAuditTrail(join(fx.gw.dataDir, 'kms', 'audit.log'));
    const records = trail.filter((r: AuditRecord) => r.requestID === refused.requestId);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventSource: 'kms.amazonaws.com',
      eventName: 'Decrypt',
      errorCode: 'AccessDeniedException',
      errorMessage: notAuthorized(alice, 'Decrypt', bobsKey),
      userIdentity: { type: 'IAMUser', arn: alice.arn, userName: 'alice', invokedBy: 's3.amazonaws.com' },
      requestParameters: { encryptionContext: { 'aws:s3:arn': `arn:aws:s3:::${BUCKET}/bob/plan.txt` } },
      resources: [{ type: 'AWS::KMS::Key', ARN: bobsKey }],
    });
  });

  it('a grant of Decrypt lets her GET work at once, and revoking it refuses her again', async () => {
    const grant = await bob.kms.send(new CreateGrantCommand({ KeyId: bobsKey, GranteePrincipal: alice.arn, Operations: ['Decrypt'], Name: 'alice-reads-docs' }));
    expect(await read(alice, 'bob/plan.txt')).toBe("Bob's plan");
    // Decrypt only: she still cannot write with Bob's key.
    expect(await refusal(alice.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'alice/sealed.txt', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: bobsKey }))))
      .toMatchObject({ name: 'AccessDenied', status: 403, message: notAuthorized(alice, 'GenerateDataKey', bobsKey) });

    await bob.kms.send(new RevokeGrantCommand({ KeyId: bobsKey, GrantId: grant.GrantId }));
    expect(await refusal(alice.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'bob/plan.txt' }))))
      .toMatchObject({ name: 'AccessDenied', status: 403, message: notAuthorized(alice, 'Decrypt', bobsKey) });
    expect(await read(bob, 'bob/plan.txt')).toBe("Bob's plan");
  });

  it('a key policy condition on kms:EncryptionContext:project allows only uploads that carry that context', async () => {
    const condition = { StringEquals: { 'kms:EncryptionContext:project': 'lecture' } };
    const projectKey = (await bob.kms.send(new CreateKeyCommand({
      Description: 'project lecture only',
      Policy: onlyBob(bob, [
        { Sid: 'Manage', Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:CreateGrant', 'kms:RevokeGrant'] },
        { Sid: 'ProjectOnly', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Condition: condition },
      ]),
    }))).KeyMetadata!.Arn!;
    const upload = (Key: string, extra: Partial<PutObjectCommandInput>): Promise<unknown> =>
      bob.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: `body of ${Key}`, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: projectKey, ...extra }));

    await upload('lecture/ok.txt', { SSEKMSEncryptionContext: contextHeader({ project: 'lecture' }) });
    expect(await read(bob, 'lecture/ok.txt')).toBe('body of lecture/ok.txt');

    const refusedAs = { name: 'AccessDenied', status: 403, message: notAuthorized(bob, 'GenerateDataKey', projectKey) };
    expect(await refusal(upload('lecture/other-project.txt', { SSEKMSEncryptionContext: contextHeader({ project: 'other' }) }))).toMatchObject(refusedAs);
    expect(await refusal(upload('lecture/no-context.txt', {}))).toMatchObject(refusedAs);
    // A refused upload leaves nothing behind.
    expect(await refusal(bob.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lecture/no-context.txt' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
  });

  it("a bucket policy requiring SSE-KMS with Bob's key refuses a plain PUT, and takes one under his key", async () => {
    await fx.gw.s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'DenyIncorrectEncryptionHeader', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*`,
          Condition: { StringNotEquals: { 's3:x-amz-server-side-encryption-aws-kms-key-id': bobsKey } } },
        { Sid: 'DenyUnEncryptedObjectUploads', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${BUCKET}/*`,
          Condition: { Null: { 's3:x-amz-server-side-encryption': 'true' } } },
      ],
    }) }));
    const denied = { name: 'AccessDenied', status: 403, message: 'Access Denied' };
    expect(await refusal(bob.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bob/plain.txt', Body: 'plain' })))).toMatchObject(denied);
    expect(await refusal(alice.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'alice/plain.txt', Body: 'plain' })))).toMatchObject(denied);
    expect(await refusal(bob.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bob/managed.txt', Body: 'x', ServerSideEncryption: 'aws:kms' })))).toMatchObject(denied);
    await bob.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bob/sealed.txt', Body: 'sealed', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: bobsKey }));
    expect(await read(bob, 'bob/sealed.txt')).toBe('sealed');
  });
});
