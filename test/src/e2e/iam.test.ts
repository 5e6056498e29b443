/**
 * Users through the IAM Query API on the gateway's port: @aws-sdk/client-iam and the AWS CLI
 * (`aws iam ... --endpoint-url`), against a real gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, GetUserCommand,
  GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListUserPoliciesCommand, ListUsersCommand, PutUserPolicyCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { CLI } from '../cli-process.js';
import { errorOf, startTestGateway, useGateway } from '../harness.js';

const fx = useGateway();
const run = promisify(execFile);
const ACCOUNT = '111122223333';
let iam: IAMClient;

beforeAll(() => {
  iam = new IAMClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials: fx.gw.credentials });
});
afterAll(() => iam.destroy());

function clientsFor(credentials: { accessKeyId: string; secretAccessKey: string }): { s3: S3Client; kms: KMSClient; iam: IAMClient; destroy(): void } {
  const common = { endpoint: fx.gw.endpoint, region: fx.gw.region, credentials };
  const clients = { s3: new S3Client({ ...common, forcePathStyle: true }), kms: new KMSClient(common), iam: new IAMClient(common) };
  return { ...clients, destroy: () => Object.values(clients).forEach((c) => c.destroy()) };
}

const READ_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::photos/*' }] });

describe('IAM users with @aws-sdk/client-iam', () => {
  it('creates, reads, lists and deletes users, with IAM errors', async () => {
    const created = await iam.send(new CreateUserCommand({ UserName: 'alice' }));
    expect(created.User).toMatchObject({ UserName: 'alice', Path: '/', Arn: `arn:aws:iam::${ACCOUNT}:user/alice` });
    expect(created.User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(created.User!.CreateDate).toBeInstanceOf(Date);
    expect((await iam.send(new GetUserCommand({ UserName: 'alice' }))).User).toEqual(created.User);
    // Without a name, GetUser answers for the caller: the admin.
    expect((await iam.send(new GetUserCommand({}))).User!.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/admin`);
    expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(['admin', 'alice']);
    expect(await errorOf(iam.send(new CreateUserCommand({ UserName: 'Alice' })))).toMatchObject({ name: 'EntityAlreadyExists', status: 409, message: 'User with name Alice already exists.' });
    expect(await errorOf(iam.send(new GetUserCommand({ UserName: 'nobody' })))).toMatchObject({ name: 'NoSuchEntity', status: 404, message: 'The user with name nobody cannot be found.' });
    expect(await errorOf(iam.send(new CreateUserCommand({ UserName: 'bad name' })))).toMatchObject({ name: 'ValidationError', status: 400 });
    await iam.send(new DeleteUserCommand({ UserName: 'alice' }));
    expect(await errorOf(iam.send(new DeleteUserCommand({ UserName: 'alice' })))).toMatchObject({ name: 'NoSuchEntity', status: 404 });
    expect(await errorOf(iam.send(new DeleteUserCommand({ UserName: 'admin' })))).toMatchObject({ name: 'DeleteConflict', status: 409 });
  });

  it("signs a user's requests as that user, refuses them S3/KMS/IAM rights, and honours key changes at once", async () => {
    await iam.send(new CreateUserCommand({ UserName: 'bob' }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: 'bob' }))).AccessKey!;
    expect(key).toMatchObject({ UserName: 'bob', Status: 'Active' });
    expect(key.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
    const bob = clientsFor({ accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! });
    try {
      const bobArn = `arn:aws:iam::${ACCOUNT}:user/bob`;
      expect(await errorOf(bob.s3.send(new ListBucketsCommand({})))).toMatchObject({ name: 'AccessDenied', status: 403 });
      expect(await errorOf(bob.kms.send(new ListKeysCommand({})))).toMatchObject({ name: 'AccessDeniedException', message: `User: ${bobArn} is not authorized to perform: kms:ListKeys because no identity-based policy allows the kms:ListKeys action` });
      expect(await errorOf(bob.iam.send(new GetUserCommand({})))).toMatchObject({ name: 'AccessDenied', status: 403, message: `User: ${bobArn} is not authorized to perform: iam:GetUser on resource: ${bobArn}` });

      const listed = await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }));
      expect(listed.AccessKeyMetadata!.map((k) => [k.AccessKeyId, k.Status])).toEqual([[key.AccessKeyId, 'Active']]);

      await iam.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: key.AccessKeyId!, Status: 'Inactive' }));
      expect(await errorOf(bob.s3.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
      expect(await errorOf(bob.kms.send(new ListKeysCommand({})))).toMatchObject({ name: 'UnrecognizedClientException' });
      expect(await errorOf(bob.iam.send(new GetUserCommand({})))).toMatchObject({ name: 'InvalidClientTokenId', status: 403 });
      expect((await iam.send(new ListAccessKeysCommand({ UserName: 'bob' }))).AccessKeyMetadata![0]!.Status).toBe('Inactive');

      await iam.send(new UpdateAccessKeyCommand({ UserName: 'bob', AccessKeyId: key.AccessKeyId!, Status: 'Active' }));
      expect(await errorOf(bob.s3.send(new ListBucketsCommand({})))).toMatchObject({ name: 'AccessDenied' });

      expect(await errorOf(iam.send(new DeleteUserCommand({ UserName: 'bob' })))).toMatchObject({ name: 'DeleteConflict', message: 'Cannot delete entity, must delete access keys first.' });
      await iam.send(new DeleteAccessKeyCommand({ UserName: 'bob', AccessKeyId: key.AccessKeyId! }));
      expect(await errorOf(bob.s3.send(new ListBucketsCommand({})))).toMatchObject({ name: 'InvalidAccessKeyId' });
      expect(await errorOf(bob.kms.send(new ListKeysCommand({})))).toMatchObject({ name: 'UnrecognizedClientException' });
      await iam.send(new DeleteUserCommand({ UserName: 'bob' }));
    } finally {
      bob.destroy();
    }
  });

  it('keeps inline policies, validated, and returns them URL-encoded as IAM does', async () => {
    await iam.send(new CreateUserCommand({ UserName: 'carol' }));
    await iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'read', PolicyDocument: READ_POLICY }));
    const got = await iam.send(new GetUserPolicyCommand({ UserName: 'carol', PolicyName: 'read' }));
    expect(got).toMatchObject({ UserName: 'carol', PolicyName: 'read' });
    expect(decodeURIComponent(got.PolicyDocument!)).toBe(READ_POLICY);
    expect((await iam.send(new ListUserPoliciesCommand({ UserName: 'carol' }))).PolicyNames).toEqual(['read']);
    const malformed = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'GetObject', Resource: '*' }] });
    expect(await errorOf(iam.send(new PutUserPolicyCommand({ UserName: 'carol', PolicyName: 'bad', PolicyDocument: malformed })))).toMatchObject({
      name: 'MalformedPolicyDocument', status: 400, message: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
    });
    expect(await errorOf(iam.send(new DeleteUserCommand({ UserName: 'carol' })))).toMatchObject({ name: 'DeleteConflict', message: 'Cannot delete entity, must delete policies first.' });
    await iam.send(new DeleteUserPolicyCommand({ UserName: 'carol', PolicyName: 'read' }));
    expect(await errorOf(iam.send(new GetUserPolicyCommand({ UserName: 'carol', PolicyName: 'read' })))).toMatchObject({ name: 'NoSuchEntity', status: 404 });
    await iam.send(new DeleteUserCommand({ UserName: 'carol' }));
  });

  it('keeps every one of concurrent creations, across a restart', async () => {
    const gw = await startTestGateway();
    const client = new IAMClient({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials });
    try {
      const names = Array.from({ length: 12 }, (_, i) => `parallel-${i}`);
      await Promise.all(names.map((UserName) => client.send(new CreateUserCommand({ UserName }))));
      await gw.close();
      const again = await startTestGateway({ dataDir: gw.dataDir, credentials: gw.credentials });
      const client2 = new IAMClient({ endpoint: again.endpoint, region: again.region, credentials: again.credentials });
      try {
        expect((await client2.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName).sort()).toEqual(['admin', ...names].sort());
      } finally {
        client2.destroy();
        await again.stop();
      }
    } finally {
      client.destroy();
      await gw.stop();
    }
  });
});

describe('IAM users with the AWS CLI', () => {
  function aws(...args: string[]): Promise<{ stdout: string; stderr: string }> {
    return run('/usr/bin/aws', ['--endpoint-url', fx.gw.endpoint, '--output', 'json', ...args], { env: fx.gw.env });
  }

  it('aws iam create-user, create-access-key, put/get-user-policy, list-users and delete-user', async () => {
    const created = JSON.parse((await aws('iam', 'create-user', '--user-name', 'dave')).stdout) as { User: { Arn: string } };
    expect(created.User.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/dave`);
    const key = JSON.parse((await aws('iam', 'create-access-key', '--user-name', 'dave')).stdout) as { AccessKey: { AccessKeyId: string; SecretAccessKey: string } };
    expect(key.AccessKey.SecretAccessKey.length).toBeGreaterThan(20);
    const policyFile = join(fx.gw.dataDir, 'policy.json');
    await writeFile(policyFile, READ_POLICY);
    await aws('iam', 'put-user-policy', '--user-name', 'dave', '--policy-name', 'read', '--policy-document', `file://${policyFile}`);
    const policy = JSON.parse((await aws('iam', 'get-user-policy', '--user-name', 'dave', '--policy-name', 'read')).stdout) as { PolicyDocument: unknown };
    // The CLI decodes IAM's URL-encoded document into JSON.
    expect(policy.PolicyDocument).toEqual(JSON.parse(READ_POLICY));
    const users = JSON.parse((await aws('iam', 'list-users')).stdout) as { Users: Array<{ UserName: string }> };
    expect(users.Users.map((u) => u.UserName)).toContain('dave');
    await aws('iam', 'update-access-key', '--user-name', 'dave', '--access-key-id', key.AccessKey.AccessKeyId, '--status', 'Inactive');
    await aws('iam', 'delete-access-key', '--user-name', 'dave', '--access-key-id', key.AccessKey.AccessKeyId);
    await aws('iam', 'delete-user-policy', '--user-name', 'dave', '--policy-name', 'read');
    await aws('iam', 'delete-user', '--user-name', 'dave');
    const failure = (await aws('iam', 'delete-user', '--user-name', 'dave').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(failure.code).toBe(254);
    expect(failure.stderr).toContain('An error occurred (NoSuchEntity) when calling the DeleteUser operation: The user with name dave cannot be found.');
  });
});

describe('kmsgate user', () => {
  interface Created { UserName: string; Arn: string; AccessKeyId: string; SecretAccessKey: string }
  const kmsgate = (dataDir: string, ...args: string[]) => run(process.execPath, [CLI, 'user', ...args, '--data-dir', dataDir], { env: { PATH: process.env.PATH } });
  const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected the command to fail'); }, (e: unknown) => e as { code: number; stderr: string });
  const listed = async (dataDir: string) => (JSON.parse((await kmsgate(dataDir, 'list')).stdout) as Array<{ UserName: string }>).map((u) => u.UserName).sort();

  async function s3ErrorFor(endpoint: string, region: string, key: { accessKeyId: string; secretAccessKey: string }): Promise<string> {
    const s3 = new S3Client({ endpoint, region, credentials: key, forcePathStyle: true });
    try {
      return (await errorOf(s3.send(new ListBucketsCommand({})))).name;
    } finally {
      s3.destroy();
    }
  }

  it('works on the data directory when no gateway runs, and a gateway started later serves the user', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-user-'));
    try {
      const policyFile = join(dataDir, 'read-photos.json');
      await writeFile(policyFile, READ_POLICY);
      const created = JSON.parse((await kmsgate(dataDir, 'create', 'erin', '--policy', policyFile)).stdout) as Created;
      expect(created).toEqual({ UserName: 'erin', Arn: `arn:aws:iam::${ACCOUNT}:user/erin`, AccessKeyId: expect.stringMatching(/^AKIA/), SecretAccessKey: expect.any(String) });
      expect(await listed(dataDir)).toEqual(['admin', 'erin']);
      // The command held the lock only while it ran.
      await expect(stat(join(dataDir, 'kmsgate.lock'))).rejects.toThrow();

      const malformed = join(dataDir, 'bad.json');
      await writeFile(malformed, '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}');
      const refused = await failure(kmsgate(dataDir, 'create', 'half', '--policy', malformed));
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe('kmsgate: MalformedPolicyDocument: Policy statement must contain resources.\n');
      expect(await listed(dataDir)).toEqual(['admin', 'erin']);

      const gw = await startTestGateway({ dataDir });
      const admin = new IAMClient({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials });
      try {
        // Known (refused for want of rights, not as an unknown key), with the policy from the file.
        expect(await s3ErrorFor(gw.endpoint, gw.region, { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey })).toBe('AccessDenied');
        const policy = await admin.send(new GetUserPolicyCommand({ UserName: 'erin', PolicyName: 'read-photos' }));
        expect(decodeURIComponent(policy.PolicyDocument!)).toBe(READ_POLICY);
      } finally {
        admin.destroy();
        await gw.close();
      }
      await kmsgate(dataDir, 'delete', 'erin');
      expect(await listed(dataDir)).toEqual(['admin']);
      const missing = await failure(kmsgate(dataDir, 'delete', 'erin'));
      expect(missing.stderr).toBe('kmsgate: NoSuchEntity: The user with name erin cannot be found.\n');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('goes through the running gateway: changes take effect at once, and none is lost beside API writes', async () => {
    const gw = await startTestGateway();
    const admin = new IAMClient({ endpoint: gw.endpoint, region: gw.region, credentials: gw.credentials });
    try {
      const created = JSON.parse((await kmsgate(gw.dataDir, 'create', 'frank')).stdout) as Created;
      const frank = { accessKeyId: created.AccessKeyId, secretAccessKey: created.SecretAccessKey };
      expect(await s3ErrorFor(gw.endpoint, gw.region, frank)).toBe('AccessDenied');

      const viaCli = ['c0', 'c1', 'c2', 'c3'];
      const viaApi = ['a0', 'a1', 'a2', 'a3'];
      await Promise.all([
        ...viaCli.map((name) => kmsgate(gw.dataDir, 'create', name)),
        ...viaApi.map((UserName) => admin.send(new CreateUserCommand({ UserName }))),
      ]);
      const everyone = ['admin', 'frank', ...viaCli, ...viaApi].sort();
      expect(await listed(gw.dataDir)).toEqual(everyone);
      expect((await admin.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName).sort()).toEqual(everyone);

      await kmsgate(gw.dataDir, 'delete', 'frank');
      expect(await s3ErrorFor(gw.endpoint, gw.region, frank)).toBe('InvalidAccessKeyId');
      const missing = await failure(kmsgate(gw.dataDir, 'delete', 'frank'));
      expect(missing.stderr).toBe('kmsgate: NoSuchEntity: The user with name frank cannot be found.\n');

      await gw.close();
      // Stopped: the command works on the files again, and they hold what the gateway wrote.
      expect(await listed(gw.dataDir)).toEqual(everyone.filter((n) => n !== 'frank'));
    } finally {
      admin.destroy();
      await gw.stop();
    }
  });
});
