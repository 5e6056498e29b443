/**
 * "Open an object as an authenticated plaintext stream": the one read path that GetObject,
 * CopyObject and UploadPartCopy (the source) compose; a multipart object's parts are read in
 * order by parts-reader.ts. The record is parsed strictly and must
 * name the object asked for; the caller's checks on it run before the KMS is asked; kms-core
 * unwraps the data key as the caller (kms:Decrypt); the record's MAC is checked; the header, key
 * commitment and first needed segment authenticate before this resolves, and every later
 * segment before its plaintext is released. A small object, whose bytes came with its record,
 * is decrypted whole instead and handed over only once all of it has authenticated. The
 * plaintext data key is zeroed whatever happens.
 */
import { Readable } from 'node:stream';
import type { ObjectStore } from '@kmsgate/storage';
import { assertContextNamesObject, canonicalEncryptionContext } from './context.js';
import { openPlaintextInMemory, openPlaintextStream } from './decrypt-stream.js';
import type { PlaintextRange } from './format/range.js';
import { parseMetadata, verifyMetadataMac, type ObjectMetadataV1 } from './metadata.js';
import { unwrapObjectKey } from './object-crypto.js';
import type { ObjectIo } from './object-io.js';
import { openPartsPlaintext } from './parts-reader.js';

/** The stored record of `bucket/key`, parsed strictly; a record naming another object is refused. */
export function objectRecordOf(metadata: Buffer, bucket: string, key: string): ObjectMetadataV1 {
  const meta = parseMetadata(metadata);
  assertContextNamesObject(meta.encryptionContext, bucket, key);
  return meta;
}

/** HeadObject's read: the record alone, never the KMS. */
export async function readObjectRecord(store: ObjectStore, bucket: string, key: string): Promise<ObjectMetadataV1> {
  const { metadata } = await store.headObject(bucket, key);
  return objectRecordOf(metadata, bucket, key);
}

export interface OpenObjectOptions extends ObjectIo {
  readonly bucket: string;
  readonly key: string;
  /**
   * Runs on the record before the KMS is asked (conditions, range parsing): may throw, and
   * returns the inclusive plaintext range to read, or undefined for the whole object.
   */
  readonly select?: (meta: ObjectMetadataV1) => PlaintextRange | undefined;
}

/**
 * A read that may end at the record: `answerEarly` runs first on it (after the SigV4 rule) and
 * any answer it gives (a 304) is returned instead of a stream, without asking the KMS.
 */
export interface OpenObjectOptionsWithEarlyAnswer<E> extends OpenObjectOptions {
  readonly answerEarly: (meta: ObjectMetadataV1) => E | undefined;
}

export interface OpenedObject {
  readonly meta: ObjectMetadataV1;
  readonly range: PlaintextRange | undefined;
  /** Authenticated plaintext; consume or destroy it, which releases the stored object. */
  readonly stream: Readable;
  /**
   * The same plaintext whole, when the object's bytes came with its record (a small object):
   * every byte of it authenticated, and the stored object released. A reader may send these and
   * leave `stream` untouched; it is made only when asked for.
   */
  readonly bytes?: Buffer;
}

function openedInMemory(meta: ObjectMetadataV1, range: PlaintextRange | undefined, bytes: Buffer): OpenedObject {
  let stream: Readable | undefined;
  return {
    meta,
    range,
    bytes,
    get stream(): Readable {
      return (stream ??= Readable.from(bytes.length === 0 ? [] : [bytes], { objectMode: false }));
    },
  };
}

export function openObjectPlaintext(opts: OpenObjectOptions): Promise<OpenedObject>;
export function openObjectPlaintext<E>(opts: OpenObjectOptionsWithEarlyAnswer<E>): Promise<OpenedObject | { readonly early: E }>;
export async function openObjectPlaintext<E>(
  opts: OpenObjectOptions & { readonly answerEarly?: (meta: ObjectMetadataV1) => E | undefined },
): Promise<OpenedObject | { readonly early: E }> {
  const { bucket, key } = opts;
  const stored = await opts.store.getObject(bucket, key);
  try {
    const meta = objectRecordOf(stored.metadata, bucket, key);
    if (meta.sse === 'aws:kms') opts.assertMayUseKms();
    const early = opts.answerEarly?.(meta);
    if (early !== undefined) {
      await stored.close();
      return { early };
    }
    const range = opts.select?.(meta);
    const dek = await unwrapObjectKey(opts.kms, opts.caller, meta);
    let stream: Readable;
    try {
      verifyMetadataMac(meta, dek);
      const parts = meta.parts;
      if (parts) stream = await openPartsPlaintext({ dek, meta: { ...meta, parts }, stored, range });
      else {
        const checks = {
          dek,
          objectContext: canonicalEncryptionContext(meta.encryptionContext),
          expectedHeaderSha256: meta.headerSha256,
          expectedPlaintextLength: meta.plaintextSize,
          range,
        };
        if (stored.inline !== undefined) {
          // All its bytes are here: decrypted and checked whole, no stream machinery per GET.
          const bytes = openPlaintextInMemory({ ...checks, file: stored.inline });
          await stored.close();
          return openedInMemory(meta, range, bytes);
        }
        stream = await openPlaintextStream({ ...checks, fileSize: stored.dataSize, readFile: (start, end) => stored.read({ start, end: end - 1 }) });
      }
    } finally {
      dek.fill(0);
    }
    // The stream may have closed already: a whole-object read runs ahead of the first
    // segment's check, and a later bad segment can destroy it before we get here.
    if (stream.closed) void stored.close();
    else stream.once('close', () => void stored.close());
    return { meta, range, stream };
  } catch (err) {
    await stored.close();
    throw err;
  }
}
