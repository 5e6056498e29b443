/**
 * Bench figure for POST Object: one browser-form upload of 256 MiB (BENCH_POST_MIB) with
 * SSE-KMS fields, signed by @aws-sdk/s3-presigned-post and sent as the multipart/form-data
 * body a browser sends for it (the signed fields, then the file part last), streamed over
 * node:http with no Content-Length known to the form parser. The gateway's peak RSS is
 * printed by bench.ts. Figures are printed, never asserted.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { BenchTarget } from './copy-range.js';
import { repeatingStream } from '../streams.js';

const MiB = 1024 * 1024;

/** The form body: each field a part, then the file part, as Chromium frames them. */
function formBody(fields: Record<string, string>, fileSize: number, boundary: string): { body: Readable; length: number } {
  const head = Object.entries(fields).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`).join('');
  const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const body = new PassThrough();
  void (async () => {
    body.write(head + fileHead);
    await pipeline(repeatingStream(fileSize), body, { end: false });
    body.end(tail);
  })().catch((err: unknown) => body.destroy(err as Error));
  return { body, length: Buffer.byteLength(head + fileHead + tail) + fileSize };
}

export async function benchPostForm(target: BenchTarget): Promise<string[]> {
  const size = Number(process.env.BENCH_POST_MIB ?? 256) * MiB;
  const client = target.s3 as unknown as Parameters<typeof createPresignedPost>[0];
  const { url, fields } = await createPresignedPost(client, {
    Bucket: target.bucket,
    Key: 'post/${filename}',
    Fields: { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': target.keyId },
    Conditions: [['content-length-range', 0, size]],
    Expires: 600,
  });
  const boundary = `----WebKitFormBoundary${randomBytes(8).toString('hex')}`;
  const { body, length } = formBody(fields, size, boundary);
  const started = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': String(length) } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
    pipeline(body, req).catch(reject);
  });
  const seconds = (performance.now() - started) / 1000;
  if (status !== 204) throw new Error(`POST answered ${status}`);
  const stored = await target.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: 'post/bench.bin' }));
  if (stored.ContentLength !== size || stored.ServerSideEncryption !== 'aws:kms') throw new Error('the POSTed object is not what was sent');
  const mib = size / MiB;
  return [`POST form          ${seconds.toFixed(2)} s   ${(mib / seconds).toFixed(0)} MiB/s   ${mib} MiB browser-form upload, SSE-KMS, multer storage engine`];
}
