/**
 * The people of the walkthrough: the administrator who sets up the account, Bob (who owns the
 * documents and their KMS key) and Alice (who may read the bucket but was given no right to
 * the key). Each has real access keys made through the IAM API and their own SDK clients.
 */
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface Actor {
  name: string;
  arn: string;
  s3: S3Client;
  kms: KMSClient;
}

export interface Gatewayside {
  endpoint: string;
  region: string;
  accountId: string;
}

/** One attempt per call: each request the demo makes is one record in the audit trail. */
export function clientsFor(gw: Gatewayside, credentials: Credentials): { s3: S3Client; kms: KMSClient; iam: IAMClient } {
  const base = { endpoint: gw.endpoint, region: gw.region, credentials, maxAttempts: 1 };
  return { s3: new S3Client({ ...base, forcePathStyle: true }), kms: new KMSClient(base), iam: new IAMClient(base) };
}

/** Bob administers and uses his keys, and owns his bucket. */
export function bobPolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:*', Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`] },
      { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
    ],
  };
}

/** Alice may list and read Bob's bucket; nothing about KMS keys. */
export function alicePolicy(bucket: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  };
}

export async function createActor(iam: IAMClient, gw: Gatewayside, name: string, policy: object): Promise<Actor> {
  const { User } = await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'demo', PolicyDocument: JSON.stringify(policy) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  const { s3, kms, iam: ownIam } = clientsFor(gw, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
  ownIam.destroy();
  return { name, arn: User!.Arn!, s3, kms };
}

export function destroyActor(actor: Actor): void {
  actor.s3.destroy();
  actor.kms.destroy();
}

/** The S3 or KMS error a call failed with, as a client sees it, with the request id to find it in the audit trail. */
export interface Refusal {
  code: string;
  status: number | undefined;
  message: string;
  requestId: string | undefined;
}

export async function refusalOf(call: Promise<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (err) {
    const e = err as { name?: string; Code?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
    return { code: e.Code ?? e.name ?? 'Error', status: e.$metadata?.httpStatusCode, message: e.message ?? '', requestId: e.$metadata?.requestId };
  }
  throw new Error('the demo expected this request to be refused, and it succeeded');
}
