/**
 * The real `kmsgate server` writes exactly one access line per request, S3 or KMS, answered,
 * refused or abandoned by a client that hangs up mid-upload, and no "internal error" for a
 * deliberate answer such as NotImplemented.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { sha256Hex, signHeaders, signKmsHeaders } from '../signing.js';

const credentials = { accessKeyId: 'AKIAACCESSLOGTEST000', secretAccessKey: randomBytes(30).toString('base64') };
const region = 'us-east-1';
let gateway: GatewayProcess;
let dataDir: string;
let stderr = '';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-log-'));
  gateway = await spawnGateway(dataDir, {
    KMSGATE_ACCESS_KEY_ID: credentials.accessKeyId,
    KMSGATE_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    KMSGATE_ROOT_KEY: randomBytes(32).toString('base64'),
    KMSGATE_LOG: 'info',
  });
  stderr = gateway.stderr;
  gateway.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
});

afterAll(async () => {
  await gateway?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface LogLine {
  level: string;
  msg: string;
  requestId?: string;
  status?: number;
  operation?: string;
  code?: string;
}

function logLines(): LogLine[] {
  return stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogLine);
}

async function accessLines(count: number): Promise<LogLine[]> {
  // The line of an abandoned request is written when its socket closes: wait for it to arrive.
  while (logLines().filter((l) => l.msg === 'request').length < count) await new Promise((r) => setTimeout(r, 20));
  return logLines().filter((l) => l.msg === 'request');
}

async function s3(method: string, target: string, headers: Record<string, string> = {}, body?: string): Promise<request.Response> {
  const [path, query] = target.split('?') as [string, string | undefined];
  const signed = await signHeaders(gateway.endpoint, credentials, region, { method, path, query: query ? { [query]: '' } : {}, headers }, { payloadHash: sha256Hex(body ?? '') });
  const agent = request(gateway.endpoint);
  const call = method === 'PUT' ? agent.put(target) : method === 'HEAD' ? agent.head(target) : agent.get(target);
  return call.set(signed).send(body);
}

describe('access log', () => {
  it('one line per request with its status, and no internal error for deliberate answers', async () => {
    const bucket = `log-${Date.now().toString(36)}`;
    const answered: request.Response[] = [];
    answered.push(await s3('PUT', `/${bucket}`));
    answered.push(await s3('PUT', `/${bucket}/k`, { 'content-length': '5' }, 'hello'));
    answered.push(await s3('GET', `/${bucket}/k`));
    answered.push(await s3('GET', `/${bucket}/missing`));
    answered.push(await s3('HEAD', `/${bucket}/missing`));
    answered.push(await s3('PUT', `/${bucket}/k?torrent`, { 'content-length': '0' }, ''));
    answered.push(await s3('PUT', `/${bucket}/k`, { 'x-amz-storage-class': 'NOPE', 'content-length': '0' }, ''));
    answered.push(await request(gateway.endpoint).get(`/${bucket}/anonymous`));

    const url = new URL(gateway.endpoint);
    for (const target of ['ListKeys', 'NoSuchOperation']) {
      const headers = await signKmsHeaders(gateway.endpoint, credentials, region, target, '{}');
      answered.push(await request(gateway.endpoint).post('/').set(headers).send('{}'));
    }
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200, 404, 404, 501, 400, 403, 200, 400]);

    // A client that hangs up mid-upload: headers, half the body, then gone.
    const path = `/${bucket}/abandoned`;
    const signed = await signHeaders(gateway.endpoint, credentials, region, { method: 'PUT', path, headers: { 'content-length': String(1024 * 1024) } }, { payloadHash: 'UNSIGNED-PAYLOAD' });
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write([`PUT ${path} HTTP/1.1`, ...Object.entries(signed).map(([n, v]) => `${n}: ${v}`), '', ''].join('\r\n'));
        socket.write(Buffer.alloc(512 * 1024, 1), () => {
          socket.destroy();
          resolve();
        });
      });
      socket.on('error', reject);
    });

    const lines = await accessLines(answered.length + 1);
    expect(lines).toHaveLength(answered.length + 1);
    const ids = lines.map((l) => l.requestId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const res of answered) {
      const id = (res.headers['x-amz-request-id'] ?? res.headers['x-amzn-requestid']) as string;
      expect(lines.filter((l) => l.requestId === id).map((l) => l.status)).toEqual([res.status]);
    }
    expect(lines.find((l) => l.status === 501)).toMatchObject({ operation: 'unknown', code: 'NotImplemented' });
    expect(lines.find((l) => l.operation === 'kms:NoSuchOperation')).toMatchObject({ status: 400, code: 'UnknownOperationException' });
    expect(lines.at(-1)).toMatchObject({ operation: 'PutObject', status: 499, clientClosed: true });
    expect(logLines().filter((l) => l.level === 'error')).toEqual([]);
  });
});
