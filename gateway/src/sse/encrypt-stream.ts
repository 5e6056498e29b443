/**
 * Plaintext → GWSE v1 file bytes, as one Transform for the PUT pipeline.
 *
 * With a declared length (Content-Length, x-amz-decoded-content-length) each segment's
 * index and final flag are known when its cipher is created, so bytes flow straight through
 * `cipher.update` with no segment buffering; only the final segment is closed in `_flush`,
 * after the byte count has been checked, so a short body can never be sealed as complete.
 *
 * Without one (`plaintextLength: null`, a `Transfer-Encoding: chunked` body) the header
 * says "length in the record" (format step 6) and a full segment's final flag is known only
 * when the next byte or the end arrives: the stream holds that one segment of plaintext,
 * in a buffer it owns and wipes, and the length is read from the stream once it has ended.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import type { CipherGCM } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { LargeBodyMark } from '../heap-growth.js';
import { PlaintextLengthError } from './errors.js';
import {
  DEFAULT_SEGMENT_SIZE_LOG2, MAX_SEGMENTS, NONCE_PREFIX_SIZE, SALT_SIZE, TAG_SIZE,
  deriveStreamKeys, encodeHeader, encryptedSize, etagFromHeader, headerAad, segmentCount, segmentNonce,
  segmentSizeOf,
} from './format/gwse.js';

export interface EncryptStreamOptions {
  /** The 32-byte data key. Not retained: the stream derives its content key at once. */
  readonly dek: Buffer;
  /** The declared body length, or null when the body announces none (it then ends the stream). */
  readonly plaintextLength: number | null;
  /** 0 (the default) for a single-part object, 1 … 10000 for a multipart part. */
  readonly partNumber?: number;
  /** Canonical bytes of the object encryption context. */
  readonly objectContext: Buffer;
  readonly segmentSizeLog2?: number;
  /** Only for known-answer tests; production streams always draw a fresh random salt. */
  readonly salt?: Buffer;
  /** Only for known-answer tests. */
  readonly noncePrefix?: Buffer;
}

export interface EncryptStream {
  readonly header: Buffer;
  /** Hex SHA-256 of the header, for the metadata record. */
  readonly headerSha256: string;
  readonly etag: string;
  readonly segmentSize: number;
  /**
   * Plaintext bytes of the stream, and bytes the transform emits in total (header included).
   * Known at once for a declared length; for an undeclared one once the transform has
   * flushed, and reading them earlier is a programming error.
   */
  readonly plaintextLength: number;
  readonly ciphertextLength: number;
  readonly transform: Transform;
}

export function createEncryptStream(opts: EncryptStreamOptions): EncryptStream {
  const segmentSizeLog2 = opts.segmentSizeLog2 ?? DEFAULT_SEGMENT_SIZE_LOG2;
  const partNumber = opts.partNumber ?? 0;
  const salt = opts.salt === undefined ? randomBytes(SALT_SIZE) : Buffer.from(opts.salt);
  const noncePrefix = opts.noncePrefix === undefined ? randomBytes(NONCE_PREFIX_SIZE) : Buffer.from(opts.noncePrefix);
  const keyInput = { dek: opts.dek, salt, partNumber, objectContext: opts.objectContext };
  const { commit: commitment, content: contentKey } = deriveStreamKeys(keyInput);
  let header: Buffer;
  try {
    header = encodeHeader({ segmentSizeLog2, plaintextLength: opts.plaintextLength, partNumber, salt, noncePrefix, commitment });
  } catch (err) {
    contentKey.fill(0);
    throw err;
  } finally {
    commitment.fill(0);
  }
  const segmentSize = segmentSizeOf(segmentSizeLog2);
  const aad = headerAad(header); // the header's SHA-256, which the record keeps too
  const transform = opts.plaintextLength === null
    ? new HeldSegmentEncryptor(contentKey, header, aad, noncePrefix, segmentSize)
    : new SegmentEncryptor(contentKey, header, aad, noncePrefix, opts.plaintextLength, segmentSize);
  return {
    header,
    headerSha256: aad.toString('hex'),
    etag: etagFromHeader(header),
    segmentSize,
    get plaintextLength() {
      return transform.plaintextLength();
    },
    get ciphertextLength() {
      return encryptedSize(transform.plaintextLength(), segmentSize);
    },
    transform,
  };
}

/** What both encryptors share: the key they own and wipe, the header they send first. */
abstract class GwseEncryptor extends Transform {
  protected readonly contentKey: Buffer;
  protected readonly aad: Buffer;
  protected readonly segmentSize: number;
  private readonly header: Buffer;
  private readonly noncePrefix: Buffer;
  private headerSent = false;
  protected readonly largeBody = new LargeBodyMark();

  /** Takes ownership of `contentKey` and zeroes it when the stream ends or is destroyed. */
  constructor(contentKey: Buffer, header: Buffer, aad: Buffer, noncePrefix: Buffer, segmentSize: number) {
    super({ readableHighWaterMark: segmentSize });
    this.contentKey = contentKey;
    this.header = header;
    this.aad = aad;
    this.noncePrefix = noncePrefix;
    this.segmentSize = segmentSize;
  }

  abstract plaintextLength(): number;

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.wipe();
    this.largeBody.ended();
    callback(error);
  }

  protected sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.header);
  }

  protected cipherFor(index: number, isFinal: boolean): CipherGCM {
    const nonce = segmentNonce(this.noncePrefix, index, isFinal);
    const cipher = createCipheriv('aes-256-gcm', this.contentKey, nonce, { authTagLength: TAG_SIZE });
    cipher.setAAD(this.aad);
    return cipher;
  }

  /** Pushes the rest of the segment's ciphertext and its tag. */
  protected sealSegment(cipher: CipherGCM): void {
    const rest = cipher.final();
    if (rest.length > 0) this.push(rest);
    this.push(cipher.getAuthTag());
  }

  protected wipe(): void {
    this.contentKey.fill(0);
  }
}

/** A declared length: segments stream through their ciphers as bytes arrive. */
class SegmentEncryptor extends GwseEncryptor {
  private readonly declaredLength: number;
  private readonly lastIndex: number;
  private seen = 0;
  private index = 0;
  private filled = 0;
  private cipher: CipherGCM | null = null;

  constructor(contentKey: Buffer, header: Buffer, aad: Buffer, noncePrefix: Buffer, plaintextLength: number, segmentSize: number) {
    super(contentKey, header, aad, noncePrefix, segmentSize);
    this.declaredLength = plaintextLength;
    this.lastIndex = segmentCount(plaintextLength, segmentSize) - 1;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.seen + chunk.length > this.declaredLength) {
      callback(new PlaintextLengthError(this.declaredLength, this.seen + chunk.length));
      return;
    }
    this.largeBody.passed(chunk.length);
    this.sendHeader();
    let offset = 0;
    while (offset < chunk.length) {
      const cipher = this.cipher ?? this.openSegment();
      const take = Math.min(this.segmentSize - this.filled, chunk.length - offset);
      const out = cipher.update(chunk.subarray(offset, offset + take));
      if (out.length > 0) this.push(out);
      offset += take;
      this.filled += take;
      // The last segment stays open until _flush has checked the byte count.
      if (this.filled === this.segmentSize && this.index < this.lastIndex) this.closeSegment();
    }
    this.seen += chunk.length;
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.declaredLength) {
      this.wipe();
      callback(new PlaintextLengthError(this.declaredLength, this.seen));
      return;
    }
    this.sendHeader();
    if (this.cipher === null) this.openSegment(); // the one empty segment of an empty object
    this.closeSegment();
    this.wipe();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.cipher = null;
    super._destroy(error, callback);
  }

  plaintextLength(): number {
    return this.declaredLength;
  }

  private openSegment(): CipherGCM {
    this.cipher = this.cipherFor(this.index, this.index === this.lastIndex);
    return this.cipher;
  }

  private closeSegment(): void {
    if (this.cipher === null) throw new Error('no open segment');
    this.sealSegment(this.cipher);
    this.cipher = null;
    this.index += 1;
    this.filled = 0;
  }
}

/**
 * No declared length: the current segment's plaintext is held until the next byte (it is
 * not the last: final = 0) or the end (final = 1). The stream's end is the length.
 */
class HeldSegmentEncryptor extends GwseEncryptor {
  private readonly held: Buffer;
  private filled = 0;
  private index = 0;
  private total: number | null = null;

  constructor(contentKey: Buffer, header: Buffer, aad: Buffer, noncePrefix: Buffer, segmentSize: number) {
    super(contentKey, header, aad, noncePrefix, segmentSize);
    this.held = Buffer.alloc(segmentSize);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.largeBody.passed(chunk.length);
      this.sendHeader();
      let offset = 0;
      while (offset < chunk.length) {
        // More bytes follow a full segment, so that segment was not the last.
        if (this.filled === this.segmentSize) this.sealHeld(false);
        const take = Math.min(this.segmentSize - this.filled, chunk.length - offset);
        chunk.copy(this.held, this.filled, offset, offset + take);
        this.filled += take;
        offset += take;
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    this.sendHeader();
    // The held segment is the last one; for an empty body, the one empty segment.
    const length = this.index * this.segmentSize + this.filled;
    this.sealHeld(true);
    this.total = length;
    this.wipe();
    callback();
  }

  plaintextLength(): number {
    if (this.total === null) throw new Error('the length of an undeclared-length stream is known only once it has ended');
    return this.total;
  }

  protected override wipe(): void {
    super.wipe();
    this.held.fill(0);
  }

  private sealHeld(isFinal: boolean): void {
    if (this.index === MAX_SEGMENTS - 1 && !isFinal) throw new RangeError('stream exceeds the segment limit of the format');
    const cipher = this.cipherFor(this.index, isFinal);
    const out = cipher.update(this.held.subarray(0, this.filled));
    if (out.length > 0) this.push(out);
    this.sealSegment(cipher);
    this.index += 1;
    this.filled = 0;
  }
}
