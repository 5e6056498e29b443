/**
 * CopyObject: the source opened as authenticated plaintext (kms:Decrypt on its key, as the
 * caller) and written as a new object under a new data key (GenerateDataKey on the
 * destination's key, as the same caller), with the destination's SSE settings and its own
 * `aws:s3:arn` context. Nothing of the source's encryption is inherited: the request headers
 * decide, else the destination bucket's default, as in S3. A source segment that fails
 * authentication fails the pipeline, so the destination is never committed; the answer is
 * sent only after the commit, so a 200 always describes a written object.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { DEFAULT_CHECKSUM, createChecksumCheck } from '../checksums/index.js';
import { S3Error } from '../http/errors.js';
import { refuseAclHeaders } from '../s3/acl.js';
import { sseForNewObject } from '../s3/bucket-encryption.js';
import { parseMetadataDirective } from '../s3/copy-source.js';
import { authorizedCopySource, openCopySource } from '../s3/copy-source-read.js';
import { newObjectSseHeaders, parseStorageClass, userMetadataOf } from '../s3/object-headers.js';
import { systemMetadataOf } from '../s3/system-metadata.js';
import { SSE, SSE_BUCKET_KEY, SSE_CONTEXT, SSE_KMS_KEY_ID, type SseRequest } from '../s3/sse-headers.js';
import { objectAttributesOf, writeEncryptedObject, type ObjectAttributes, type ObjectMetadataV1 } from '../sse/index.js';
import { objectIo, type Operation } from './operation.js';

const SELF_COPY =
  "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.";

/** Headers whose presence changes what a copy onto itself writes (S3 counts them even when equal). */
const CHANGING_HEADERS = [SSE, SSE_KMS_KEY_ID, SSE_CONTEXT, SSE_BUCKET_KEY, 'x-amz-storage-class', 'x-amz-website-redirect-location'];

/**
 * A copy onto itself must change something. Re-encryption counts: under a KMS default (S3
 * allows an in-place copy in a bucket whose default is KMS) or under another algorithm.
 */
function refuseUnchangedSelfCopy(headers: IncomingHttpHeaders, replacing: boolean, sse: SseRequest, source: ObjectMetadataV1): void {
  if (replacing || CHANGING_HEADERS.some((name) => headers[name] !== undefined)) return;
  if (sse.sse === 'aws:kms' || sse.sse !== source.sse) return;
  throw new S3Error('InvalidRequest', SELF_COPY);
}

export const CopyObject: Operation = async (ctx) => {
  const { bucket, key, deps, headers } = ctx;
  refuseAclHeaders(headers);
  const storageClass = parseStorageClass(headers);
  const source = await authorizedCopySource(ctx);
  const replacing = parseMetadataDirective(headers) === 'REPLACE';
  const replaced: ObjectAttributes | undefined = replacing
    ? { ...systemMetadataOf(headers), userMetadata: userMetadataOf(headers) }
    : undefined;
  // The destination bucket and the SSE headers are checked before the source is read.
  const sse = await sseForNewObject(deps.store, bucket, headers);
  const onItself = source.bucket === bucket && source.key === key;
  const opened = await openCopySource(ctx, source, (meta) => {
    if (onItself) refuseUnchangedSelfCopy(headers, replacing, sse, meta);
    return undefined;
  });
  const recount = opened.meta.parts ? createChecksumCheck(DEFAULT_CHECKSUM) : undefined;
  try {
    const written = await writeEncryptedObject({
      ...objectIo(ctx),
      bucket,
      key,
      sse,
      length: opened.meta.plaintextSize,
      plaintext: () => (recount ? [opened.stream, recount] : [opened.stream]),
      // The plaintext is the source's, authenticated segment by segment, and so are its
      // checksums, but for a multipart source's composite one, which names its parts.
      checksums: () => (recount ? { [DEFAULT_CHECKSUM]: recount.result() } : opened.meta.checksums),
      // A storage class is never copied: the request names it, else STANDARD, as S3 does.
      attributes: replaced ?? { ...objectAttributesOf(opened.meta), storageClass },
    });
    const checksums = Object.fromEntries(Object.entries(written.checksums).map(([algorithm, value]) => [`Checksum${algorithm}`, value]));
    return {
      status: 200,
      headers: newObjectSseHeaders(written, headers),
      xml: { root: 'CopyObjectResult', body: { ETag: `"${written.etag}"`, LastModified: written.lastModified, ...checksums } },
    };
  } finally {
    opened.stream.destroy();
  }
};
