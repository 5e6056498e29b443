/**
 * Bodies of unknown length: PUTs framed with HTTP `Transfer-Encoding: chunked` and no
 * Content-Length are encrypted as they stream (the GWSE header then leaves the length to the
 * metadata record), and read back through the SDK, whole and by range, with the right bytes,
 * Content-Length and ETag. What still needs a length keeps refusing without one.
 *
 * Amazon S3 answers a chunked PutObject with 501 NotImplemented (Header: Transfer-Encoding)
 * and MinIO with 411; the gateway accepts it, as Ceph RGW does and ceph/s3-tests expects.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { bodyBytes, errorOf, useGatewayWithBucket } from '../harness.js';
import { chunkedPut } from '../chunked.js';
import { seedSignatureOf, sha256Hex, signHeaders, signedChunkedBody } from '../signing.js';
import { s3ErrorOf } from '../xml.js';

const fx = useGatewayWithBucket('chunked');
const S = 65536;

/** `data` as a stream of uneven pieces, each its own HTTP chunk, across segment boundaries. */
function pieces(data: Buffer): Readable {
  const out: Buffer[] = [];
  const sizes = [1, 4095, 70_000, 16, S, 33_333];
  for (let at = 0, i = 0; at < data.length; i++) {
    const n = sizes[i % sizes.length]!;
    out.push(data.subarray(at, at + n));
    at += n;
  }
  return Readable.from(out, { objectMode: false });
}

const path = (key: string): string => `/${fx.bucket}/${key}`;

async function exists(key: string): Promise<boolean> {
  return (await errorOf(fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: key }))).catch(() => undefined)) === undefined;
}

async function readBack(key: string, range?: string): Promise<{ bytes: Buffer; contentLength?: number; etag?: string; contentRange?: string }> {
  const got = await fx.gw.s3.send(new GetObjectCommand({ Bucket: fx.bucket, Key: key, Range: range }));
  return { bytes: await bodyBytes(got.Body), contentLength: got.ContentLength, etag: got.ETag, contentRange: got.ContentRange };
}

describe('Transfer-Encoding: chunked PutObject', () => {
  it('encrypts an SSE-KMS body of unknown length and reads it back whole and by range', async () => {
    const data = randomBytes(3 * S + 1234);
    const res = await chunkedPut(fx.gw, path('kms'), pieces(data), { payloadHash: 'UNSIGNED-PAYLOAD', headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
    expect(res.status).toBe(200);
    expect(res.headers['x-amz-server-side-encryption']).toBe('aws:kms');
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);

    const whole = await readBack('kms');
    expect(whole.bytes.equals(data)).toBe(true);
    expect(whole.contentLength).toBe(data.length);
    expect(whole.etag).toBe(etag);
    const head = await fx.gw.s3.send(new HeadObjectCommand({ Bucket: fx.bucket, Key: 'kms' }));
    expect(head.ContentLength).toBe(data.length);
    expect(head.ETag).toBe(etag);

    const last = data.length - 1;
    for (const [start, end] of [[0, 0], [S - 1, S], [70_000, 140_000], [2 * S, 3 * S - 1], [3 * S, last], [last, last]] as const) {
      const part = await readBack('kms', `bytes=${start}-${end}`);
      expect(part.bytes.equals(data.subarray(start, end + 1))).toBe(true);
      expect(part.contentLength).toBe(end - start + 1);
      expect(part.contentRange).toBe(`bytes ${start}-${end}/${data.length}`);
    }
    const suffix = await readBack('kms', 'bytes=-100');
    expect(suffix.bytes.equals(data.subarray(-100))).toBe(true);
  });

  it('accepts a signed payload hash over a chunked body, and refuses one that does not match', async () => {
    const data = randomBytes(2 * S); // a whole number of segments: the last full one is final
    const ok = await chunkedPut(fx.gw, path('signed'), pieces(data), { payloadHash: sha256Hex(data) });
    expect(ok.status).toBe(200);
    // SSE-S3 (the default): the ETag is the plaintext's MD5, computed as it streamed.
    expect(ok.headers.etag).toBe(`"${createHash('md5').update(data).digest('hex')}"`);
    const back = await readBack('signed');
    expect(back.bytes.equals(data)).toBe(true);
    expect(back.contentLength).toBe(data.length);

    const bad = await chunkedPut(fx.gw, path('signed-bad'), pieces(data), { payloadHash: sha256Hex(data.subarray(1)) });
    expect(bad.status).toBe(400);
    expect(s3ErrorOf(bad.text).code).toBe('XAmzContentSHA256Mismatch');
    expect(await exists('signed-bad')).toBe(false);
  });

  it('stores an empty chunked body as an empty object', async () => {
    const res = await chunkedPut(fx.gw, path('empty'), Readable.from([], { objectMode: false }), { payloadHash: 'UNSIGNED-PAYLOAD' });
    expect(res.status).toBe(200);
    const back = await readBack('empty');
    expect(back.bytes.length).toBe(0);
    expect(back.contentLength).toBe(0);
  });

  it('decodes aws-chunked inside HTTP chunking, and needs x-amz-decoded-content-length for it, as S3 does', async () => {
    const data = randomBytes(S + 10);
    const chunks = [data.subarray(0, 8192), data.subarray(8192)];
    const send = async (key: string, decodedLength: boolean): Promise<Awaited<ReturnType<typeof chunkedPut>>> => {
      const headers: Record<string, string> = { 'content-encoding': 'aws-chunked', ...(decodedLength ? { 'x-amz-decoded-content-length': String(data.length) } : {}) };
      const signingDate = new Date();
      const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path: path(key), headers }, { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', signingDate });
      const body = signedChunkedBody(chunks, { secret: fx.gw.credentials.secretAccessKey, amzDate: signed['x-amz-date']!, region: fx.gw.region, seedSignature: seedSignatureOf(signed.authorization!) });
      // chunkedPut signs again with the same inputs and date: the same seed signature.
      return chunkedPut(fx.gw, path(key), pieces(body), { payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers, signingDate });
    };
    const ok = await send('aws-chunked', true);
    expect(ok.status).toBe(200);
    expect((await readBack('aws-chunked')).bytes.equals(data)).toBe(true);
    const missing = await send('aws-chunked-no-length', false);
    expect(missing.status).toBe(411);
    expect(s3ErrorOf(missing.text).code).toBe('MissingContentLength');
    expect(await exists('aws-chunked-no-length')).toBe(false);
  });
});

describe('a PUT with neither Content-Length nor Transfer-Encoding', () => {
  it('is refused with 411 MissingContentLength, as S3 does', async () => {
    const url = new URL(fx.gw.endpoint);
    const signed = await signHeaders(fx.gw.endpoint, fx.gw.credentials, fx.gw.region, { method: 'PUT', path: path('no-length'), headers: {} }, { payloadHash: 'UNSIGNED-PAYLOAD' });
    const head = [`PUT ${path('no-length')} HTTP/1.1`, ...Object.entries(signed).map(([k, v]) => `${k}: ${v}`), 'connection: close', '', ''].join('\r\n');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
      socket.write(head);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 411 /);
    expect(s3ErrorOf(answer.slice(answer.indexOf('<?xml'))).code).toBe('MissingContentLength');
    expect(await exists('no-length')).toBe(false);
  });
});

describe('chunked uploads from real tools', () => {
  const run = promisify(execFile);

  it('passes ceph/s3-tests test_object_write_with_chunked_transfer_encoding with Debian boto3', async () => {
    // The suite's case: boto3 with a Transfer-Encoding: chunked header added before signing.
    const script = [
      'import boto3, os',
      'from botocore.config import Config',
      "s3 = boto3.client('s3', endpoint_url=os.environ['ENDPOINT'], region_name=os.environ['AWS_DEFAULT_REGION'], config=Config(s3={'addressing_style': 'path'}))",
      "def chunked(request, **kwargs): request.headers.add_header('Transfer-Encoding', 'chunked')",
      "s3.meta.events.register_first('before-sign.*.*', chunked)",
      "r = s3.put_object(Bucket=os.environ['BUCKET'], Key='boto3-chunked', Body='bar')",
      "print(r['ResponseMetadata']['HTTPStatusCode'])",
    ].join('\n');
    const { stdout } = await run('/usr/bin/python3', ['-c', script], { env: { ...fx.gw.env, ENDPOINT: fx.gw.endpoint, BUCKET: fx.bucket } });
    expect(stdout.trim()).toBe('200');
    expect((await readBack('boto3-chunked')).bytes.toString()).toBe('bar');
  });

  it('takes curl --aws-sigv4 -T - (stdin, so chunked) with an SSE-KMS header', async () => {
    const data = randomBytes(300_000);
    const file = join(fx.gw.dataDir, 'stdin.bin');
    await writeFile(file, data);
    const creds = `${fx.gw.credentials.accessKeyId}:${fx.gw.credentials.secretAccessKey}`;
    // curl 7.88 sends no x-amz-content-sha256 of its own; S3 requires one.
    const { stdout } = await run('/bin/sh', ['-c', `/usr/bin/curl -sS -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:${fx.gw.region}:s3" --user "$CREDS" -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -H 'x-amz-server-side-encryption: aws:kms' -T - "$URL" < "$FILE"`], {
      env: { PATH: process.env.PATH, CREDS: creds, URL: `${fx.gw.endpoint}${path('curl-stdin')}`, FILE: file },
    });
    expect(stdout).toBe('200');
    const back = await readBack('curl-stdin');
    expect(back.bytes.equals(data)).toBe(true);
    expect(back.contentLength).toBe(data.length);
  });
});
