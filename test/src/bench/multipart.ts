/**
 * Bench part `multipart`: a 1 GiB SSE-KMS upload through @aws-sdk/lib-storage `Upload`
 * (64 MiB parts, 4 in flight, the SDK's default checksums), then a GET of the whole object
 * across its parts. The caller prints the gateway's peak RSS after it.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { countingSink, repeatingStream } from '../streams.js';

const MiB = 1024 * 1024;

export async function benchMultipart(opts: { s3: S3Client; bucket: string; keyId: string; size: number }): Promise<string[]> {
  const { s3, bucket, keyId, size } = opts;
  let t0 = performance.now();
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: 'multipart.bin', Body: repeatingStream(size), ServerSideEncryption: 'aws:kms', SSEKMSKeyId: keyId },
    partSize: 64 * MiB,
    queueSize: 4,
  });
  const done = await upload.done();
  const uploadSeconds = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'multipart.bin' }));
  const sink = countingSink();
  await pipeline(got.Body as Readable, sink);
  const getSeconds = (performance.now() - t0) / 1000;
  if (sink.bytes() !== size) throw new Error(`GET returned ${sink.bytes()} bytes, expected ${size}`);
  const mib = size / MiB;
  return [
    `multipart upload   ${uploadSeconds.toFixed(2)} s   ${(mib / uploadSeconds).toFixed(0)} MiB/s   ${mib} MiB SSE-KMS, lib-storage Upload, 64 MiB parts, 4 in flight (ETag ${done.ETag})`,
    `multipart GET      ${getSeconds.toFixed(2)} s   ${(mib / getSeconds).toFixed(0)} MiB/s   whole object across its parts`,
  ];
}
