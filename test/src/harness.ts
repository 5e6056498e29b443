/**
 * Starts a real gateway on a loopback port with a fresh data directory, and builds real
 * clients for it. Nothing of ours is mocked: tests speak HTTP to the same server the CLI runs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startGateway, type RunningGateway, type StartGatewayOptions } from '@kmsgate/gateway';

export interface TestGateway extends RunningGateway {
  s3: S3Client;
  kms: KMSClient;
  /** Environment for child processes (AWS CLI, curl) pointing at this gateway. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export async function startTestGateway(opts: Partial<StartGatewayOptions> = {}): Promise<TestGateway> {
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), 'kmsgate-test-')));
  const gw = await startGateway({ port: 0, logLevel: 'silent', notify: () => undefined, ...opts, dataDir });
  const clientConfig = { endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials, forcePathStyle: true };
  const s3 = new S3Client(clientConfig);
  const kms = new KMSClient({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dataDir,
    AWS_ACCESS_KEY_ID: gw.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: gw.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: gw.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: join(dataDir, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(dataDir, 'no-aws-credentials'),
  };
  return {
    ...gw,
    s3,
    kms,
    env,
    stop: async () => {
      s3.destroy();
      kms.destroy();
      await gw.close();
      if (!opts.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A bucket name unique within a test run. */
let counter = 0;
export function bucketName(prefix = 'b'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${Date.now().toString(36)}`;
}

/** Collects a web or node stream body into a Buffer. */
export async function bodyBytes(body: unknown): Promise<Buffer> {
  const withBytes = body as { transformToByteArray?: () => Promise<Uint8Array> };
  if (withBytes.transformToByteArray) return Buffer.from(await withBytes.transformToByteArray());
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** A new customer managed KMS key in the gateway's KMS: its id and ARN. */
export async function createKmsKey(gw: TestGateway): Promise<{ keyId: string; keyArn: string }> {
  const created = await gw.kms.send(new CreateKeyCommand({}));
  return { keyId: created.KeyMetadata!.KeyId!, keyArn: created.KeyMetadata!.Arn! };
}

/**
 * An IAM user made through the gateway's IAM API, with the given inline policies (JSON text or
 * objects, named p0, p1, ...) and one access key.
 */
export async function createUser(gw: TestGateway, name: string, ...policies: (object | string)[]): Promise<{ arn: string; credentials: { accessKeyId: string; secretAccessKey: string } }> {
  const iam = new IAMClient({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials });
  try {
    const user = (await iam.send(new CreateUserCommand({ UserName: name }))).User!;
    for (const [i, policy] of policies.entries()) {
      const PolicyDocument = typeof policy === 'string' ? policy : JSON.stringify(policy);
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: `p${i}`, PolicyDocument }));
    }
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { arn: user.Arn!, credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } };
  } finally {
    iam.destroy();
  }
}

/**
 * An IAM user made through the gateway's IAM API (with `policy` as its inline identity policy)
 * and an S3 client signing as it; destroy the client when done.
 */
export async function createUserClient(gw: TestGateway, name: string, policy?: object): Promise<{ s3: S3Client; arn: string }> {
  const { arn, credentials } = await createUser(gw, name, ...(policy ? [policy] : []));
  return { s3: new S3Client({ endpoint: gw.endpoint, region: gw.region, forcePathStyle: true, credentials }), arn };
}

/** The S3/KMS error code an SDK call failed with. */
export async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as { name: string; message: string; $metadata?: { httpStatusCode?: number }; Code?: string };
    return { name: e.Code ?? e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

export interface GatewayFixture {
  readonly gw: TestGateway;
}

export interface BucketFixture extends GatewayFixture {
  readonly bucket: string;
}

/**
 * Registers beforeAll/afterAll hooks that start a gateway for the enclosing test file, and
 * returns the fixture they fill in.
 */
export function useGateway(opts: Partial<StartGatewayOptions> = {}): GatewayFixture {
  const fixture = {} as { gw: TestGateway };
  beforeAll(async () => {
    fixture.gw = await startTestGateway(opts);
  });
  afterAll(async () => {
    await fixture.gw?.stop();
  });
  return fixture;
}

/** As useGateway, with one fresh bucket made before the file's tests run. */
export function useGatewayWithBucket(prefix: string, opts: Partial<StartGatewayOptions> = {}): BucketFixture {
  const fixture = useGateway(opts) as { gw: TestGateway; bucket: string };
  beforeAll(async () => {
    fixture.bucket = bucketName(prefix);
    await fixture.gw.s3.send(new CreateBucketCommand({ Bucket: fixture.bucket }));
  });
  return fixture;
}
