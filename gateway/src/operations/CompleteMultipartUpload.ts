/**
 * CompleteMultipartUpload (`POST /{bucket}/{key}?uploadId=`): the parts the request names, in
 * its order, become the object, as S3 checks them: ascending part numbers (InvalidPartOrder),
 * each uploaded with the ETag given (InvalidPart), every part but the last at least 5 MiB
 * (EntityTooSmall), at least one part, the checksums as s3/multipart-checksums.ts says, and
 * the sum of the parts' sizes against x-amz-mp-object-size when the client sent one. Nothing is
 * rewritten: the record (v3) lists the parts, each its own GWSE stream, under the MAC, and
 * storage commits it atomically with the parts as the object's pieces; every part not named
 * goes with the upload. If-None-Match: * and If-Match hold under the key's lock, as for PUT.
 * The answer is sent only after the commit, so a 200 always describes a written object.
 */
import { createHash } from 'node:crypto';
import { readSmallBody } from '../http/body.js';
import { headerValue, type RequestHeaders } from '../http/headers.js';
import { S3Error } from '../http/errors.js';
import { element, optional, parseXml, repeated, required, text } from '../http/xml-parse.js';
import { commitConditions, parseWriteConditions, precheckWriteConditions } from '../s3/conditionals.js';
import { MIN_PART_SIZE, MAX_PART_NUMBER, checksumElements, loadUpload, multipartEtag, uploadIdOf, uploadSseHeaders } from '../s3/multipart.js';
import { checkListedPartChecksum, completionChecksumRequest, objectChecksumsOf, splitObjectChecksumHeaders } from '../s3/multipart-checksums.js';
import {
  DEFAULT_SEGMENT_SIZE_LOG2, GWSE_ALGORITHM_NAME, IntegrityError, encryptedSize, listingEntryOf, sealMetadata, type UnsealedObjectMetadata,
} from '../sse/index.js';
import { MULTIPART_METADATA_VERSION, type PartEntry } from '../sse/metadata.js';
import { unwrapObjectKey } from '../sse/object-crypto.js';
import { openPartRecord, verifyUploadRecord } from '../sse/upload-record.js';
import { objectIo, type Operation } from './operation.js';

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const SEGMENT_SIZE = 2 ** DEFAULT_SEGMENT_SIZE_LOG2;

const completedPart = element({
  PartNumber: required(text),
  ETag: required(text),
  ChecksumCRC32: optional(text),
  ChecksumCRC32C: optional(text),
  ChecksumCRC64NVME: optional(text),
  ChecksumSHA1: optional(text),
  ChecksumSHA256: optional(text),
});
const completeRequest = element({ Part: repeated(completedPart, { max: MAX_PART_NUMBER }) });
type CompletedPart = ReturnType<typeof completedPart.read>;

const unquoted = (etag: string): string => etag.trim().replace(/^"(.*)"$/, '$1');

function checkOrder(parts: readonly CompletedPart[]): number[] {
  if (parts.length === 0) throw new S3Error('InvalidRequest', 'You must specify at least one part');
  const numbers = parts.map((p) => {
    const n = /^\d{1,5}$/.test(p.PartNumber.trim()) ? Number(p.PartNumber.trim()) : NaN;
    if (!(n >= 1 && n <= MAX_PART_NUMBER)) throw new S3Error('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: p.PartNumber });
    return n;
  });
  for (let i = 1; i < numbers.length; i++) {
    if (numbers[i] <= numbers[i - 1]) throw new S3Error('InvalidPartOrder');
  }
  return numbers;
}

const MP_OBJECT_SIZE = 'x-amz-mp-object-size';

/** The object size the client expects the parts to add up to, if it said. */
function expectedObjectSize(headers: RequestHeaders): number | null {
  const value = headerValue(headers, MP_OBJECT_SIZE);
  if (value === undefined) return null;
  const size = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(size)) throw new S3Error('InvalidArgument', `Invalid value for ${MP_OBJECT_SIZE}`, { ArgumentName: MP_OBJECT_SIZE, ArgumentValue: value });
  return size;
}

export const CompleteMultipartUpload: Operation = async (ctx) => {
  const { bucket, key, deps, headers, query } = ctx;
  const uploadId = uploadIdOf(query);
  const expectedSize = expectedObjectSize(headers);
  const conditions = parseWriteConditions(headers);
  // The x-amz-checksum-* headers of a completion are the object's, not the XML body's.
  const body = parseXml(await readSmallBody({ ...ctx, headers: splitObjectChecksumHeaders(headers).rest }, MAX_BODY_BYTES), 'CompleteMultipartUpload', completeRequest);
  const upload = await loadUpload(deps.store, bucket, key, uploadId);
  const numbers = checkOrder(body.Part);
  const checksumRequest = completionChecksumRequest(headers, upload.parsed);
  await precheckWriteConditions(deps.store, bucket, key, conditions);
  const stored = new Map((await deps.store.listParts(bucket, key, uploadId)).map((p) => [p.partNumber, p]));
  const record = upload.parsed;
  const io = objectIo(ctx);
  if (record.sse === 'aws:kms') io.assertMayUseKms();
  const dek = await unwrapObjectKey(deps.kms, objectIo(ctx).caller, record);
  try {
    verifyUploadRecord(record, dek);
    const entries: PartEntry[] = [];
    const kept: { partNumber: number; attempt: string }[] = [];
    const defaultCrcs: (string | undefined)[] = [];
    for (const [i, requested] of body.Part.entries()) {
      const partNumber = numbers[i];
      const part = stored.get(partNumber);
      const invalidPart = (): S3Error => new S3Error('InvalidPart', undefined, { UploadId: uploadId, PartNumber: partNumber, ETag: requested.ETag });
      const partRecord = part && openPartRecord(part.metadata, partNumber, record, dek);
      if (!part || !partRecord || partRecord.etag !== unquoted(requested.ETag)) throw invalidPart();
      if (part.size !== encryptedSize(partRecord.plaintextSize, SEGMENT_SIZE)) throw new IntegrityError('a part file differs in size from its record');
      checkListedPartChecksum(record, partNumber, requested, partRecord.checksums, invalidPart);
      entries.push({ partNumber, plaintextSize: partRecord.plaintextSize, headerSha256: partRecord.headerSha256, etag: partRecord.etag, checksums: partRecord.checksums });
      kept.push({ partNumber, attempt: part.attempt });
      defaultCrcs.push(partRecord.defaultCrc64nvme);
    }
    for (const [i, entry] of entries.entries()) {
      if (i < entries.length - 1 && entry.plaintextSize < MIN_PART_SIZE) {
        throw new S3Error('EntityTooSmall', undefined, { ProposedSize: entry.plaintextSize, MinSizeAllowed: MIN_PART_SIZE, PartNumber: entry.partNumber, ETag: entry.etag });
      }
    }
    const plaintextSize = entries.reduce((sum, e) => sum + e.plaintextSize, 0);
    if (expectedSize !== null && expectedSize !== plaintextSize) {
      throw new S3Error('InvalidRequest', `The provided '${MP_OBJECT_SIZE}' header value ${expectedSize} does not match what was computed: ${plaintextSize}`);
    }
    const checksums = objectChecksumsOf(record, entries.map((e, i) => ({ ...e, defaultCrc64nvme: defaultCrcs[i] })), checksumRequest);
    const headerHash = createHash('sha256');
    for (const entry of entries) headerHash.update(Buffer.from(entry.headerSha256, 'hex'));
    const unsealed: UnsealedObjectMetadata = {
      ...record.attributes,
      metaVersion: MULTIPART_METADATA_VERSION,
      sse: record.sse,
      kmsKeyArn: record.kmsKeyArn,
      wrappedDek: record.wrappedDek,
      encryptionContext: record.encryptionContext,
      bucketKeyEnabled: false,
      algorithm: GWSE_ALGORITHM_NAME,
      segmentSize: SEGMENT_SIZE,
      plaintextSize,
      ciphertextSize: entries.reduce((sum, e) => sum + encryptedSize(e.plaintextSize, SEGMENT_SIZE), 0),
      headerSha256: headerHash.digest('hex'),
      etag: multipartEtag(entries.map((e) => e.etag)),
      checksums: checksums.object,
      lastModified: new Date().toISOString(),
      parts: entries.map((entry) => ({ ...entry, checksums: checksums.partChecksums(entry) })),
    };
    await deps.store.completeUpload(bucket, key, uploadId, kept, sealMetadata(unsealed, dek), {
      listing: listingEntryOf(unsealed),
      ...commitConditions(conditions, key),
    });
    const location = `http://${headers.host ?? 'localhost'}/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
    // An upload created without an algorithm may still have S3's default FULL_OBJECT CRC64NVME.
    const checksumType = record.checksumType ?? (Object.keys(checksums.object).length > 0 ? 'FULL_OBJECT' : undefined);
    const checksumFields = checksumType ? { ...checksumElements(checksums.object), ChecksumType: checksumType } : {};
    return {
      status: 200,
      headers: uploadSseHeaders(record),
      xml: { root: 'CompleteMultipartUploadResult', body: { Location: location, Bucket: bucket, Key: key, ETag: `"${unsealed.etag}"`, ...checksumFields } },
    };
  } finally {
    dek.fill(0);
  }
};
