// CopyObject with a real kms-core and filesystem store, watched from outside: both KMS calls
// run as the requesting caller, every plaintext data key handed out is zeroed afterwards, and
// a source that fails authentication part-way leaves no destination and no temp file.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { KmsCore, type Caller } from '@kmsgate/kms-core';
import { FsObjectStore, NoSuchKeyError } from '@kmsgate/storage';
import { createLogger } from '../http/logger.js';
import { IntegrityError, writeEncryptedObject } from '../sse/index.js';
import type { SseRequest } from '../s3/sse-headers.js';
import type { OperationContext } from './operation.js';
import { CopyObject } from './CopyObject.js';
import { s3Access } from '../s3/authorize.js';

const ALL_S3 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });

const ACCOUNT = '111122223333';
const BUCKET = 'copies';
const SEGMENT = 65536;

let dir: string;
let kms: KmsCore;
let store: FsObjectStore;
let keyArn: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kmsgate-copy-'));
  kms = await KmsCore.open({ keystorePath: null, rootKey: Buffer.alloc(32, 0x5a), region: 'us-east-1', accountId: ACCOUNT });
  store = await FsObjectStore.open(join(dir, 'objects'));
  await store.createBucket(BUCKET);
  const principal = caller('setup');
  keyArn = (await kms.createKey({}, principal)).KeyMetadata.Arn;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function caller(requestId: string): Caller & { accessKeyId: string } {
  const identityPolicies = [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kms:*', Resource: '*' }] })];
  return { arn: `arn:aws:iam::${ACCOUNT}:user/copier`, accountId: ACCOUNT, accessKeyId: 'AKIDEXAMPLE', requestId, identityPolicies, viaService: 's3.us-east-1.amazonaws.com' };
}

interface Watched {
  kms: KmsCore;
  /** Every plaintext data key kms-core handed out, in order. */
  keys: Buffer[];
  /** [call, caller] of every KMS call made for a customer managed key. */
  calls: [string, Caller][];
}

function watchedKms(): Watched {
  const watched: Watched = { kms: Object.create(kms) as KmsCore, keys: [], calls: [] };
  watched.kms.generateDataKey = async (input, who) => {
    watched.calls.push(['GenerateDataKey', who]);
    const out = await kms.generateDataKey(input, who);
    watched.keys.push(out.Plaintext);
    return out;
  };
  watched.kms.decrypt = async (input, who) => {
    watched.calls.push(['Decrypt', who]);
    const out = await kms.decrypt(input, who);
    watched.keys.push(out.Plaintext);
    return out;
  };
  watched.kms.generateOwnedDataKey = async (purpose, context) => {
    const out = await kms.generateOwnedDataKey(purpose, context);
    watched.keys.push(out.plaintext);
    return out;
  };
  watched.kms.decryptOwned = async (purpose, blob, context) => {
    const out = await kms.decryptOwned(purpose, blob, context);
    watched.keys.push(out);
    return out;
  };
  return watched;
}

async function put(key: string, body: Buffer, sse: SseRequest): Promise<void> {
  await writeEncryptedObject({
    kms, store, caller: caller('put'), assertMayUseKms: () => {}, bucket: BUCKET, key, sse, length: body.length,
    plaintext: () => [Readable.from([body])], checksums: () => ({}), attributes: { contentType: 'text/plain', storageClass: 'STANDARD', systemHeaders: {}, userMetadata: {} },
  });
}

function context(watched: Watched, who: ReturnType<typeof caller>, key: string, headers: Record<string, string>): OperationContext {
  const principal = { name: 'copier', arn: who.arn, accountId: ACCOUNT, accessKeyId: who.accessKeyId };
  return {
    requestId: who.requestId ?? 'TEST',
    principal,
    caller: who,
    bucket: BUCKET,
    key,
    query: new URLSearchParams(),
    headers,
    // CopyObject reads no body.
    req: {} as IncomingMessage,
    auth: { accessKeyId: who.accessKeyId, service: 's3', signatureVersion: 4, payload: { kind: 'unsigned' }, presigned: false },
    // The real authoriser, for a caller allowed every S3 action (CopyObject checks its source).
    access: s3Access({ principal, identityPolicies: () => [ALL_S3], store, context: () => ({}) }),
    deps: { kms: watched.kms, store, region: 'us-east-1', accountId: ACCOUNT },
    log: createLogger('silent'),
  };
}

const zero = (key: Buffer): boolean => key.every((b) => b === 0);

describe('CopyObject and the KMS', () => {
  it('decrypts the source and generates the destination key as the same caller', async () => {
    await put('kms-source', randomBytes(1000), { sse: 'aws:kms', keyId: keyArn });
    const watched = watchedKms();
    const who = caller('REQ1');
    const headers = { 'x-amz-copy-source': `/${BUCKET}/kms-source`, 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': keyArn };
    await CopyObject(context(watched, who, 'kms-dest', headers));
    expect(watched.calls).toEqual([['Decrypt', who], ['GenerateDataKey', who]]);
    expect(watched.calls.every(([, c]) => c === who)).toBe(true);
    expect(watched.keys).toHaveLength(2);
    expect(watched.keys.every(zero)).toBe(true);
  });

  it('zeroes both data keys and commits nothing when a later source segment fails authentication', async () => {
    const body = randomBytes(4 * SEGMENT);
    await put('tampered', body, { sse: 'AES256' });
    await put('kept', Buffer.from('the destination as it was'), { sse: 'AES256' });
    const stored = await store.getObject(BUCKET, 'tampered');
    const meta = JSON.parse(stored.metadata.toString()) as { headerSha256: string };
    await stored.close();
    const dataFile = await findDataFile(meta.headerSha256);
    const bytes = await readFile(dataFile);
    bytes[96 + 2 * (SEGMENT + 16) + 10] ^= 1;
    await writeFile(dataFile, bytes);

    const watched = watchedKms();
    const copy = CopyObject(context(watched, caller('REQ2'), 'kept', { 'x-amz-copy-source': `${BUCKET}/tampered` }));
    await expect(copy).rejects.toBeInstanceOf(IntegrityError);
    // The source's file is closed, though its stream failed before the copy had it in hand.
    expect(await descriptorsOpenOn(dataFile)).toBe(0);
    expect(watched.keys).toHaveLength(2);
    expect(watched.keys.every(zero)).toBe(true);
    expect(await readdir(join(dir, 'objects', 'tmp'))).toEqual([]);
    const kept = await store.getObject(BUCKET, 'kept');
    expect(JSON.parse(kept.metadata.toString()).plaintextSize).toBe('the destination as it was'.length);
    await kept.close();
  });

  it('asks the KMS nothing for a source that does not exist', async () => {
    const watched = watchedKms();
    await expect(CopyObject(context(watched, caller('REQ3'), 'x', { 'x-amz-copy-source': `${BUCKET}/missing` }))).rejects.toBeInstanceOf(NoSuchKeyError);
    expect(watched.keys).toEqual([]);
  });
});

/** How many of this process's descriptors are open on `path` (Linux), once closes under way have ended. */
async function descriptorsOpenOn(path: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const fds = await readdir('/proc/self/fd');
    const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
    const open = targets.filter((target) => target === path).length;
    if (open === 0 || attempt === 50) return open;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The data file whose first 96 bytes hash to `headerSha256`. */
async function findDataFile(headerSha256: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  const walk = async (path: string): Promise<string[]> => {
    const entries = await readdir(path, { withFileTypes: true });
    const nested = await Promise.all(entries.map((e) => (e.isDirectory() ? walk(join(path, e.name)) : Promise.resolve([join(path, e.name)]))));
    return nested.flat();
  };
  for (const file of await walk(join(dir, 'objects'))) {
    const bytes = await readFile(file);
    if (bytes.length >= 96 && createHash('sha256').update(bytes.subarray(0, 96)).digest('hex') === headerSha256) return file;
  }
  throw new Error('no data file');
}
