/**
 * GWSE v1 — the encrypted object format. Pure: no I/O, no streams.
 *
 * One *stream* is one single-part object or one multipart part, stored as one file:
 *
 *   file = header(96) ‖ segment_0 ‖ … ‖ segment_{N−1}
 *
 * 1. Header, 96 bytes, big-endian, every byte covered by each segment's AAD:
 *      0  magic "GWSE"            4
 *      4  formatVersion = 1       1
 *      5  algId = 1               1   AES-256-GCM, HKDF-SHA256, 16-byte tag, key-committed
 *      6  segmentSizeLog2         1   12 … 20, default 16 (S = 64 KiB)
 *      7  flags                   1   bit 0 = multipart part; bit 1 = length in the record (step 6);
 *                                     other bits must be 0
 *      8  plaintextLength P       8   u64; 0 when flag bit 1 is set
 *     16  partNumber              4   u32; 0 for a single part, 1 … 10000 for a part (iff flag bit 0)
 *     20  salt                   32   random per stream
 *     52  noncePrefix             7   random per stream
 *     59  reserved                5   zero
 *     64  commitment             32   step 3
 *    Decoding is strict: any other value in any field is an integrity failure.
 * 2. Segments: N = max(1, ceil(P / S)); all but the last carry S plaintext bytes, the last
 *    carries P − (N−1)·S (0 only when P = 0: an empty object is one empty final segment).
 *    File size = 96 + P + 16·N; segment i starts at 96 + i·(S + 16).
 * 3. Keys, per stream, for label ∈ {"content", "commit"}:
 *      info(label) = "gwse/v1/" ‖ label ‖ u8 algId ‖ u32be partNumber ‖ SHA-256(canonical object context)
 *      key(label)  = HKDF-SHA256(ikm = DEK, salt = header.salt, info(label), 32)
 *    contentKey = key("content"); the header's commitment = key("commit"), compared in
 *    constant time on open so a wrong DEK or context fails before any plaintext exists.
 * 4. segment_i = AES-256-GCM(contentKey, nonce_i, plaintext_i, aad = SHA-256(header)) ‖ tag(16)
 *      nonce_i = noncePrefix(7) ‖ u32be i ‖ (i = N−1 ? 0x01 : 0x00)
 *    Index and final flag live in the nonce, so reordering, truncation at a segment
 *    boundary and appending all fail the tag.
 * 5. ETag of an SSE-KMS stream = hex(first 16 bytes of SHA-256("gwse/v1/etag" ‖ header)):
 *    unique per write (the header holds the random salt) and free to compute.
 * 6. Bodies of unknown length (a `Transfer-Encoding: chunked` PUT, a form's file field, a
 *    copy stream). The header is every segment's AAD, so it exists before the first segment
 *    and cannot hold a length learnt at the end. Such a stream sets flag bit 1 and writes
 *    P = 0; P is then carried by the object's metadata record, which is MACed under a key
 *    derived from the DEK and names this header by its SHA-256. Everything else is as above:
 *      a. the writer holds one segment of plaintext until the next byte (seal it with
 *         final = 0) or the end (seal it with final = 1) arrives, so N = max(1, ceil(P / S)),
 *         segment sizes, offsets and nonces are exactly those of a declared length P
 *         (the tags differ, as the header and so the AAD does);
 *      b. the reader refuses such a header unless it is given the record's P, then takes N,
 *         the segment sizes and the file-size check 96 + P + 16·N from that P, before any
 *         decryption; the final flag in the last nonce still ends the stream, so truncation
 *         at a segment boundary, dropping the final segment and appending all fail exactly
 *         as with a header length, and reordering or swaps fail by index and key as before.
 *    What moves is only where P is authenticated: by the record's MAC instead of each
 *    segment's AAD, so a reader checks that MAC before it opens the file (GetObject does).
 *    Rejected: splitting the body into fixed-size internal parts laid out like multipart.
 *    It needs a parts list and the part read path for every such object, and its last part
 *    has the same unknown length anyway, so it would still need this flag or a buffer.
 */
import { createHash } from 'node:crypto';
import { IntegrityError } from '../errors.js';
import { hkdfSha256Keys } from './hkdf.js';

export const GWSE_MAGIC = 'GWSE';
export const GWSE_VERSION = 1;
export const GWSE_ALG_AES256GCM_HKDFSHA256_COMMITTED = 1;
export const GWSE_ALGORITHM_NAME = 'GWSE1-AES256GCM-HKDFSHA256-C';
export const HEADER_SIZE = 96;
export const TAG_SIZE = 16;
export const SALT_SIZE = 32;
export const NONCE_PREFIX_SIZE = 7;
export const COMMITMENT_SIZE = 32;
export const KEY_SIZE = 32;
export const MIN_SEGMENT_SIZE_LOG2 = 12;
export const MAX_SEGMENT_SIZE_LOG2 = 20;
export const DEFAULT_SEGMENT_SIZE_LOG2 = 16;
export const MAX_PART_NUMBER = 10000;
export const FLAG_MULTIPART_PART = 0x01;
/** Step 6: the header's length field is 0 and the metadata record holds the length. */
export const FLAG_LENGTH_IN_RECORD = 0x02;
const KNOWN_FLAGS = FLAG_MULTIPART_PART | FLAG_LENGTH_IN_RECORD;
/** The segment index is a u32 in the nonce. */
export const MAX_SEGMENTS = 2 ** 32;

export interface GwseHeader {
  readonly segmentSizeLog2: number;
  /** null: the stream was written without a declared length, which the metadata record holds (step 6). */
  readonly plaintextLength: number | null;
  /** 0 for a single-part object; the multipart flag is set exactly when this is ≥ 1. */
  readonly partNumber: number;
  readonly salt: Buffer;
  readonly noncePrefix: Buffer;
  readonly commitment: Buffer;
}

export function segmentSizeOf(segmentSizeLog2: number): number {
  return 2 ** segmentSizeLog2;
}

export function segmentCount(plaintextLength: number, segmentSize: number): number {
  return Math.max(1, Math.ceil(plaintextLength / segmentSize));
}

export function encryptedSize(plaintextLength: number, segmentSize: number): number {
  return HEADER_SIZE + plaintextLength + TAG_SIZE * segmentCount(plaintextLength, segmentSize);
}

/** Plaintext bytes carried by segment `index` of a stream of `plaintextLength` bytes. */
export function segmentPlaintextSize(plaintextLength: number, segmentSize: number, index: number): number {
  const n = segmentCount(plaintextLength, segmentSize);
  return index < n - 1 ? segmentSize : plaintextLength - (n - 1) * segmentSize;
}

/** File offset of segment `index`. */
export function segmentFileOffset(segmentSize: number, index: number): number {
  return HEADER_SIZE + index * (segmentSize + TAG_SIZE);
}

function isValidSegmentSizeLog2(v: number): boolean {
  return Number.isInteger(v) && v >= MIN_SEGMENT_SIZE_LOG2 && v <= MAX_SEGMENT_SIZE_LOG2;
}

function isValidPartNumber(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= MAX_PART_NUMBER;
}

export function fitsSegmentLimit(plaintextLength: number, segmentSize: number): boolean {
  return segmentCount(plaintextLength, segmentSize) <= MAX_SEGMENTS;
}

/** Encodes a header. Invalid fields are a programming error here, hence RangeError. */
export function encodeHeader(h: GwseHeader): Buffer {
  if (!isValidSegmentSizeLog2(h.segmentSizeLog2)) throw new RangeError('segmentSizeLog2 out of range');
  const length = h.plaintextLength;
  if (length !== null) {
    if (!Number.isSafeInteger(length) || length < 0) throw new RangeError('bad plaintextLength');
    if (!fitsSegmentLimit(length, segmentSizeOf(h.segmentSizeLog2))) throw new RangeError('too many segments');
  }
  if (!isValidPartNumber(h.partNumber)) throw new RangeError('bad partNumber');
  if (h.salt.length !== SALT_SIZE) throw new RangeError('salt must be 32 bytes');
  if (h.noncePrefix.length !== NONCE_PREFIX_SIZE) throw new RangeError('nonce prefix must be 7 bytes');
  if (h.commitment.length !== COMMITMENT_SIZE) throw new RangeError('commitment must be 32 bytes');
  const out = Buffer.alloc(HEADER_SIZE);
  out.write(GWSE_MAGIC, 0, 'latin1');
  out[4] = GWSE_VERSION;
  out[5] = GWSE_ALG_AES256GCM_HKDFSHA256_COMMITTED;
  out[6] = h.segmentSizeLog2;
  out[7] = (h.partNumber > 0 ? FLAG_MULTIPART_PART : 0) | (length === null ? FLAG_LENGTH_IN_RECORD : 0);
  out.writeBigUInt64BE(BigInt(length ?? 0), 8);
  out.writeUInt32BE(h.partNumber, 16);
  h.salt.copy(out, 20);
  h.noncePrefix.copy(out, 52);
  // bytes 59..63 stay zero (reserved)
  h.commitment.copy(out, 64);
  return out;
}

/** Strictly decodes a header; anything off is an IntegrityError. Returned buffers are copies. */
export function decodeHeader(buf: Buffer): GwseHeader {
  if (buf.length !== HEADER_SIZE) throw new IntegrityError(`header is ${buf.length} bytes, expected ${HEADER_SIZE}`);
  if (buf.toString('latin1', 0, 4) !== GWSE_MAGIC) throw new IntegrityError('bad magic');
  if (buf[4] !== GWSE_VERSION) throw new IntegrityError(`unsupported format version ${buf[4]}`);
  if (buf[5] !== GWSE_ALG_AES256GCM_HKDFSHA256_COMMITTED) throw new IntegrityError(`unsupported algorithm id ${buf[5]}`);
  const segmentSizeLog2 = buf[6];
  if (!isValidSegmentSizeLog2(segmentSizeLog2)) throw new IntegrityError(`bad segment size log2 ${segmentSizeLog2}`);
  const flags = buf[7];
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new IntegrityError('unknown header flags');
  const bigLength = buf.readBigUInt64BE(8);
  let plaintextLength: number | null;
  if ((flags & FLAG_LENGTH_IN_RECORD) !== 0) {
    if (bigLength !== 0n) throw new IntegrityError('length-in-record header carries a length');
    plaintextLength = null;
  } else {
    if (bigLength > BigInt(Number.MAX_SAFE_INTEGER)) throw new IntegrityError('plaintext length too large');
    plaintextLength = Number(bigLength);
    if (!fitsSegmentLimit(plaintextLength, segmentSizeOf(segmentSizeLog2))) throw new IntegrityError('too many segments');
  }
  const partNumber = buf.readUInt32BE(16);
  if (!isValidPartNumber(partNumber)) throw new IntegrityError('bad part number');
  if (((flags & FLAG_MULTIPART_PART) !== 0) !== partNumber > 0) throw new IntegrityError('multipart flag disagrees with part number');
  if (buf.readUInt32BE(59) !== 0 || buf[63] !== 0) throw new IntegrityError('reserved header bytes are not zero');
  return {
    segmentSizeLog2,
    plaintextLength,
    partNumber,
    salt: Buffer.from(buf.subarray(20, 52)),
    noncePrefix: Buffer.from(buf.subarray(52, 59)),
    commitment: Buffer.from(buf.subarray(64, 96)),
  };
}

/** nonce_i = prefix(7) ‖ u32be i ‖ final byte. */
export function segmentNonce(noncePrefix: Buffer, index: number, isFinal: boolean): Buffer {
  const nonce = Buffer.allocUnsafe(12);
  noncePrefix.copy(nonce, 0, 0, NONCE_PREFIX_SIZE);
  nonce.writeUInt32BE(index, 7);
  nonce[11] = isFinal ? 1 : 0;
  return nonce;
}

export function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

/** The AAD of every segment: SHA-256 of the full 96-byte header. */
export function headerAad(header: Buffer): Buffer {
  return sha256(header);
}

export type StreamKeyLabel = 'content' | 'commit';

function streamKeyInfo(label: StreamKeyLabel, partNumber: number, contextHash: Buffer): Buffer {
  const tail = Buffer.allocUnsafe(5);
  tail[0] = GWSE_ALG_AES256GCM_HKDFSHA256_COMMITTED;
  tail.writeUInt32BE(partNumber, 1);
  return Buffer.concat([Buffer.from(`gwse/v1/${label}`, 'latin1'), tail, contextHash]);
}

export interface StreamKeyInput {
  readonly dek: Buffer;
  readonly salt: Buffer;
  readonly partNumber: number;
  /** Canonical object encryption context bytes (UTF-8 JSON). */
  readonly objectContext: Buffer;
}

/**
 * Both per-stream keys, with one HKDF extract and one hash of the context between them (a
 * stream always needs both). The caller owns the results and must zero them.
 */
export function deriveStreamKeys(input: StreamKeyInput): { commit: Buffer; content: Buffer } {
  if (input.dek.length !== KEY_SIZE) throw new RangeError('DEK must be 32 bytes');
  const contextHash = sha256(input.objectContext);
  const [commit, content] = hkdfSha256Keys(input.dek, input.salt, [
    streamKeyInfo('commit', input.partNumber, contextHash),
    streamKeyInfo('content', input.partNumber, contextHash),
  ]);
  return { commit: commit!, content: content! };
}

/** Opaque 32-hex ETag of an SSE-KMS stream, derived from its header. */
export function etagFromHeader(header: Buffer): string {
  return sha256(Buffer.from('gwse/v1/etag', 'latin1'), header).subarray(0, 16).toString('hex');
}
