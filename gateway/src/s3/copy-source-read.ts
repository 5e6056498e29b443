/**
 * Reading the source of a copy, as CopyObject and UploadPartCopy both do. The route checked
 * s3:PutObject on the destination; the source needs s3:GetObject of the same caller, asked
 * before anything of the source is read (so a refusal says nothing of whether it exists), and
 * its data key is unwrapped as that caller through S3 (kms:Decrypt, with kms:ViaService), as
 * for a GET. The `x-amz-copy-source-if-*` conditions are judged on the version opened.
 */
import { headerValue } from '../http/headers.js';
import type { OperationContext } from '../operations/operation.js';
import { objectIo } from '../operations/operation.js';
import { openObjectPlaintext, type ObjectMetadataV1, type OpenedObject, type PlaintextRange } from '../sse/index.js';
import { assertBucketMayExist } from './bucket-name.js';
import { COPY_SOURCE, checkCopySourceConditions, parseCopySource, type CopySource } from './copy-source.js';

/** `x-amz-copy-source`, parsed, its bucket name checked, and the caller allowed to read it. */
export async function authorizedCopySource(ctx: Pick<OperationContext, 'headers' | 'access'>): Promise<CopySource> {
  const source = parseCopySource(headerValue(ctx.headers, COPY_SOURCE));
  assertBucketMayExist(source.bucket);
  await ctx.access.require('s3:GetObject', { bucket: source.bucket, key: source.key });
  return source;
}

/**
 * The source as authenticated plaintext. `select` runs on its record after the conditions
 * held and before the KMS is asked: it may refuse, and returns the range to read.
 */
export function openCopySource(ctx: OperationContext, source: CopySource, select?: (meta: ObjectMetadataV1) => PlaintextRange | undefined): Promise<OpenedObject> {
  return openObjectPlaintext({
    ...objectIo(ctx),
    bucket: source.bucket,
    key: source.key,
    select: (meta) => {
      checkCopySourceConditions(ctx.headers, meta);
      return select?.(meta);
    },
  });
}
