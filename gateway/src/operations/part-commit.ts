/**
 * What UploadPart and UploadPartCopy share: the part a request names (its number, and the
 * upload, NoSuchUpload otherwise), and committing a plaintext stream as that part. An upload
 * created with a checksum algorithm takes that algorithm on every part: the client's value when
 * the body brought one (checked as the body streamed), else computed here over the plaintext.
 * A part of an upload created without one gets S3's default, a CRC64NVME of the plaintext,
 * kept in its record for the completion only: it is not the part's checksum to answer with.
 */
import type { Readable, Transform } from 'node:stream';
import { DEFAULT_CHECKSUM, createChecksumCheck, type ChecksumAlgorithm } from '../checksums/index.js';
import { loadUpload, parsePartNumber, uploadIdOf, uploadSseHeaders, type LoadedUpload } from '../s3/multipart.js';
import { writeEncryptedPart, type WrittenPart } from '../sse/part-writer.js';
import { objectIo, type OperationContext } from './operation.js';

export interface PartTarget {
  readonly partNumber: number;
  readonly uploadId: string;
  readonly upload: LoadedUpload;
}

export async function partTargetOf(ctx: OperationContext): Promise<PartTarget> {
  const partNumber = parsePartNumber(ctx.query.get('partNumber'));
  const uploadId = uploadIdOf(ctx.query);
  return { partNumber, uploadId, upload: await loadUpload(ctx.deps.store, ctx.bucket, ctx.key, uploadId) };
}

export interface PartPlaintext {
  /** Plaintext length if known before the first byte; null for a chunked body without one. */
  readonly length: number | null;
  /** Called once, right before the pipeline runs. */
  readonly streams: () => [Readable, ...Transform[]];
  /** The checksum the body came with, verified by `streams` once they ended; absent: none came. */
  readonly sent?: () => { algorithm: ChecksumAlgorithm; base64: string } | undefined;
}

/** Encrypts `plaintext` as the target part and commits it; the answer's SSE headers with it. */
export async function commitPart(ctx: OperationContext, target: PartTarget, plaintext: PartPlaintext): Promise<WrittenPart & { sseHeaders: Record<string, string> }> {
  const record = target.upload.parsed;
  const algorithm = record.checksumAlgorithm;
  const computed = algorithm && !plaintext.sent ? createChecksumCheck(algorithm) : undefined;
  const fallback = algorithm ? undefined : createChecksumCheck(DEFAULT_CHECKSUM);
  const written = await writeEncryptedPart({
    ...objectIo(ctx),
    bucket: ctx.bucket,
    key: ctx.key,
    uploadId: target.uploadId,
    upload: record,
    partNumber: target.partNumber,
    length: plaintext.length,
    plaintext: () => {
      const streams = plaintext.streams();
      return [...streams, ...(computed ? [computed] : []), ...(fallback ? [fallback] : [])];
    },
    defaultCrc64nvme: fallback && (() => fallback.result()),
    checksums: () => {
      if (computed && algorithm) return { [algorithm]: computed.result() };
      const sent = plaintext.sent?.();
      return sent ? { [sent.algorithm]: sent.base64 } : {};
    },
  });
  return { ...written, sseHeaders: uploadSseHeaders(record) };
}
