/**
 * GWSE file bytes of segments i0 … i1 → the planned plaintext slice.
 *
 * Ciphertext flows through `decipher.update` as it arrives, but the plaintext it yields
 * is held back until that segment's tag has verified (`setAuthTag` + `final()`); only
 * then is it trimmed to the requested range and pushed. So at most one segment of
 * plaintext is held, and no byte of a tampered segment ever leaves this stream.
 * Every failure is an IntegrityError.
 */
import { createDecipheriv } from 'node:crypto';
import type { DecipherGCM } from 'node:crypto';
import { Transform } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { LargeBodyMark } from '../heap-growth.js';
import { IntegrityError } from './errors.js';
import { TAG_SIZE, segmentNonce, segmentPlaintextSize } from './format/gwse.js';
import type { SegmentPlan } from './format/range.js';

/** Emitted once, after the first planned segment has been authenticated. */
export const FIRST_SEGMENT_VERIFIED = 'firstSegmentVerified';

export interface SegmentDecryptorParams {
  /** Owned by the decryptor from here on; zeroed when done or destroyed. */
  readonly contentKey: Buffer;
  readonly aad: Buffer;
  readonly noncePrefix: Buffer;
  readonly plaintextLength: number;
  readonly segmentSize: number;
  readonly plan: SegmentPlan;
}

export class SegmentDecryptor extends Transform {
  private readonly p: SegmentDecryptorParams;
  private index: number;
  private done = false;
  private decipher: DecipherGCM | null = null;
  private segmentPlain = 0;
  private fed = 0;
  private tag = Buffer.alloc(TAG_SIZE);
  private tagFilled = 0;
  private held: Buffer[] = [];
  private toSkip: number;
  private toEmit: number;
  private verifiedSegments = 0;
  private readonly largeBody = new LargeBodyMark();

  constructor(params: SegmentDecryptorParams) {
    super({ readableHighWaterMark: params.segmentSize });
    this.p = params;
    this.index = params.plan.firstSegment;
    this.toSkip = params.plan.skip;
    this.toEmit = params.plan.length;
  }

  /**
   * Resolves once the first planned segment has verified (its plaintext is then queued
   * on the readable side), rejects with the stream's error if that never happens.
   */
  firstSegmentVerified(): Promise<void> {
    if (this.verifiedSegments > 0) return Promise.resolve();
    if (this.errored !== null) return Promise.reject(this.errored);
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        this.off(FIRST_SEGMENT_VERIFIED, onVerified);
        this.off('error', onError);
        this.off('close', onClose);
      };
      const onVerified = (): void => { cleanup(); resolve(); };
      const onError = (err: Error): void => { cleanup(); reject(err); };
      const onClose = (): void => { cleanup(); reject(this.errored ?? new IntegrityError('stream closed before the first segment verified')); };
      this.on(FIRST_SEGMENT_VERIFIED, onVerified);
      this.on('error', onError);
      this.on('close', onClose);
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.largeBody.passed(chunk.length);
    try {
      let offset = 0;
      while (offset < chunk.length) {
        if (this.done) throw new IntegrityError('bytes beyond the planned segments');
        const decipher = this.decipher ?? this.openSegment();
        if (this.fed < this.segmentPlain) {
          const take = Math.min(this.segmentPlain - this.fed, chunk.length - offset);
          const out = decipher.update(chunk.subarray(offset, offset + take));
          if (out.length > 0) this.held.push(out);
          this.fed += take;
          offset += take;
        } else {
          const take = Math.min(TAG_SIZE - this.tagFilled, chunk.length - offset);
          chunk.copy(this.tag, this.tagFilled, offset, offset + take);
          this.tagFilled += take;
          offset += take;
          if (this.tagFilled === TAG_SIZE) this.closeSegment(decipher);
        }
      }
      callback();
    } catch (err) {
      this.dropHeld();
      callback(asIntegrityError(err));
    }
  }

  override _flush(callback: TransformCallback): void {
    if (!this.done) {
      this.dropHeld();
      callback(new IntegrityError(`file ends inside segment ${this.index}`));
      return;
    }
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.dropHeld();
    this.decipher = null;
    this.p.contentKey.fill(0);
    this.largeBody.ended();
    callback(error);
  }

  private openSegment(): DecipherGCM {
    const decipher = segmentDecipher(this.p, this.index);
    this.decipher = decipher;
    this.segmentPlain = segmentPlaintextSize(this.p.plaintextLength, this.p.segmentSize, this.index);
    this.fed = 0;
    this.tagFilled = 0;
    return decipher;
  }

  private closeSegment(decipher: DecipherGCM): void {
    const rest = verifySegment(decipher, this.tag, this.index);
    this.tag = Buffer.alloc(TAG_SIZE);
    this.decipher = null;
    if (rest.length > 0) this.held.push(rest);
    // Verified: release this segment's plaintext, trimmed to the plan.
    for (const buf of this.held) this.release(buf);
    this.held = [];
    this.verifiedSegments += 1;
    if (this.index === this.p.plan.lastSegment) {
      this.done = true;
      this.p.contentKey.fill(0);
    }
    this.index += 1;
    if (this.verifiedSegments === 1) this.emit(FIRST_SEGMENT_VERIFIED);
  }

  private release(buf: Buffer): void {
    if (this.toSkip >= buf.length) {
      this.toSkip -= buf.length;
      return;
    }
    let out = this.toSkip > 0 ? buf.subarray(this.toSkip) : buf;
    this.toSkip = 0;
    if (out.length > this.toEmit) out = out.subarray(0, this.toEmit);
    this.toEmit -= out.length;
    if (out.length > 0) this.push(out);
  }

  /** Unverified plaintext is wiped, not just dropped. */
  private dropHeld(): void {
    for (const buf of this.held) buf.fill(0);
    this.held = [];
  }
}

/**
 * What a SegmentDecryptor yields for `params.plan`, from the planned file bytes all in memory
 * (`fileBytes` is file bytes [plan.fileStart, plan.fileEnd)): every planned segment is
 * authenticated before any plaintext is returned, and a failure wipes what was decrypted.
 * The content key is zeroed either way. For a small object, whose bytes come with its record.
 */
export function openSegmentsInMemory(params: SegmentDecryptorParams, fileBytes: Buffer): Buffer {
  const { plan, plaintextLength, segmentSize } = params;
  const plain: Buffer[] = [];
  try {
    let offset = 0;
    for (let index = plan.firstSegment; index <= plan.lastSegment; index++) {
      const size = segmentPlaintextSize(plaintextLength, segmentSize, index);
      if (offset + size + TAG_SIZE > fileBytes.length) throw new IntegrityError(`file ends inside segment ${index}`);
      const decipher = segmentDecipher(params, index);
      plain.push(decipher.update(fileBytes.subarray(offset, offset + size)));
      const rest = verifySegment(decipher, fileBytes.subarray(offset + size, offset + size + TAG_SIZE), index);
      if (rest.length > 0) plain.push(rest);
      offset += size + TAG_SIZE;
    }
    if (offset !== fileBytes.length) throw new IntegrityError('bytes beyond the planned segments');
  } catch (err) {
    for (const buf of plain) buf.fill(0);
    throw asIntegrityError(err);
  } finally {
    params.contentKey.fill(0);
  }
  if (plain.length === 1) return plain[0]!.subarray(plan.skip, plan.skip + plan.length);
  const whole = Buffer.concat(plain);
  for (const buf of plain) buf.fill(0);
  return whole.subarray(plan.skip, plan.skip + plan.length);
}

/** Segment `index`'s AES-GCM decipher: its nonce (final flag on the stream's last segment) and the header AAD. */
function segmentDecipher(params: SegmentDecryptorParams, index: number): DecipherGCM {
  const nonce = segmentNonce(params.noncePrefix, index, index === params.plan.segmentCount - 1);
  const decipher = createDecipheriv('aes-256-gcm', params.contentKey, nonce, { authTagLength: TAG_SIZE });
  decipher.setAAD(params.aad);
  return decipher;
}

/** Checks segment `index`'s tag; what its decipher gave is plaintext to release only once this returns. */
function verifySegment(decipher: DecipherGCM, tag: Buffer, index: number): Buffer {
  decipher.setAuthTag(tag);
  try {
    return decipher.final();
  } catch (err) {
    throw new IntegrityError(`segment ${index} failed authentication`, { cause: err });
  }
}

function asIntegrityError(err: unknown): IntegrityError {
  return err instanceof IntegrityError ? err : new IntegrityError('segment decryption failed', { cause: err });
}
