/**
 * Plaintext → GWSE v1 file bytes, as one Transform for the PUT pipeline.
 *
 * The plaintext length is known before the first byte (S3 requires Content-Length or
 * x-amz-decoded-content-length), so each segment's index and final flag are known when
 * its cipher is created. Bytes therefore flow straight through `cipher.update` with no
 * segment buffering; only the final segment is closed in `_flush`, after the byte count
 * has been checked, so a short body can never be sealed as a complete object.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import type { CipherGCM } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { PlaintextLengthError } from './errors.js';
import {
  DEFAULT_SEGMENT_SIZE_LOG2, NONCE_PREFIX_SIZE, SALT_SIZE, TAG_SIZE,
  deriveStreamKey, encodeHeader, encryptedSize, etagFromHeader, headerAad, segmentCount, segmentNonce,
  segmentSizeOf, sha256,
} from './format/gwse.js';

export interface EncryptStreamOptions {
  /** The 32-byte data key. Not retained: the stream derives its content key at once. */
  readonly dek: Buffer;
  readonly plaintextLength: number;
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
  /** Bytes the transform will emit in total (header included). */
  readonly ciphertextLength: number;
  readonly transform: Transform;
}

export function createEncryptStream(opts: EncryptStreamOptions): EncryptStream {
  const segmentSizeLog2 = opts.segmentSizeLog2 ?? DEFAULT_SEGMENT_SIZE_LOG2;
  const partNumber = opts.partNumber ?? 0;
  const salt = opts.salt === undefined ? randomBytes(SALT_SIZE) : Buffer.from(opts.salt);
  const noncePrefix = opts.noncePrefix === undefined ? randomBytes(NONCE_PREFIX_SIZE) : Buffer.from(opts.noncePrefix);
  const keyInput = { dek: opts.dek, salt, partNumber, objectContext: opts.objectContext };
  const commitment = deriveStreamKey(keyInput, 'commit');
  let header: Buffer;
  try {
    header = encodeHeader({ segmentSizeLog2, plaintextLength: opts.plaintextLength, partNumber, salt, noncePrefix, commitment });
  } finally {
    commitment.fill(0);
  }
  const contentKey = deriveStreamKey(keyInput, 'content');
  const segmentSize = segmentSizeOf(segmentSizeLog2);
  return {
    header,
    headerSha256: sha256(header).toString('hex'),
    etag: etagFromHeader(header),
    segmentSize,
    ciphertextLength: encryptedSize(opts.plaintextLength, segmentSize),
    transform: new SegmentEncryptor(contentKey, header, noncePrefix, opts.plaintextLength, segmentSize),
  };
}

class SegmentEncryptor extends Transform {
  private readonly contentKey: Buffer;
  private readonly header: Buffer;
  private readonly aad: Buffer;
  private readonly noncePrefix: Buffer;
  private readonly plaintextLength: number;
  private readonly segmentSize: number;
  private readonly lastIndex: number;
  private headerSent = false;
  private seen = 0;
  private index = 0;
  private filled = 0;
  private cipher: CipherGCM | null = null;

  /** Takes ownership of `contentKey` and zeroes it when the stream ends or is destroyed. */
  constructor(contentKey: Buffer, header: Buffer, noncePrefix: Buffer, plaintextLength: number, segmentSize: number) {
    super({ readableHighWaterMark: segmentSize });
    this.contentKey = contentKey;
    this.header = header;
    this.aad = headerAad(header);
    this.noncePrefix = noncePrefix;
    this.plaintextLength = plaintextLength;
    this.segmentSize = segmentSize;
    this.lastIndex = segmentCount(plaintextLength, segmentSize) - 1;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.seen + chunk.length > this.plaintextLength) {
      callback(new PlaintextLengthError(this.plaintextLength, this.seen + chunk.length));
      return;
    }
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
    if (this.seen !== this.plaintextLength) {
      this.wipe();
      callback(new PlaintextLengthError(this.plaintextLength, this.seen));
      return;
    }
    this.sendHeader();
    if (this.cipher === null) this.openSegment(); // the one empty segment of an empty object
    this.closeSegment();
    this.wipe();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.wipe();
    this.cipher = null;
    callback(error);
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.header);
  }

  private openSegment(): CipherGCM {
    const nonce = segmentNonce(this.noncePrefix, this.index, this.index === this.lastIndex);
    const cipher = createCipheriv('aes-256-gcm', this.contentKey, nonce, { authTagLength: TAG_SIZE });
    cipher.setAAD(this.aad);
    this.cipher = cipher;
    return cipher;
  }

  private closeSegment(): void {
    const cipher = this.cipher;
    if (cipher === null) throw new Error('no open segment');
    const rest = cipher.final();
    if (rest.length > 0) this.push(rest);
    this.push(cipher.getAuthTag());
    this.cipher = null;
    this.index += 1;
    this.filled = 0;
  }

  private wipe(): void {
    this.contentKey.fill(0);
  }
}
