/**
 * kms-core ciphertext blob, version 1: what Encrypt and GenerateDataKey return and Decrypt takes.
 * Self-describing, so Decrypt needs no KeyId and rotated key material keeps decrypting.
 *
 * Layout (all integers big-endian):
 *
 *   offset  size  field
 *   0       1     version           = 0x01
 *   1       16    keyUuid           raw bytes of the key's UUID, in textual order
 *   17      4     materialVersion   u32, which key material of that key wrapped this blob
 *   21      16    wrapSalt          random per blob
 *   37      12    nonce             random per blob
 *   49      n     ciphertext        AES-256-GCM, n = plaintext length (1..4096)
 *   49+n    16    tag               GCM tag
 *
 * Seal (material, header, plaintext, ctx):
 *   1. prefix  = version ‖ keyUuid ‖ u32(materialVersion) ‖ wrapSalt ‖ nonce        (49 bytes)
 *   2. wrapKey = HKDF-SHA256(ikm = material, salt = wrapSalt, info = "kms-core/wrap/v1", L = 32)
 *   3. aad     = prefix ‖ canonicalEncryptionContext(ctx)
 *   4. ct, tag = AES-256-GCM-Encrypt(wrapKey, nonce, plaintext, aad)
 *   5. blob    = prefix ‖ ct ‖ tag; zero wrapKey
 *
 * Parse (blob), strictly, every failure is InvalidCiphertextException with an empty message:
 *   1. 49 + 1 + 16 <= len(blob) <= 6144 (the KMS ciphertext limit)
 *   2. blob[0] == 0x01
 *   3. keyUuid, materialVersion, wrapSalt, nonce from the fixed offsets; ct = blob[49 .. len-16]
 *
 * Open (parsed, material, ctx):
 *   1. wrapKey and aad as in Seal steps 2-3, from the parsed prefix
 *   2. plaintext = AES-256-GCM-Decrypt(...); a tag mismatch (wrong key, material, context or
 *      any flipped bit) is InvalidCiphertextException; zero wrapKey
 *
 * The fresh key per blob (random wrapSalt) means random 96-bit GCM nonces never accumulate
 * under one key, however many blobs a long-lived key produces.
 *
 * Pure: no I/O, no randomness; callers supply salt and nonce.
 */

import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto';
import { invalidCiphertext, needs } from './errors.js';

export const BLOB_VERSION = 0x01;
export const UUID_BYTES = 16;
export const WRAP_SALT_BYTES = 16;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;
export const PREFIX_BYTES = 1 + UUID_BYTES + 4 + WRAP_SALT_BYTES + NONCE_BYTES;
export const MAX_BLOB_BYTES = 6144;
const WRAP_INFO = Buffer.from('kms-core/wrap/v1', 'utf8');
const MATERIAL_BYTES = 32;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface BlobHeader {
  keyUuid: string; // lowercase textual UUID
  materialVersion: number;
  wrapSalt: Buffer;
  nonce: Buffer;
}

export interface ParsedBlob {
  header: BlobHeader;
  prefix: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
}

export function uuidToBytes(uuid: string): Buffer {
  if (!UUID_PATTERN.test(uuid)) throw new RangeError(`not a lowercase UUID: ${uuid}`);
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

export function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function encodePrefix(header: BlobHeader): Buffer {
  if (!Number.isInteger(header.materialVersion) || header.materialVersion < 0 || header.materialVersion > 0xffffffff) {
    throw new RangeError('materialVersion must be a u32');
  }
  if (header.wrapSalt.length !== WRAP_SALT_BYTES) throw new RangeError('wrapSalt must be 16 bytes');
  if (header.nonce.length !== NONCE_BYTES) throw new RangeError('nonce must be 12 bytes');
  const version = Buffer.of(BLOB_VERSION);
  const materialVersion = Buffer.alloc(4);
  materialVersion.writeUInt32BE(header.materialVersion);
  return Buffer.concat([version, uuidToBytes(header.keyUuid), materialVersion, header.wrapSalt, header.nonce]);
}

function deriveWrapKey(material: Buffer, wrapSalt: Buffer): Buffer {
  if (material.length !== MATERIAL_BYTES) throw new RangeError('key material must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', material, wrapSalt, WRAP_INFO, 32));
}

export interface SealBlobInput {
  material: Buffer;
  header: BlobHeader;
  plaintext: Buffer;
  context: Buffer; // canonicalEncryptionContext(ctx)
}

export function sealBlob({ material, header, plaintext, context }: SealBlobInput): Buffer {
  if (plaintext.length < 1 || PREFIX_BYTES + plaintext.length + TAG_BYTES > MAX_BLOB_BYTES) {
    throw new RangeError('plaintext length out of range for a blob');
  }
  const prefix = encodePrefix(header);
  const wrapKey = deriveWrapKey(material, header.wrapSalt);
  try {
    const cipher = createCipheriv('aes-256-gcm', wrapKey, header.nonce, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.concat([prefix, context]));
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([prefix, ciphertext, cipher.getAuthTag()]);
  } finally {
    wrapKey.fill(0);
  }
}

export function parseBlob(blob: Buffer): ParsedBlob {
  needs(Buffer.isBuffer(blob), 'InvalidCiphertextException', '');
  needs(blob.length >= PREFIX_BYTES + 1 + TAG_BYTES, 'InvalidCiphertextException', '');
  needs(blob.length <= MAX_BLOB_BYTES, 'InvalidCiphertextException', '');
  needs(blob[0] === BLOB_VERSION, 'InvalidCiphertextException', '');
  let offset = 1;
  const keyUuid = bytesToUuid(blob.subarray(offset, (offset += UUID_BYTES)));
  const materialVersion = blob.readUInt32BE(offset);
  offset += 4;
  const wrapSalt = Buffer.from(blob.subarray(offset, (offset += WRAP_SALT_BYTES)));
  const nonce = Buffer.from(blob.subarray(offset, (offset += NONCE_BYTES)));
  return {
    header: { keyUuid, materialVersion, wrapSalt, nonce },
    prefix: Buffer.from(blob.subarray(0, PREFIX_BYTES)),
    ciphertext: Buffer.from(blob.subarray(PREFIX_BYTES, blob.length - TAG_BYTES)),
    tag: Buffer.from(blob.subarray(blob.length - TAG_BYTES)),
  };
}

/** Returns a fresh plaintext Buffer the caller owns (and should zero when done). */
export function openBlob(parsed: ParsedBlob, material: Buffer, context: Buffer): Buffer {
  const wrapKey = deriveWrapKey(material, parsed.header.wrapSalt);
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrapKey, parsed.header.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.concat([parsed.prefix, context]));
    decipher.setAuthTag(parsed.tag);
    const plaintext = decipher.update(parsed.ciphertext);
    try {
      decipher.final();
    } catch {
      plaintext.fill(0);
      throw invalidCiphertext();
    }
    return plaintext;
  } finally {
    wrapKey.fill(0);
  }
}
