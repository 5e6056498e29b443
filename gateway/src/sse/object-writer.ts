/**
 * "Encrypt a plaintext stream into storage under a new data key with this metadata": the one
 * write path that PutObject and CopyObject (and, next, multipart parts and POST uploads)
 * compose. A fresh data key from the KMS for the destination's own encryption context; the
 * plaintext streamed through AES-256-GCM (GWSE v1) into a pending object; the metadata record
 * sealed under a MAC; commit only after the last stage accepted the last byte; the plaintext
 * key zeroed and the pending object dropped whatever happens.
 */
import type { Readable, Transform } from 'node:stream';
import { runPipeline } from '../streams/run-pipeline.js';
import type { CommitOptions, PendingObject } from '@kmsgate/storage';
import { hashTap } from '../checksums/hash-tap.js';
import type { SseRequest } from '../s3/sse-headers.js';
import { buildEncryptionContext } from './context.js';
import { createEncryptStream } from './encrypt-stream.js';
import { GWSE_ALGORITHM_NAME } from './format/gwse.js';
import { METADATA_VERSION, sealMetadata, type ChecksumAlgorithm, type ObjectMetadataV1, type UnsealedObjectMetadata } from './metadata.js';
import { listingEntryOf } from './listing-entry.js';
import { generateObjectKey } from './object-crypto.js';
import type { ObjectIo } from './object-io.js';
import { keyFingerprint } from './data-key-observer.js';

/**
 * Record fields the write itself decides: keys, format, sizes, ETag, checksums, time. Every
 * other field of a record is an attribute of the object (content type, user metadata, and
 * whatever system metadata the record gains), which a copy carries over as it stands.
 */
const WRITE_FIELDS = [
  'metaVersion', 'sse', 'kmsKeyArn', 'wrappedDek', 'encryptionContext', 'bucketKeyEnabled', 'algorithm', 'segmentSize',
  'plaintextSize', 'ciphertextSize', 'headerSha256', 'etag', 'checksums', 'lastModified', 'parts',
] as const satisfies readonly (keyof UnsealedObjectMetadata)[];

export type ObjectAttributes = Omit<UnsealedObjectMetadata, (typeof WRITE_FIELDS)[number]>;
export type ObjectChecksums = UnsealedObjectMetadata['checksums'];

/** The attributes of a stored object, for a copy that keeps them (metadata directive COPY). */
export function objectAttributesOf(meta: ObjectMetadataV1): ObjectAttributes {
  const attributes: Record<string, unknown> = { ...meta };
  for (const field of [...WRITE_FIELDS, 'metaMac']) delete attributes[field];
  return attributes as ObjectAttributes;
}

export interface WriteObjectOptions extends ObjectIo {
  readonly bucket: string;
  readonly key: string;
  /** The destination's SSE choice (request headers, else the bucket default). */
  readonly sse: SseRequest;
  /**
   * Plaintext length if known before the first byte; null for a body that ends when its
   * framing says so (chunked), whose length the record then carries (GWSE step 6).
   */
  readonly length: number | null;
  /**
   * The plaintext as pipeline streams, called once right before the pipeline runs (a request
   * source must reach runPipeline() in the tick it is made): a verified request body, or the
   * authenticated plaintext of another object.
   */
  readonly plaintext: () => [Readable, ...Transform[]];
  /** Asked once the last byte went through: the plaintext checksums to store. */
  readonly checksums: () => ObjectChecksums;
  readonly attributes: ObjectAttributes;
  /** Checked under the key's lock against the version this write replaces (conditional writes). */
  readonly precondition?: CommitOptions['precondition'];
}

export interface WrittenObject {
  readonly sse: SseRequest['sse'];
  readonly kmsKeyArn: string | null;
  /** Unquoted. */
  readonly etag: string;
  readonly checksums: ObjectChecksums;
  /** ISO 8601. */
  readonly lastModified: string;
}

export async function writeEncryptedObject(opts: WriteObjectOptions): Promise<WrittenObject> {
  const { kms, store, caller, bucket, key, sse, length } = opts;
  if (sse.sse === 'aws:kms') opts.assertMayUseKms();
  const context = buildEncryptionContext({ header: sse.sse === 'aws:kms' ? sse.contextHeader : undefined, bucket, key });
  const dataKey = await generateObjectKey(kms, caller, sse, context);
  const observed = opts.dataKeyObserver && { bucket, key, fingerprint: keyFingerprint(dataKey.dek) };
  if (observed) opts.dataKeyObserver!.generated(observed);
  let pending: PendingObject | undefined;
  try {
    const encrypt = createEncryptStream({ dek: dataKey.dek, plaintextLength: length, objectContext: context.canonical });
    // SSE-S3 ETags are the plaintext MD5, as clients expect of AES256 objects.
    const md5 = sse.sse === 'AES256' ? hashTap('md5') : undefined;
    pending = await store.beginPut(bucket, key);
    await runPipeline([...opts.plaintext(), ...(md5 ? [md5] : []), encrypt.transform, pending.stream]);
    const checksums = opts.checksums();
    const etag = md5 ? md5.hex() : encrypt.etag;
    const lastModified = new Date().toISOString();
    const unsealed: UnsealedObjectMetadata = {
      ...opts.attributes,
      metaVersion: METADATA_VERSION,
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
      checksums,
      lastModified,
    };
    await pending.commit(sealMetadata(unsealed, dataKey.dek), { listing: listingEntryOf(unsealed), precondition: opts.precondition });
    pending = undefined;
    return { sse: sse.sse, kmsKeyArn: dataKey.kmsKeyArn, etag, checksums, lastModified };
  } finally {
    dataKey.dek.fill(0);
    if (observed) opts.dataKeyObserver!.wiped({ ...observed, zeroed: dataKey.dek.every((b) => b === 0), length: dataKey.dek.length });
    await pending?.abort();
  }
}

/** One checksum as the record stores it. */
export function checksumsOf(checksum: { algorithm: ChecksumAlgorithm; base64: string } | undefined): ObjectChecksums {
  return checksum ? { [checksum.algorithm]: checksum.base64 } : {};
}
