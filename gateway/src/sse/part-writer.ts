/**
 * "Encrypt a plaintext stream into a part of a multipart upload": UploadPart and
 * UploadPartCopy compose it. The key is the upload's (one data key per upload, unwrapped as
 * the caller: kms:Decrypt, as S3 asks of UploadPart); every attempt is its own GWSE stream
 * with a fresh random salt and the part number in its key derivation and header, so a
 * re-uploaded part never reuses a key and nonce, and no part can pass for another.
 */
import type { Readable, Transform } from 'node:stream';
import { runPipeline } from '../streams/run-pipeline.js';
import type { PendingPart } from '@kmsgate/storage';
import type { ObjectIo } from './object-io.js';
import { canonicalEncryptionContext } from './context.js';
import { createEncryptStream } from './encrypt-stream.js';
import { unwrapObjectKey } from './object-crypto.js';
import { hashTap } from '../checksums/hash-tap.js';
import type { ObjectChecksums } from './object-writer.js';
import { sealPartRecord, verifyUploadRecord, type UploadRecord } from './upload-record.js';

export interface WritePartOptions extends ObjectIo {
  readonly bucket: string;
  readonly key: string;
  readonly uploadId: string;
  readonly upload: UploadRecord & { readonly mac: string };
  readonly partNumber: number;
  /** Plaintext length if known before the first byte; null for a chunked body without one. */
  readonly length: number | null;
  /** As WriteObjectOptions.plaintext: called once, right before the pipeline runs. */
  readonly plaintext: () => [Readable, ...Transform[]];
  readonly checksums: () => ObjectChecksums;
  /** PartRecord.defaultCrc64nvme, read once the pipeline ended; undefined: none kept. */
  readonly defaultCrc64nvme?: () => string | undefined;
}

export interface WrittenPart {
  /** Unquoted. */
  readonly etag: string;
  readonly checksums: ObjectChecksums;
  readonly lastModified: Date;
  readonly plaintextSize: number;
}

export async function writeEncryptedPart(opts: WritePartOptions): Promise<WrittenPart> {
  const { upload, partNumber, length } = opts;
  if (upload.sse === 'aws:kms') opts.assertMayUseKms();
  const dek = await unwrapObjectKey(opts.kms, opts.caller, upload);
  let pending: PendingPart | undefined;
  try {
    verifyUploadRecord(upload, dek);
    const encrypt = createEncryptStream({ dek, plaintextLength: length, partNumber, objectContext: canonicalEncryptionContext(upload.encryptionContext) });
    const md5 = upload.sse === 'AES256' ? hashTap('md5') : undefined;
    pending = await opts.store.beginPart(opts.bucket, opts.key, opts.uploadId, partNumber);
    await runPipeline([...opts.plaintext(), ...(md5 ? [md5] : []), encrypt.transform, pending.stream]);
    const checksums = opts.checksums();
    const defaultCrc64nvme = opts.defaultCrc64nvme?.();
    const etag = md5 ? md5.hex() : encrypt.etag;
    const fields = { plaintextSize: encrypt.plaintextLength, headerSha256: encrypt.headerSha256, etag, checksums, ...(defaultCrc64nvme ? { defaultCrc64nvme } : {}) };
    const record = sealPartRecord(fields, partNumber, upload, dek);
    const stored = await pending.commit(record);
    pending = undefined;
    return { etag, checksums, lastModified: stored.lastModified, plaintextSize: encrypt.plaintextLength };
  } finally {
    dek.fill(0);
    await pending?.abort();
  }
}
