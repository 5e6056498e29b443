// PutObject against a client that is already gone: the real operation, a real kms-core and
// filesystem store, and a real request whose socket closed. It must settle, leave no temp
// file, and zero the plaintext data key and the streaming signing key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsCore } from '@kmsgate/kms-core';
import { FsObjectStore } from '@kmsgate/storage';
import type { VerifiedAuth } from '../auth/index.js';
import { ClientGoneError } from '../http/body.js';
import { createLogger } from '../http/logger.js';
import type { OperationContext } from './operation.js';
import { PutObject } from './PutObject.js';
import { s3Access } from '../s3/authorize.js';

const ALL_S3 = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] });

const ACCOUNT = '111122223333';
const BUCKET = 'settle';

let dir: string;
let kms: KmsCore;
let store: FsObjectStore;
let server: Server;
let nextRequest: ((req: IncomingMessage) => void) | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kmsgate-put-'));
  kms = await KmsCore.open({ keystorePath: null, rootKey: Buffer.alloc(32, 0x5a), region: 'us-east-1', accountId: ACCOUNT });
  store = await FsObjectStore.open(join(dir, 'objects'));
  await store.createBucket(BUCKET);
  server = createServer((req) => nextRequest?.(req));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Sends a PUT's headers and 10 of its 1000 body bytes, hangs up, and yields the server's request. */
async function requestThenHangUp(headers: Record<string, string>): Promise<IncomingMessage> {
  const received = new Promise<IncomingMessage>((resolve) => (nextRequest = resolve));
  const { port } = server.address() as AddressInfo;
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => {});
  const head = ['PUT /settle/k HTTP/1.1', 'host: 127.0.0.1', ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  socket.write(Buffer.concat([Buffer.from(head), Buffer.alloc(10, 1)]), () => socket.destroy());
  return received;
}

function closed(req: IncomingMessage): Promise<void> {
  return req.destroyed ? Promise.resolve() : new Promise((resolve) => req.once('close', () => resolve()));
}

/** A streaming-signed auth result whose signing key the test can watch. */
function streamingAuth(): VerifiedAuth & { streaming: { signingKey: Buffer } } {
  return {
    accessKeyId: 'AKIDEXAMPLE',
    service: 's3',
    payload: { kind: 'streaming-signed', trailer: false },
    streaming: { signingKey: Buffer.alloc(32, 0x33), amzDate: '20260101T000000Z', scope: '20260101/us-east-1/s3/aws4_request', seedSignature: '0'.repeat(64) },
    signatureVersion: 4,
    presigned: false,
  };
}

/** kms-core, but every plaintext data key it hands out is kept for inspection; `beforeReturn` runs first. */
function watchedKms(beforeReturn: () => Promise<void> = async () => {}): { kms: KmsCore; deks: Buffer[] } {
  const deks: Buffer[] = [];
  const watched = Object.create(kms) as KmsCore;
  watched.generateOwnedDataKey = async (purpose, context) => {
    const key = await kms.generateOwnedDataKey(purpose, context);
    deks.push(key.plaintext);
    await beforeReturn();
    return key;
  };
  return { kms: watched, deks };
}

function context(req: IncomingMessage, auth: VerifiedAuth, deps: { kms: KmsCore }, bucket = BUCKET): OperationContext {
  const principal = { name: 'admin', arn: `arn:aws:iam::${ACCOUNT}:user/admin`, accountId: ACCOUNT, accessKeyId: auth.accessKeyId };
  return {
    requestId: 'TEST',
    principal,
    caller: principal,
    bucket,
    key: 'k',
    query: new URLSearchParams(),
    headers: req.headers,
    req,
    auth,
    // The real authoriser, for a caller allowed every S3 action (CopyObject checks its source).
    access: s3Access({ principal, identityPolicies: () => [ALL_S3], store, context: () => ({}) }),
    deps: { kms: deps.kms, store, region: 'us-east-1', accountId: ACCOUNT },
    log: createLogger('silent'),
  };
}

const CHUNKED = { 'content-encoding': 'aws-chunked', 'content-length': '1000', 'x-amz-decoded-content-length': '900' };

describe('PutObject when the client has hung up', () => {
  const zero = (key: Buffer): boolean => key.every((b) => b === 0);

  /** Runs PutObject on `req`, which hangs up before the body is read; waitForClose says when. */
  async function putAfterHangUp(waitForClose: 'before the operation' | 'during the data key'): Promise<void> {
    const req = await requestThenHangUp(CHUNKED);
    if (waitForClose === 'before the operation') await closed(req);
    const auth = streamingAuth();
    const watched = watchedKms(waitForClose === 'during the data key' ? () => closed(req) : undefined);
    await expect(PutObject(context(req, auth, watched))).rejects.toBeInstanceOf(ClientGoneError);
    expect(watched.deks).toHaveLength(1);
    expect(zero(watched.deks[0]!)).toBe(true);
    expect(zero(auth.streaming.signingKey)).toBe(true);
    expect(await readdir(join(dir, 'objects', 'tmp'))).toEqual([]);
  }

  it('settles when the connection closed before the operation started', () => putAfterHangUp('before the operation'));

  it('settles when the connection closed while the data key was being generated', () => putAfterHangUp('during the data key'));

  it('wipes the streaming signing key when the body is never read (no such bucket)', async () => {
    const req = await requestThenHangUp(CHUNKED);
    const auth = streamingAuth();
    await expect(PutObject(context(req, auth, watchedKms(), 'missing'))).rejects.toThrow();
    expect(zero(auth.streaming.signingKey)).toBe(true);
  });
});
