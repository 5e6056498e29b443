/**
 * Decoder for aws-chunked request bodies (x-amz-content-sha256 STREAMING-*), verifying as it goes.
 *
 * Wire format (A4.4):
 *   signed:    <hex size>;chunk-signature=<64 hex>\r\n <size bytes> \r\n   ... repeated ...
 *              0;chunk-signature=<64 hex>\r\n  then  \r\n  (no trailer)  or  trailer lines + \r\n
 *   unsigned:  <hex size>\r\n <size bytes> \r\n ... 0\r\n  trailer lines + \r\n
 *   trailer:   x-amz-checksum-<alg>:<base64>\r\n [x-amz-trailer-signature:<64 hex>\r\n] \r\n
 *
 * Chunk string to sign (previous = seed signature from the Authorization header, then each chunk's):
 *   AWS4-HMAC-SHA256-PAYLOAD \n <amz date> \n <scope> \n <previous> \n hex(SHA256("")) \n hex(SHA256(chunk bytes))
 * Trailer string to sign (previous = the final 0-size chunk's signature):
 *   AWS4-HMAC-SHA256-TRAILER \n <amz date> \n <scope> \n <previous> \n hex(SHA256("name:value\n" ...))
 *
 * Guarantees: in signed mode a chunk's bytes leave only after its signature verified (one chunk
 * is buffered, so chunk sizes are capped); the trailer checksum, when present, is checked against
 * the decoded payload; the decoded length must equal x-amz-decoded-content-length when sent.
 * Framing errors are IncompleteBody, as S3 answers them.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from '../http/errors.js';
import {
  algorithmFromHeaderName,
  checksumHeaderName,
  createChecksum,
  isValidChecksumValue,
  type ChecksumAlgorithm,
  type ChecksumHasher,
} from '../checksums/algorithms.js';
import { checksumMismatch } from '../checksums/request-checksum.js';
import { headerValue, type RequestHeaders } from '../http/headers.js';
import { EMPTY_SHA256, hmac, sha256Hex, signaturesEqual } from './signing-key.js';
import { spacedHex } from './canonical.js';
import type { StreamingSigningState, VerifiedAuth } from './types.js';

const MAX_LINE_BYTES = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;
/** Signed chunks are held in memory until verified; SDKs send 64 KiB, nobody needs more than this. */
const MAX_SIGNED_CHUNK_BYTES = 16 * 1024 * 1024;
const SIGNED_CHUNK_HEADER = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-fA-F]{64})$/;
const UNSIGNED_CHUNK_HEADER = /^([0-9a-fA-F]{1,16})(;.*)?$/;
const TRAILER_SIGNATURE = 'x-amz-trailer-signature';

export interface TrailerChecksum {
  algorithm: ChecksumAlgorithm;
  base64: string;
}

function incomplete(): S3Error {
  return new S3Error('IncompleteBody', 'The request body terminated unexpectedly');
}

function malformedTrailer(): S3Error {
  return new S3Error('MalformedTrailerError');
}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

class AwsChunkedDecoder extends Transform {
  private state: State = 'size';
  private carry: Buffer = Buffer.alloc(0);
  private remaining = 0;
  private finalChunk = false;
  private chunkParts: Buffer[] = [];
  private chunkHash: Hash | undefined;
  private chunkSignature = '';
  private previousSignature: string;
  private decoded = 0;
  private readonly trailerLines: string[] = [];
  private trailerBytes = 0;
  private verified: TrailerChecksum | undefined;
  private readonly checksum: ChecksumHasher | undefined;

  constructor(
    private readonly accessKeyId: string,
    private readonly signing: StreamingSigningState | undefined,
    private readonly expectTrailer: boolean,
    private readonly trailerAlgorithm: ChecksumAlgorithm | undefined,
    private readonly declaredLength: number | undefined,
  ) {
    super();
    this.previousSignature = signing?.seedSignature ?? '';
    this.checksum = trailerAlgorithm && createChecksum(trailerAlgorithm);
  }

  /** The verified trailer checksum, once the body has been fully decoded. */
  get trailerChecksum(): TrailerChecksum | undefined {
    return this.verified;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    this.wipeKey();
    callback(this.state === 'done' ? null : incomplete());
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.wipeKey();
    callback(err);
  }

  private wipeKey(): void {
    this.signing?.signingKey.fill(0);
  }

  private consume(input: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, input]) : input;
    this.carry = Buffer.alloc(0);
    let pos = 0;
    while (pos < buf.length) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, buf.length - pos);
        this.acceptData(buf.subarray(pos, pos + take));
        pos += take;
        this.remaining -= take;
        if (this.remaining === 0) this.state = 'data-end';
      } else if (this.state === 'data-end') {
        if (buf.length - pos < 2) break;
        if (buf[pos] !== 0x0d || buf[pos + 1] !== 0x0a) throw incomplete();
        pos += 2;
        this.endChunk();
      } else if (this.state === 'size' || this.state === 'trailer') {
        const eol = buf.indexOf('\r\n', pos, 'latin1');
        if (eol === -1) {
          if (buf.length - pos > MAX_LINE_BYTES) throw this.state === 'size' ? incomplete() : malformedTrailer();
          break;
        }
        const line = buf.toString('latin1', pos, eol);
        pos = eol + 2;
        if (this.state === 'size') this.startChunk(line);
        else this.trailerLine(line);
      } else {
        throw incomplete(); // bytes after the end of the encoded body
      }
    }
    // Only line-oriented states leave bytes behind, and at most one line's worth.
    if (pos < buf.length) this.carry = Buffer.from(buf.subarray(pos));
  }

  private startChunk(line: string): void {
    const match = (this.signing ? SIGNED_CHUNK_HEADER : UNSIGNED_CHUNK_HEADER).exec(line);
    if (!match) throw incomplete();
    const size = parseInt(match[1], 16);
    if (this.signing && size > MAX_SIGNED_CHUNK_BYTES) throw incomplete();
    if (this.declaredLength !== undefined && this.decoded + size > this.declaredLength) throw incomplete();
    this.chunkSignature = this.signing ? match[2] : '';
    this.chunkHash = this.signing ? createHash('sha256') : undefined;
    if (size > 0) {
      this.remaining = size;
      this.state = 'data';
      return;
    }
    // The 0-size chunk ends the payload: its signature covers an empty chunk.
    this.finalChunk = true;
    if (this.declaredLength !== undefined && this.decoded !== this.declaredLength) throw incomplete();
    this.verifyChunk(EMPTY_SHA256);
    this.state = this.expectTrailer ? 'trailer' : 'data-end';
  }

  private acceptData(piece: Buffer): void {
    this.decoded += piece.length;
    this.checksum?.update(piece);
    if (this.chunkHash) {
      this.chunkHash.update(piece);
      this.chunkParts.push(piece);
    } else {
      this.push(piece);
    }
  }

  private endChunk(): void {
    if (this.finalChunk) {
      this.state = 'done';
      return;
    }
    if (this.chunkHash) {
      this.verifyChunk(this.chunkHash.digest('hex'));
      for (const part of this.chunkParts) this.push(part);
      this.chunkParts = [];
    }
    this.state = 'size';
  }

  private verifyChunk(chunkSha256: string): void {
    if (!this.signing) return;
    this.verifyLink('AWS4-HMAC-SHA256-PAYLOAD', `${EMPTY_SHA256}\n${chunkSha256}`, this.chunkSignature);
  }

  /** One link of the signature chain: each signature covers the previous one. */
  private verifyLink(kind: string, tail: string, provided: string): void {
    const signing = this.signing!;
    const stringToSign = `${kind}\n${signing.amzDate}\n${signing.scope}\n${this.previousSignature}\n${tail}`;
    const expected = hmac(signing.signingKey, stringToSign).toString('hex');
    if (!signaturesEqual(provided.toLowerCase(), expected)) {
      throw new S3Error('SignatureDoesNotMatch', undefined, {
        AWSAccessKeyId: this.accessKeyId,
        StringToSign: stringToSign,
        SignatureProvided: provided,
        StringToSignBytes: spacedHex(stringToSign),
      });
    }
    this.previousSignature = expected;
  }

  private trailerLine(line: string): void {
    if (line !== '') {
      this.trailerBytes += line.length + 2;
      if (this.trailerBytes > MAX_TRAILER_BYTES) throw malformedTrailer();
      this.trailerLines.push(line);
      return;
    }
    this.finishTrailer();
    this.state = 'done';
  }

  private finishTrailer(): void {
    let signature: string | undefined;
    const fields: Array<[string, string]> = [];
    for (const line of this.trailerLines) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw malformedTrailer();
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === TRAILER_SIGNATURE) {
        if (signature !== undefined) throw malformedTrailer();
        signature = value;
      } else {
        fields.push([name, value]);
      }
    }
    if (this.signing) {
      if (signature === undefined || !/^[0-9a-fA-F]{64}$/.test(signature)) throw malformedTrailer();
      const canonical = fields.map(([n, v]) => `${n}:${v}\n`).join('');
      this.verifyLink('AWS4-HMAC-SHA256-TRAILER', sha256Hex(canonical), signature);
    }
    const alg = this.trailerAlgorithm;
    const expectedName = alg && checksumHeaderName(alg);
    if (fields.length > 1 || (fields.length === 1 && fields[0][0] !== expectedName)) throw malformedTrailer();
    if (alg === undefined) return; // no x-amz-trailer: nothing was promised, nothing to check
    if (fields.length === 0) throw malformedTrailer();
    const value = fields[0][1];
    if (!isValidChecksumValue(alg, value)) {
      throw new S3Error('InvalidRequest', `Value for ${expectedName} trailing header is invalid.`);
    }
    const computed = this.checksum!.digestBase64();
    if (computed !== value) throw checksumMismatch(alg);
    this.verified = { algorithm: alg, base64: computed };
  }
}

export type AwsChunkedDecoderStream = Transform & { readonly trailerChecksum?: TrailerChecksum };

/**
 * Decodes an aws-chunked body to the payload bytes. `auth.payload` must be a streaming mode;
 * the signed modes also need `auth.streaming` (set by verifyRequest). Throws S3Error at once when
 * x-amz-trailer names something that is not a supported checksum.
 */
export function createAwsChunkedDecoder(auth: VerifiedAuth, headers: RequestHeaders): AwsChunkedDecoderStream {
  const payload = auth.payload;
  if (payload.kind !== 'streaming-signed' && payload.kind !== 'streaming-unsigned-trailer') {
    throw new Error(`aws-chunked decoding needs a streaming payload, not ${payload.kind}`);
  }
  const signed = payload.kind === 'streaming-signed';
  if (signed && (!auth.streaming || auth.streaming.signingKey.every((b) => b === 0))) {
    throw new Error('signed aws-chunked decoding needs an unused streaming signing state');
  }
  const expectTrailer = signed ? payload.trailer : true;

  let trailerAlgorithm: ChecksumAlgorithm | undefined;
  const trailerHeader = headerValue(headers, 'x-amz-trailer')?.trim();
  if (expectTrailer && trailerHeader) {
    trailerAlgorithm = algorithmFromHeaderName(trailerHeader);
    if (!trailerAlgorithm) throw new S3Error('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
  }
  const lengthText = headerValue(headers, 'x-amz-decoded-content-length')?.trim();
  const declaredLength = lengthText !== undefined && /^\d{1,16}$/.test(lengthText) ? Number(lengthText) : undefined;

  return new AwsChunkedDecoder(
    auth.accessKeyId,
    signed ? auth.streaming : undefined,
    expectTrailer,
    trailerAlgorithm,
    declaredLength,
  );
}
