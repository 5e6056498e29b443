/**
 * Bench figure for POST Object: one browser-form upload of 256 MiB (BENCH_POST_MIB) with
 * SSE-KMS fields, signed by @aws-sdk/s3-presigned-post and sent as the multipart/form-data
 * body a browser sends for it (the signed fields, then the file part last), streamed over
 * node:http; the file part declares no length of its own. The gateway's peak RSS is
 * printed by bench.ts. Figures are printed, never asserted.
 */
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import type { BenchTarget } from './copy-range.js';
import { sendStreamedForm } from '../post-form.js';
import { repeatingStream } from '../streams.js';

const MiB = 1024 * 1024;

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
  const started = performance.now();
  const status = await sendStreamedForm(url, fields, repeatingStream(size), size);
  const seconds = (performance.now() - started) / 1000;
  if (status !== 204) throw new Error(`POST answered ${status}`);
  const stored = await target.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: 'post/upload.bin' }));
  if (stored.ContentLength !== size || stored.ServerSideEncryption !== 'aws:kms') throw new Error('the POSTed object is not what was sent');
  const mib = size / MiB;
  return [`POST form          ${seconds.toFixed(2)} s   ${(mib / seconds).toFixed(0)} MiB/s   ${mib} MiB browser-form upload, SSE-KMS, multer storage engine`];
}
