/**
 * PutObject: the write half of the walkthrough. A data key from kms-core; the verified
 * payload streamed through AES-256-GCM (GWSE v1) into a temp file; the metadata record with
 * the wrapped key sealed under a MAC; commit only after the last byte verified; the
 * plaintext key zeroed whatever happens.
 */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PendingObject } from '@kmsgate/storage';
import { payloadStages, requestSource, type PayloadStages } from '../http/body.js';
import { generateObjectKey } from '../sse/object-crypto.js';
import { parseStorageClass, sseResponseHeaders, userMetadataOf } from '../s3/object-headers.js';
import type { Operation, OperationContext, OperationResult } from './operation.js';
import { headerValue } from '../http/headers.js';
import { SSE_CONTEXT, type SseRequest } from '../s3/sse-headers.js';
import { sseForNewObject } from '../s3/bucket-encryption.js';
import { refuseAclHeaders } from '../s3/acl.js';
import { requireSigV4ForKms } from '../auth/index.js';
import { GWSE_ALGORITHM_NAME, buildEncryptionContext, createEncryptStream, sealMetadata, type UnsealedObjectMetadata } from '../sse/index.js';
import { listingEntryOf } from '../s3/listing.js';

/** MD5 of the plaintext, for SSE-S3 ETags (clients expect it of AES256 objects). */
function md5Tap(): Transform & { hex(): string } {
  const hash = createHash('md5');
  let digest: string | undefined;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
    flush(done) {
      digest = hash.digest('hex');
      done();
    },
  });
  return Object.assign(tap, { hex: () => digest! });
}

export const PutObject: Operation = async (ctx) => {
  const { headers } = ctx;
  refuseAclHeaders(headers);
  parseStorageClass(headers);
  const userMetadata = userMetadataOf(headers);
  const payload = payloadStages(ctx);
  try {
    // Every header is checked by now; this also fails on a missing bucket before the KMS is asked.
    const sse = await sseForNewObject(ctx.deps.store, ctx.bucket, headers);
    if (sse.sse === 'aws:kms') requireSigV4ForKms(ctx.auth);
    return await encryptAndCommit(ctx, { sse, payload, userMetadata });
  } finally {
    payload.discard();
  }
};

interface CheckedPut {
  sse: SseRequest;
  payload: PayloadStages;
  userMetadata: Record<string, string>;
}

async function encryptAndCommit(ctx: OperationContext, { sse, payload, userMetadata }: CheckedPut): Promise<OperationResult> {
  const { bucket, key, deps, headers } = ctx;
  const contentType = headerValue(headers, 'content-type') ?? 'binary/octet-stream';
  const context = buildEncryptionContext({ header: sse.sse === 'aws:kms' ? sse.contextHeader : undefined, bucket, key });
  const dataKey = await generateObjectKey(deps.kms, ctx.caller, sse, context);
  let pending: PendingObject | undefined;
  try {
    const encrypt = createEncryptStream({ dek: dataKey.dek, plaintextLength: payload.length, objectContext: context.canonical });
    const md5 = sse.sse === 'AES256' ? md5Tap() : undefined;
    pending = await deps.store.beginPut(bucket, key);
    await pipeline([requestSource(ctx.req), ...payload.stages, ...(md5 ? [md5] : []), encrypt.transform, pending.stream]);
    const checksum = payload.checksum();
    const etag = md5 ? md5.hex() : encrypt.etag;
    const unsealed: UnsealedObjectMetadata = {
      metaVersion: 1,
      sse: sse.sse,
      kmsKeyArn: dataKey.kmsKeyArn,
      wrappedDek: dataKey.wrappedDek.toString('base64'),
      encryptionContext: context.context,
      bucketKeyEnabled: false,
      algorithm: GWSE_ALGORITHM_NAME,
      segmentSize: encrypt.segmentSize,
      plaintextSize: encrypt.plaintextLength,
      ciphertextSize: encrypt.ciphertextLength,
      headerSha256: encrypt.headerSha256,
      etag,
      checksums: checksum ? { [checksum.algorithm]: checksum.base64 } : {},
      contentType,
      userMetadata,
      lastModified: new Date().toISOString(),
    };
    const record = sealMetadata(unsealed, dataKey.dek);
    await pending.commit(record, listingEntryOf(unsealed));
    pending = undefined;
    const responseHeaders: Record<string, string> = { ETag: `"${etag}"`, ...sseResponseHeaders({ sse: sse.sse, kmsKeyArn: dataKey.kmsKeyArn }) };
    const sentContext = headerValue(headers, SSE_CONTEXT);
    if (sse.sse === 'aws:kms' && sentContext !== undefined) responseHeaders[SSE_CONTEXT] = sentContext;
    if (checksum) {
      responseHeaders[`x-amz-checksum-${checksum.algorithm.toLowerCase()}`] = checksum.base64;
      responseHeaders['x-amz-checksum-type'] = 'FULL_OBJECT';
    }
    return { status: 200, headers: responseHeaders };
  } finally {
    dataKey.dek.fill(0);
    await pending?.abort();
  }
}
