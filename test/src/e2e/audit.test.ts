/**
 * The audit trail through a real gateway: KMS API calls and the calls S3 PUT/GET make are in
 * <dataDir>/kms/audit.log as CloudTrail records carrying the response's request id; refused
 * calls carry errorCode; no key material, plaintext or ciphertext reaches the file;
 * `kmsgate audit` filters it; and a SIGKILLed gateway has lost no record of a call that answered.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, EncryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { readAuditTrail, type AuditRecord } from '@kmsgate/kms-core';
import { bodyBytes, createKmsKey, createUser, useGatewayWithBucket } from '../harness.js';
import { CLI, spawnGateway, type GatewayProcess } from '../cli-process.js';

const run = promisify(execFile);
const fx = useGatewayWithBucket('audit');
const auditFile = (): string => join(fx.gw.dataDir, 'kms', 'audit.log');
const trail = (): Promise<AuditRecord[]> => readAuditTrail(auditFile());
const byRequest = async (requestId: string | undefined): Promise<AuditRecord[]> => (await trail()).filter((r) => r.requestID === requestId);

/** The error a call failed with: its code, message and the request id of the error response. */
async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; requestId: string }> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e as { name: string; message: string; $metadata: { requestId: string } },
  );
  return { name: err.name, message: err.message, requestId: err.$metadata.requestId };
}

let key: { keyId: string; keyArn: string };
let dataKey: { plaintext: Buffer; blob: Buffer; requestId: string };
const objectPlaintext = Buffer.from('the object plaintext that must never reach the audit trail '.repeat(4));
let putRequestId: string;
let getRequestId: string;

beforeAll(async () => {
  key = await createKmsKey(fx.gw);
  const dk = await fx.gw.kms.send(new GenerateDataKeyCommand({ KeyId: key.keyId, KeySpec: 'AES_256', EncryptionContext: { purpose: 'audit-test' } }));
  dataKey = { plaintext: Buffer.from(dk.Plaintext!), blob: Buffer.from(dk.CiphertextBlob!), requestId: dk.$metadata.requestId! };
  const put = await fx.gw.s3.send(
    new PutObjectCommand({ Bucket: fx.bucket, Key: 'secret.txt', Body: objectPlaintext, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.keyId }),
  );
  putRequestId = put.$metadata.requestId!;
  const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: 'secret.txt' }));
  expect((await bodyBytes(got.Body)).equals(objectPlaintext)).toBe(true);
  getRequestId = got.$metadata.requestId!;
});

describe('audit records', () => {
  it('records a KMS API call with the caller, source, parameters and the response request id', async () => {
    const [r, ...more] = await byRequest(dataKey.requestId);
    expect(more).toHaveLength(0);
    expect(r).toMatchObject({
      eventVersion: '1.11',
      eventSource: 'kms.amazonaws.com',
      eventName: 'GenerateDataKey',
      eventType: 'AwsApiCall',
      userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${fx.gw.accountId}:user/admin`, accessKeyId: fx.gw.credentials.accessKeyId },
      sourceIPAddress: '127.0.0.1',
      requestParameters: { keyId: key.keyId, keySpec: 'AES_256', encryptionContext: { purpose: 'audit-test' } },
      responseElements: null,
      readOnly: true,
      resources: [{ accountId: fx.gw.accountId, type: 'AWS::KMS::Key', ARN: key.keyArn }],
    });
    expect(r!.userAgent).toMatch(/aws-sdk-js/);
    expect(r!.userIdentity.invokedBy).toBeUndefined();
    expect(Date.parse(r!.eventTime)).not.toBeNaN();
    expect((await stat(auditFile())).mode & 0o777).toBe(0o600);
  });

  it('records the GenerateDataKey of a PUT and the Decrypt of a GET with the S3 request id and invokedBy s3', async () => {
    const context = { 'aws:s3:arn': `arn:aws:s3:::${fx.bucket}/secret.txt` };
    const put = await byRequest(putRequestId);
    expect(put).toHaveLength(1);
    expect(put[0]).toMatchObject({
      eventName: 'GenerateDataKey',
      userIdentity: { invokedBy: 's3.amazonaws.com', userName: 'admin' },
      sourceIPAddress: '127.0.0.1',
      requestParameters: { keyId: key.keyId, encryptionContext: context },
      resources: [{ ARN: key.keyArn }],
    });
    const get = await byRequest(getRequestId);
    expect(get).toHaveLength(1);
    expect(get[0]).toMatchObject({ eventName: 'Decrypt', userIdentity: { invokedBy: 's3.amazonaws.com' }, requestParameters: { encryptionContext: context }, resources: [{ ARN: key.keyArn }] });
  });

  it('records refused calls with errorCode and errorMessage: a disabled key, from KMS and from S3', async () => {
    await fx.gw.kms.send(new DisableKeyCommand({ KeyId: key.keyId }));
    try {
      const kmsErr = await failure(fx.gw.kms.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('x') })));
      const [k] = await byRequest(kmsErr.requestId);
      expect(k).toMatchObject({ eventName: 'Encrypt', errorCode: 'DisabledException', errorMessage: kmsErr.message, resources: [{ ARN: key.keyArn }] });
      const s3Err = await failure(
        fx.gw.s3.send(new PutObjectCommand({ Bucket: fx.bucket, Key: 'refused', Body: 'x', ServerSideEncryption: 'aws:kms', SSEKMSKeyId: key.keyId })),
      );
      expect(s3Err.name).toBe('KMS.DisabledException');
      const [s] = await byRequest(s3Err.requestId);
      expect(s).toMatchObject({ eventName: 'GenerateDataKey', errorCode: 'DisabledException', userIdentity: { invokedBy: 's3.amazonaws.com' } });
    } finally {
      await fx.gw.kms.send(new EnableKeyCommand({ KeyId: key.keyId }));
    }
  });

  it('records an AccessDenied for a user without KMS rights', async () => {
    const { credentials } = await createUser(fx.gw, 'bob');
    const bob = new KMSClient({ endpoint: fx.gw.endpoint, region: fx.gw.region, credentials });
    const err = await failure(bob.send(new EncryptCommand({ KeyId: key.keyId, Plaintext: Buffer.from('x') })));
    bob.destroy();
    expect(err.name).toBe('AccessDeniedException');
    const [r] = await byRequest(err.requestId);
    expect(r).toMatchObject({ eventName: 'Encrypt', errorCode: 'AccessDeniedException', userIdentity: { userName: 'bob', arn: `arn:aws:iam::${fx.gw.accountId}:user/bob` } });
  });

  it('never holds the data key, the object plaintext or the ciphertext blob', async () => {
    const file = await readFile(auditFile());
    const text = file.toString('utf8');
    for (const secret of [dataKey.plaintext, dataKey.blob, objectPlaintext]) {
      expect(file.includes(secret)).toBe(false);
      for (const encoding of ['base64', 'hex', 'base64url'] as const) expect(text.includes(secret.toString(encoding))).toBe(false);
    }
    expect(text.includes('the object plaintext')).toBe(false);
  });
});

describe('kmsgate audit', () => {
  const cli = async (...args: string[]): Promise<string> => (await run(process.execPath, [CLI, 'audit', '--data-dir', fx.gw.dataDir, ...args], { env: { PATH: process.env.PATH } })).stdout;
  const lines = (out: string): AuditRecord[] => out.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as AuditRecord);

  it('filters by event name, key, user, error and time, as JSON lines', async () => {
    const all = lines(await cli('--json'));
    expect(all.length).toBe((await trail()).length);
    const decrypts = lines(await cli('--json', '--event', 'Decrypt'));
    expect(decrypts.length).toBeGreaterThan(0);
    expect(decrypts.every((r) => r.eventName === 'Decrypt')).toBe(true);
    const forKey = lines(await cli('--json', '--key', key.keyId));
    expect(forKey.map((r) => r.requestID)).toEqual(expect.arrayContaining([dataKey.requestId, putRequestId, getRequestId]));
    expect(forKey.every((r) => r.resources.some((x) => x.ARN === key.keyArn) || r.requestParameters?.keyId === key.keyId)).toBe(true);
    const bobs = lines(await cli('--json', '--user', 'bob'));
    expect(bobs.map((r) => r.errorCode)).toEqual(['AccessDeniedException']);
    const errors = lines(await cli('--json', '--error'));
    expect(errors.length).toBeGreaterThanOrEqual(3);
    expect(errors.every((r) => r.errorCode !== undefined)).toBe(true);
    expect(lines(await cli('--json', '--error', 'DisabledException')).every((r) => r.errorCode === 'DisabledException')).toBe(true);
    expect(lines(await cli('--json', '--since', '2999-01-01T00:00:00Z'))).toEqual([]);
    expect(lines(await cli('--json', '--until', '2000-01-01T00:00:00Z'))).toEqual([]);
    expect(lines(await cli('--json', '--since', '2000-01-01T00:00:00Z')).length).toBe(all.length);
  });

  it('prints a table by default', async () => {
    const out = await cli('--event', 'GenerateDataKey', '--key', key.keyArn);
    const [header, ...rows] = out.trimEnd().split('\n');
    expect(header).toMatch(/^TIME\s+EVENT\s+USER\s+VIA\s+KEY\s+ERROR\s+SOURCE\s+REQUEST ID$/);
    expect(rows.some((row) => row.includes(putRequestId) && row.includes('s3.amazonaws.com'))).toBe(true);
    expect(rows.every((row) => row.includes('GenerateDataKey'))).toBe(true);
  });
});

describe('audit trail under SIGKILL', () => {
  let dataDir: string;
  let gateway: GatewayProcess | undefined;
  afterAll(async () => {
    await gateway?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the record of every call that answered', async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-audit-kill-'));
    const answered: string[] = [];
    for (let life = 0; life < 3; life++) {
      gateway = await spawnGateway(dataDir);
      const out = (await run(process.execPath, [CLI, 'credentials', '--data-dir', dataDir], { env: { PATH: process.env.PATH } })).stdout;
      const kms = new KMSClient({
        endpoint: gateway.endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: { accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(out)![1]!, secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(out)![1]! },
      });
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      const child = gateway.child;
      let dead = false;
      const exited = new Promise((done) => child.once('exit', done));
      const killAfter = 20 + Math.floor(Math.random() * 40);
      let count = 0;
      const worker = async (): Promise<void> => {
        while (!dead) {
          try {
            const dk = await kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId!, KeySpec: 'AES_256' }));
            answered.push(dk.$metadata.requestId!);
            if (++count === killAfter) {
              setTimeout(() => {
                dead = true;
                child.kill('SIGKILL');
              }, Math.floor(Math.random() * 3));
            }
          } catch (err) {
            if (!dead) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 6 }, worker));
      await exited;
      kms.destroy();
      gateway = undefined;
      const recorded = new Set((await readAuditTrail(join(dataDir, 'kms', 'audit.log'))).map((r) => r.requestID));
      for (const id of answered) expect(recorded.has(id)).toBe(true);
    }
    expect(answered.length).toBeGreaterThanOrEqual(60);
  });
});
