import { S3Error } from '../http/errors.js';
import { toS3Error } from '../http/error-map.js';
import { readSmallBody, requireBodyChecksum } from '../http/body.js';
import { boolean, element, optional, parseXml, repeated, required, text } from '../http/xml-parse.js';
import type { XmlObject } from '../http/xml.js';
import { MAX_KEY_BYTES } from '../s3/s3-path.js';
import type { Operation, OperationContext } from './operation.js';

/** S3's limit on keys in one request; more is MalformedXML, as the schema says. */
const MAX_KEYS = 1000;
/**
 * 1000 keys of 1024 bytes each, written with character references where that is longest,
 * still fit. Beyond it no valid request can lie, so the body is refused before it is read.
 */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
/** Deletes in flight at once: enough to overlap the fsyncs, few enough to leave the disk to others. */
const DELETE_CONCURRENCY = 16;

const objectIdentifier = element({
  Key: required(text),
  VersionId: optional(text),
  // Conditional deletes (newer SDKs); parsed so they are refused per key, never ignored.
  ETag: optional(text),
  LastModifiedTime: optional(text),
  Size: optional(text),
});
const deleteRequest = element({
  Object: repeated(objectIdentifier, { min: 1, max: MAX_KEYS }),
  Quiet: optional(boolean),
});
type ObjectIdentifier = ReturnType<typeof objectIdentifier.read>;

/** What S3 answers instead of deleting one key, before storage is asked. */
function refusal(entry: ObjectIdentifier): S3Error | undefined {
  if (entry.Key === '') return new S3Error('UserKeyMustBeSpecified');
  if (Buffer.byteLength(entry.Key) > MAX_KEY_BYTES) return new S3Error('KeyTooLongError');
  // Buckets here are never versioned: only the null version exists.
  if (entry.VersionId !== undefined && entry.VersionId !== 'null') return new S3Error('NoSuchVersion');
  if (entry.ETag !== undefined || entry.LastModifiedTime !== undefined || entry.Size !== undefined) {
    return new S3Error('NotImplemented', 'Conditional deletes in DeleteObjects are not implemented');
  }
  return undefined;
}

/**
 * Deletes every entry, DELETE_CONCURRENCY at a time (each delete waits on its own fsync),
 * and returns per entry, in request order, the error it got or undefined.
 */
async function deleteEach(ctx: OperationContext, entries: ObjectIdentifier[]): Promise<(S3Error | undefined)[]> {
  const failures = new Array<S3Error | undefined>(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i]!;
      failures[i] = refusal(entry);
      if (failures[i]) continue;
      // Each key needs s3:DeleteObject; one the caller may not delete is reported, the others go ahead.
      if (!(await ctx.access.allows('s3:DeleteObject', { bucket: ctx.bucket, key: entry.Key }))) {
        failures[i] = new S3Error('AccessDenied');
        continue;
      }
      try {
        await ctx.deps.store.deleteObject(ctx.bucket, entry.Key);
      } catch (err) {
        const mapped = toS3Error(err);
        if (mapped.internal) ctx.log.error('DeleteObjects: one key failed', { key: entry.Key, error: err instanceof Error ? err.stack : String(err) });
        failures[i] = mapped.error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELETE_CONCURRENCY, entries.length) }, worker));
  return failures;
}

/**
 * DeleteObjects (`POST /{bucket}?delete`): up to 1000 keys, each deleted on its own. A key
 * that does not exist is reported as deleted; a key that cannot be deleted becomes an
 * `<Error>` entry and the others go ahead. Quiet mode lists only the errors. As in S3, the
 * request needs Content-MD5 or an `x-amz-checksum-*` value (trailer included), which the
 * body stages verify before the XML is parsed.
 */
export const DeleteObjects: Operation = async (ctx) => {
  const { bucket, deps, headers } = ctx;
  await deps.store.headBucket(bucket);
  requireBodyChecksum(headers);
  const request = parseXml(await readSmallBody(ctx, MAX_BODY_BYTES), 'Delete', deleteRequest);

  const failures = await deleteEach(ctx, request.Object);
  const deleted: XmlObject[] = [];
  const errors: XmlObject[] = [];
  request.Object.forEach((entry, i) => {
    const version = entry.VersionId === undefined ? {} : { VersionId: entry.VersionId };
    const failure = failures[i];
    if (failure) errors.push({ Key: entry.Key, ...version, Code: failure.code, Message: failure.message });
    else if (!request.Quiet) deleted.push({ Key: entry.Key, ...version });
  });
  return { status: 200, xml: { root: 'DeleteResult', body: { Deleted: deleted, Error: errors } } };
};
