/**
 * Opening a GWSE v1 stream for reading.
 *
 * `openEncryptedObject` runs every check that needs no ciphertext — header syntax,
 * header hash against the metadata record, the file size formula and the key
 * commitment (constant time) — so a wrong file, wrong DEK or wrong context is refused
 * before any plaintext exists. A header written without a length (format step 6) takes
 * it from the metadata record, and is refused without one. `openPlaintextStream` adds the
 * I/O: it reads the header, opens the planned file range and resolves only after the first
 * needed segment has authenticated, so the GET handler can still answer with a clean error
 * until then.
 */
import { timingSafeEqual } from 'node:crypto';
import { runPipeline } from '../streams/run-pipeline.js';
import type { Readable } from 'node:stream';
import { IntegrityError } from './errors.js';
import {
  HEADER_SIZE, decodeHeader, deriveStreamKeys, encryptedSize, fitsSegmentLimit, headerAad, segmentSizeOf,
} from './format/gwse.js';
import type { GwseHeader } from './format/gwse.js';
import { planRange } from './format/range.js';
import type { PlaintextRange, SegmentPlan } from './format/range.js';
import { SegmentDecryptor, openSegmentsInMemory, type SegmentDecryptorParams } from './segment-decryptor.js';

export interface OpenEncryptedObjectOptions {
  /** The 32-byte data key; not retained. */
  readonly dek: Buffer;
  /** Canonical bytes of the object encryption context. */
  readonly objectContext: Buffer;
  /** The first 96 bytes of the file. */
  readonly header: Buffer;
  /** Size of the whole file as stored. */
  readonly fileSize: number;
  /** Hex SHA-256 of the header from the metadata record. */
  readonly expectedHeaderSha256?: string;
  /**
   * From the metadata record: the header must agree, and a header that defers its length
   * to the record (format step 6) gets it from here.
   */
  readonly expectedPlaintextLength?: number;
  readonly expectedPartNumber?: number;
}

export interface EncryptedObject {
  readonly header: GwseHeader;
  /** From the header, or from the record when the header defers it. */
  readonly plaintextLength: number;
  readonly segmentSize: number;
  plan(range?: PlaintextRange): SegmentPlan;
  /**
   * The decrypting Transform for `range` (whole stream when omitted). Its input is the
   * file bytes [plan.fileStart, plan.fileEnd). Hands the content key to the stream, so
   * it may be called once.
   */
  createDecryptStream(range?: PlaintextRange): SegmentDecryptor;
  /**
   * What that stream would yield, from the whole file in memory, once every planned segment
   * has authenticated. Takes the content key as createDecryptStream does: one or the other, once.
   */
  openInMemory(file: Buffer, range?: PlaintextRange): Buffer;
  /** Zeroes the content key if no decrypt stream took it. Safe to call twice. */
  dispose(): void;
}

export function openEncryptedObject(opts: OpenEncryptedObjectOptions): EncryptedObject {
  const header = decodeHeader(opts.header);
  // The AAD of every segment is the header's SHA-256: the hash the record keeps.
  const aad = headerAad(opts.header);
  if (opts.expectedHeaderSha256 !== undefined) {
    const expected = Buffer.from(opts.expectedHeaderSha256, 'hex');
    if (expected.length !== aad.length || !timingSafeEqual(expected, aad)) {
      throw new IntegrityError('header hash differs from the metadata record');
    }
  }
  const plaintextLength = header.plaintextLength ?? opts.expectedPlaintextLength;
  if (plaintextLength === undefined) throw new IntegrityError('header defers its length to a metadata record, and none was given');
  if (opts.expectedPlaintextLength !== undefined && opts.expectedPlaintextLength !== plaintextLength) {
    throw new IntegrityError('header plaintext length differs from the metadata record');
  }
  if (opts.expectedPartNumber !== undefined && opts.expectedPartNumber !== header.partNumber) {
    throw new IntegrityError('header part number differs from the metadata record');
  }
  const segmentSize = segmentSizeOf(header.segmentSizeLog2);
  if (!Number.isSafeInteger(plaintextLength) || plaintextLength < 0 || !fitsSegmentLimit(plaintextLength, segmentSize)) {
    throw new IntegrityError('recorded plaintext length is not one the format can hold');
  }
  const expectedSize = encryptedSize(plaintextLength, segmentSize);
  if (opts.fileSize !== expectedSize) {
    throw new IntegrityError(`file is ${opts.fileSize} bytes, its length implies ${expectedSize}`);
  }
  const keyInput = { dek: opts.dek, salt: header.salt, partNumber: header.partNumber, objectContext: opts.objectContext };
  const keys = deriveStreamKeys(keyInput);
  const committed = timingSafeEqual(keys.commit, header.commitment);
  keys.commit.fill(0);
  if (!committed) {
    keys.content.fill(0);
    throw new IntegrityError('key commitment mismatch (wrong key or encryption context)');
  }

  let contentKey: Buffer | null = keys.content;
  const plan = (range?: PlaintextRange): SegmentPlan => planRange(plaintextLength, segmentSize, range);
  const takeKey = (segmentPlan: SegmentPlan): SegmentDecryptorParams => {
    if (contentKey === null) throw new Error('decrypt stream already created or object disposed');
    const key = contentKey;
    contentKey = null;
    return { contentKey: key, aad, noncePrefix: header.noncePrefix, plaintextLength, segmentSize, plan: segmentPlan };
  };
  return {
    header,
    plaintextLength,
    segmentSize,
    plan,
    createDecryptStream(range?: PlaintextRange): SegmentDecryptor {
      return new SegmentDecryptor(takeKey(plan(range)));
    },
    openInMemory(file: Buffer, range?: PlaintextRange): Buffer {
      const segmentPlan = plan(range);
      return openSegmentsInMemory(takeKey(segmentPlan), file.subarray(segmentPlan.fileStart, segmentPlan.fileEnd));
    },
    dispose(): void {
      contentKey?.fill(0);
      contentKey = null;
    },
  };
}

export interface OpenPlaintextStreamOptions extends Omit<OpenEncryptedObjectOptions, 'header'> {
  /** Inclusive plaintext range, already checked against the object size; whole stream when omitted. */
  readonly range?: PlaintextRange;
  /** Opens file bytes [start, end). */
  readFile(start: number, end: number): Readable | Promise<Readable>;
}

/**
 * Resolves with a Readable of exactly the requested plaintext once the first needed
 * segment has authenticated; rejects (IntegrityError for tampering) before that. A later
 * failure errors the returned stream before any byte of the bad segment.
 */
export async function openPlaintextStream(opts: OpenPlaintextStreamOptions): Promise<Readable> {
  // A whole-object read takes the header from the same read as the segments.
  const wholeFile = opts.range === undefined;
  const first = await opts.readFile(0, wholeFile ? opts.fileSize : HEADER_SIZE);
  let source: Readable = first;
  let decryptor: SegmentDecryptor;
  try {
    const headerBytes = await readPrefix(first, HEADER_SIZE);
    if (headerBytes.length !== HEADER_SIZE) throw new IntegrityError('file shorter than a header');
    const object = openEncryptedObject({ ...opts, header: headerBytes });
    try {
      if (!wholeFile) {
        first.destroy();
        const plan = object.plan(opts.range);
        source = await opts.readFile(plan.fileStart, plan.fileEnd);
      }
      decryptor = object.createDecryptStream(opts.range);
    } finally {
      object.dispose();
    }
  } catch (err) {
    source.destroy();
    first.destroy();
    throw err;
  }
  // Errors reach the caller through `decryptor`; the pipeline only wires up teardown.
  runPipeline([source, decryptor]).catch(() => {});
  try {
    await decryptor.firstSegmentVerified();
  } catch (err) {
    decryptor.destroy();
    throw err;
  }
  return decryptor;
}

export interface OpenPlaintextInMemoryOptions extends Omit<OpenEncryptedObjectOptions, 'header' | 'fileSize'> {
  /** The whole stored file: a small object's bytes, which came with its record. */
  readonly file: Buffer;
  /** Inclusive plaintext range, already checked against the object size; whole stream when omitted. */
  readonly range?: PlaintextRange;
}

/**
 * openPlaintextStream's answer for a file already in memory, without streams: exactly the
 * requested plaintext, returned only once every segment it comes from has authenticated;
 * the same checks refuse the same files (IntegrityError).
 */
export function openPlaintextInMemory(opts: OpenPlaintextInMemoryOptions): Buffer {
  if (opts.file.length < HEADER_SIZE) throw new IntegrityError('file shorter than a header');
  const object = openEncryptedObject({ ...opts, header: opts.file.subarray(0, HEADER_SIZE), fileSize: opts.file.length });
  try {
    return object.openInMemory(opts.file, opts.range);
  } finally {
    object.dispose();
  }
}

/**
 * Reads exactly `n` bytes from the front of `stream` (fewer only if it ends first),
 * leaving the rest buffered in the stream for whoever consumes it next.
 */
export function readPrefix(stream: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off('readable', onReadable);
      stream.off('end', onEnd);
      stream.off('error', onError);
    };
    const onReadable = (): void => {
      const chunk: unknown = stream.read(n);
      if (chunk === null) return;
      cleanup();
      resolve(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    };
    const onEnd = (): void => {
      cleanup();
      resolve(Buffer.alloc(0));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    stream.on('readable', onReadable);
    stream.on('end', onEnd);
    stream.on('error', onError);
  });
}
