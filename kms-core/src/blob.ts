/**
 * kms-core ciphertext blobs: what Encrypt and GenerateDataKey return and Decrypt takes.
 * Self-describing, so Decrypt needs no KeyId and rotated key material keeps decrypting.
 * New blobs are version 2; version 1 blobs (written by earlier releases) still open.
 *
 * Version 2 layout (all integers big-endian):
 *
 *   offset  size  field
 *   0       1     version           = 0x02
 *   1       16    keyUuid           raw bytes of the key's UUID, in textual order
 *   17      4     materialVersion   u32, which key material of that key wrapped this blob
 *   21      24    nonce             random per blob
 *   45      n     ciphertext        n = plaintext length (1..4096)
 *   45+n    16    tag
 *
 * Seal v2 (wrapKey, header, plaintext, ctx):
 *   1. prefix  = 0x02 ‖ keyUuid ‖ u32(materialVersion) ‖ nonce                      (45 bytes)
 *   2. wrapKey = HKDF-SHA256(ikm = material, salt = "", info = "kms-core/wrap/v2", L = 32),
 *                derived once per material (wrapKeyFor) and kept by the keystore's cache
 *   3. ct, tag = XAES-256-GCM(wrapKey, nonce, plaintext, aad = prefix ‖ canonicalEncryptionContext(ctx))
 *   4. blob    = prefix ‖ ct ‖ tag
 *
 * Version 1 layout: 0x01 ‖ keyUuid(16) ‖ u32(materialVersion) ‖ wrapSalt(16) ‖ nonce(12) ‖ ct ‖ tag(16)
 * (prefix 49 bytes); opened with AES-256-GCM under HKDF-SHA256(ikm = material, salt = wrapSalt,
 * info = "kms-core/wrap/v1", L = 32) and aad = prefix ‖ canonical context. An HKDF per call cost
 * more than the rest of a GenerateDataKey together; XAES-256-GCM keeps the property it bought
 * (a fresh GCM key per blob, so random nonces never pile up under one key) for two AES blocks.
 *
 * Parse (blob), strictly, every failure is InvalidCiphertextException with an empty message:
 *   1. prefix + 1 + 16 <= len(blob) <= 6144 (the KMS ciphertext limit), prefix by version
 *   2. blob[0] is 0x01 or 0x02
 *   3. the fields from their fixed offsets; ct = blob[prefix .. len-16]
 *
 * Open: as Seal, from the parsed prefix; a tag mismatch (wrong key, material, context or any
 * flipped bit) is InvalidCiphertextException.
 *
 * Pure: no I/O, no randomness; callers supply the nonce.
 */

import { hkdfSync } from 'node:crypto';
import { invalidCiphertext, needs } from './errors.js';
import { gcmOpen, gcmSeal } from './seal.js';
import { XAES_NONCE_BYTES, XaesKey } from './xaes.js';

export const BLOB_VERSION = 0x02;
export const BLOB_VERSION_1 = 0x01;
export const UUID_BYTES = 16;
export const NONCE_BYTES = XAES_NONCE_BYTES;
export const TAG_BYTES = 16;
export const PREFIX_BYTES = 1 + UUID_BYTES + 4 + NONCE_BYTES;
const V1_SALT_BYTES = 16;
const V1_NONCE_BYTES = 12;
export const V1_PREFIX_BYTES = 1 + UUID_BYTES + 4 + V1_SALT_BYTES + V1_NONCE_BYTES;
export const MAX_BLOB_BYTES = 6144;
const WRAP_INFO_V1 = Buffer.from('kms-core/wrap/v1', 'utf8');
const WRAP_INFO_V2 = Buffer.from('kms-core/wrap/v2', 'utf8');
const MATERIAL_BYTES = 32;

export interface BlobHeader {
  keyUuid: string; // lowercase textual UUID
  materialVersion: number;
  nonce: Buffer; // 24 bytes (version 2)
}

export interface ParsedBlob {
  version: typeof BLOB_VERSION | typeof BLOB_VERSION_1;
  keyUuid: string;
  materialVersion: number;
  /** Version 1 only. */
  wrapSalt?: Buffer;
  nonce: Buffer;
  prefix: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

/** What opens blobs of one material: the material (version 1) and its version 2 wrap key. */
export interface MaterialKeys {
  material: Buffer;
  wrap: XaesKey;
}

/** The version 2 wrap key of `material` (step 2 of Seal v2); the caller destroys it. */
export function wrapKeyFor(material: Buffer): XaesKey {
  if (material.length !== MATERIAL_BYTES) throw new RangeError('key material must be 32 bytes');
  const key = Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), WRAP_INFO_V2, 32));
  try {
    return new XaesKey(key);
  } finally {
    key.fill(0);
  }
}

/** The value of one lowercase hex digit, or -1. */
function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

// Every blob names its key, so the UUID is encoded and decoded on every call: by hand, into
// and out of the blob's own bytes, rather than through regex + replace + hex Buffers.
function writeUuid(target: Buffer, offset: number, uuid: string): void {
  let o = offset;
  let ok = uuid.length === 36;
  for (let i = 0; ok && i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      ok = uuid.charCodeAt(i) === 0x2d;
      continue;
    }
    const hi = hexDigit(uuid.charCodeAt(i));
    const lo = hexDigit(uuid.charCodeAt(++i));
    ok = hi >= 0 && lo >= 0;
    target[o++] = (hi << 4) | lo;
  }
  if (!ok) throw new RangeError(`not a lowercase UUID: ${uuid}`);
}

export function uuidToBytes(uuid: string): Buffer {
  const bytes = Buffer.allocUnsafe(UUID_BYTES);
  writeUuid(bytes, 0, uuid);
  return bytes;
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

// Decrypt reads the key's UUID out of every blob. Its text is kept by the 16 raw bytes (taken as
// a latin1 string: one flat allocation rather than twenty string joins), so the same UUID string
// object comes back each time, and the keystore's lookup by it reuses the hash V8 keeps on it.
const UUID_TEXTS_LIMIT = 4096;
const uuidTexts = new Map<string, string>();

function readUuid(source: Buffer, offset: number): string {
  const raw = source.toString('latin1', offset, offset + UUID_BYTES);
  let text = uuidTexts.get(raw);
  if (text === undefined) {
    text = uuidText(source, offset);
    if (uuidTexts.size >= UUID_TEXTS_LIMIT) uuidTexts.clear();
    uuidTexts.set(raw, text);
  }
  return text;
}

function uuidText(source: Buffer, offset: number): string {
  let out = '';
  for (let i = 0; i < UUID_BYTES; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
    out += HEX_PAIRS[source[offset + i]!]!;
  }
  return out;
}

export function bytesToUuid(bytes: Buffer): string {
  if (bytes.length !== UUID_BYTES) throw new RangeError('a UUID is 16 bytes');
  return readUuid(bytes, 0);
}

/** Writes the version 2 prefix of `header` at the start of `target`. */
function writePrefix(target: Buffer, header: BlobHeader): void {
  if (!Number.isInteger(header.materialVersion) || header.materialVersion < 0 || header.materialVersion > 0xffffffff) {
    throw new RangeError('materialVersion must be a u32');
  }
  if (header.nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 24 bytes');
  target[0] = BLOB_VERSION;
  writeUuid(target, 1, header.keyUuid);
  target.writeUInt32BE(header.materialVersion, 1 + UUID_BYTES);
  header.nonce.copy(target, 1 + UUID_BYTES + 4);
}

export interface SealBlobInput {
  wrap: XaesKey;
  header: BlobHeader;
  plaintext: Buffer;
  /** canonicalEncryptionContext(ctx), or its text (canonicalEncryptionContextText), which is written into the AAD without a Buffer of its own. */
  context: Buffer | string;
}

/** A buffer of `prefixBytes` bytes (left for the caller to fill) followed by the canonical context. */
function aadWithRoom(prefixBytes: number, context: Buffer | string): Buffer {
  if (typeof context !== 'string') {
    const aad = Buffer.allocUnsafe(prefixBytes + context.length);
    context.copy(aad, prefixBytes);
    return aad;
  }
  const aad = Buffer.allocUnsafe(prefixBytes + Buffer.byteLength(context, 'utf8'));
  aad.write(context, prefixBytes, 'utf8');
  return aad;
}

export function sealBlob({ wrap, header, plaintext, context }: SealBlobInput): Buffer {
  if (plaintext.length < 1 || PREFIX_BYTES + plaintext.length + TAG_BYTES > MAX_BLOB_BYTES) {
    throw new RangeError('plaintext length out of range for a blob');
  }
  // The AAD is built in place (prefix, then context) and the blob assembled in one allocation.
  const aad = aadWithRoom(PREFIX_BYTES, context);
  writePrefix(aad, header);
  const { ciphertext, tag } = wrap.seal(header.nonce, plaintext, aad);
  const blob = Buffer.allocUnsafe(PREFIX_BYTES + ciphertext.length + TAG_BYTES);
  aad.copy(blob, 0, 0, PREFIX_BYTES);
  ciphertext.copy(blob, PREFIX_BYTES);
  tag.copy(blob, PREFIX_BYTES + ciphertext.length);
  return blob;
}

export function parseBlob(blob: Buffer): ParsedBlob {
  needs(Buffer.isBuffer(blob), 'InvalidCiphertextException', '');
  needs(blob.length <= MAX_BLOB_BYTES, 'InvalidCiphertextException', '');
  const version = blob[0];
  needs(version === BLOB_VERSION || version === BLOB_VERSION_1, 'InvalidCiphertextException', '');
  const prefixBytes = version === BLOB_VERSION ? PREFIX_BYTES : V1_PREFIX_BYTES;
  needs(blob.length >= prefixBytes + 1 + TAG_BYTES, 'InvalidCiphertextException', '');
  let offset = 1;
  const keyUuid = readUuid(blob, offset);
  offset += UUID_BYTES;
  const materialVersion = blob.readUInt32BE(offset);
  offset += 4;
  const wrapSalt = version === BLOB_VERSION_1 ? blob.subarray(offset, (offset += V1_SALT_BYTES)) : undefined;
  const nonce = blob.subarray(offset, (offset += version === BLOB_VERSION ? NONCE_BYTES : V1_NONCE_BYTES));
  // Views into `blob`, not copies: a parsed blob lives only as long as the call that parsed it.
  return {
    version,
    keyUuid,
    materialVersion,
    ...(wrapSalt ? { wrapSalt } : {}),
    nonce,
    prefix: blob.subarray(0, prefixBytes),
    ciphertext: blob.subarray(prefixBytes, blob.length - TAG_BYTES),
    tag: blob.subarray(blob.length - TAG_BYTES),
  };
}

function versionOneWrapKey(material: Buffer, wrapSalt: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', material, wrapSalt, WRAP_INFO_V1, 32));
}

function openVersion1(parsed: ParsedBlob, material: Buffer, aad: Buffer): Buffer | null {
  if (material.length !== MATERIAL_BYTES || !parsed.wrapSalt) return null;
  const wrapKey = versionOneWrapKey(material, parsed.wrapSalt);
  try {
    return gcmOpen(wrapKey, parsed.nonce, parsed.ciphertext, parsed.tag, aad);
  } finally {
    wrapKey.fill(0);
  }
}

/** Returns a fresh plaintext Buffer the caller owns (and should zero when done). */
export function openBlob(parsed: ParsedBlob, keys: MaterialKeys, context: Buffer | string): Buffer {
  const aad = aadWithRoom(parsed.prefix.length, context);
  parsed.prefix.copy(aad);
  const plaintext =
    parsed.version === BLOB_VERSION_1 ? openVersion1(parsed, keys.material, aad) : keys.wrap.open(parsed.nonce, parsed.ciphertext, parsed.tag, aad);
  if (plaintext === null) throw invalidCiphertext();
  return plaintext;
}

/**
 * A version 1 blob, for tests that pin how earlier releases wrote (new blobs are version 2).
 * `wrapSalt` is 16 bytes and `nonce` 12.
 */
export function sealBlobVersion1(material: Buffer, header: { keyUuid: string; materialVersion: number; wrapSalt: Buffer; nonce: Buffer }, plaintext: Buffer, context: Buffer): Buffer {
  const prefix = Buffer.allocUnsafe(V1_PREFIX_BYTES);
  prefix[0] = BLOB_VERSION_1;
  uuidToBytes(header.keyUuid).copy(prefix, 1);
  prefix.writeUInt32BE(header.materialVersion, 1 + UUID_BYTES);
  header.wrapSalt.copy(prefix, 1 + UUID_BYTES + 4);
  header.nonce.copy(prefix, 1 + UUID_BYTES + 4 + V1_SALT_BYTES);
  const wrapKey = versionOneWrapKey(material, header.wrapSalt);
  try {
    const { ciphertext, tag } = gcmSeal(wrapKey, header.nonce, plaintext, Buffer.concat([prefix, context]));
    return Buffer.concat([prefix, ciphertext, tag]);
  } finally {
    wrapKey.fill(0);
  }
}
