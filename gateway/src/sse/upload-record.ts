/**
 * The gateway's records of a multipart upload in progress, stored opaque by storage: the
 * upload record (written once by CreateMultipartUpload: the encryption fixed for the whole
 * upload, and the object's attributes) and one part record per part attempt (what the
 * completion lists in the object's record). Both are canonical JSON with a MAC:
 *
 *   macKey = HKDF-SHA256(ikm = DEK, salt = empty, info = "gwse/v1/upload" ‖ SHA-256(canonical context), 32)
 *   upload: mac = hex HMAC-SHA256(macKey, "upload" ‖ canonical JSON of every other field)
 *   part:   mac = hex HMAC-SHA256(macKey, "part" ‖ u32be partNumber ‖ canonical JSON of every other field)
 *
 * The upload record must be read before the DEK exists (it holds the wrapped DEK), so it is
 * parsed first and its MAC checked once the KMS unwrapped the key. The part number is in the
 * part MAC (and in the part's GWSE header), so a part record cannot stand in for another.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ChecksumAlgorithm } from '../checksums/index.js';
import { canonicalJson, type CanonicalJsonValue } from './canonical-json.js';
import { canonicalEncryptionContext } from './context.js';
import { IntegrityError } from './errors.js';
import { KEY_SIZE } from './format/gwse.js';
import { contextMacKey } from './format/hkdf.js';
import type { ObjectMetadata } from './metadata.js';
import type { ObjectAttributes, ObjectChecksums } from './object-writer.js';

export type ChecksumType = 'COMPOSITE' | 'FULL_OBJECT';

export interface UploadRecord {
  readonly sse: ObjectMetadata['sse'];
  readonly kmsKeyArn: string | null;
  readonly wrappedDek: string;
  readonly encryptionContext: Readonly<Record<string, string>>;
  /** The checksum every part carries, chosen at creation (x-amz-checksum-algorithm); null: none. */
  readonly checksumAlgorithm: ChecksumAlgorithm | null;
  readonly checksumType: ChecksumType | null;
  readonly attributes: ObjectAttributes;
  /**
   * Who created the upload: ListParts and ListMultipartUploads name it as Initiator and its
   * account as Owner, whoever lists. Absent from records written before it was kept.
   */
  readonly initiator?: UploadInitiator;
}

export interface UploadInitiator {
  readonly arn: string;
  readonly name: string;
  readonly accountId: string;
}

export interface PartRecord {
  readonly plaintextSize: number;
  readonly headerSha256: string;
  /** Unquoted, 32 hex. */
  readonly etag: string;
  readonly checksums: ObjectChecksums;
  /**
   * The CRC64NVME of the part's plaintext, kept for an upload created without a checksum
   * algorithm so its completion can give the object S3's default full-object checksum. Not
   * one of the part's own checksums: the client never asked for it. Absent in records
   * written before it was kept; such an upload completes without a checksum.
   */
  readonly defaultCrc64nvme?: string;
}

const UPLOAD_INFO_LABEL = Buffer.from('gwse/v1/upload', 'latin1');

function macKey(dek: Buffer, context: Readonly<Record<string, string>>): Buffer {
  if (dek.length !== KEY_SIZE) throw new RangeError('DEK must be 32 bytes');
  return contextMacKey(dek, UPLOAD_INFO_LABEL, canonicalEncryptionContext(context));
}

function mac(dek: Buffer, context: Readonly<Record<string, string>>, prefix: Buffer, fields: object): Buffer {
  const key = macKey(dek, context);
  try {
    return createHmac('sha256', key).update(prefix).update(canonicalJson(fields as CanonicalJsonValue)).digest();
  } finally {
    key.fill(0);
  }
}

function checkMac(expected: Buffer, actual: unknown): void {
  const given = typeof actual === 'string' && /^[0-9a-f]{64}$/.test(actual) ? Buffer.from(actual, 'hex') : Buffer.alloc(0);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new IntegrityError('upload record MAC mismatch');
}

function parseJson(bytes: Buffer, what: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new IntegrityError(`${what}: not a JSON object`);
}

const UPLOAD_PREFIX = Buffer.from('upload', 'latin1');

function partPrefix(partNumber: number): Buffer {
  const out = Buffer.alloc(8);
  out.write('part', 0, 'latin1');
  out.writeUInt32BE(partNumber, 4);
  return out;
}

export function sealUploadRecord(record: UploadRecord, dek: Buffer): Buffer {
  const fields = { version: 1, ...record };
  return canonicalJson({ ...fields, mac: mac(dek, record.encryptionContext, UPLOAD_PREFIX, fields).toString('hex') } as unknown as CanonicalJsonValue);
}

function isInitiator(value: unknown): value is UploadInitiator {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.arn === 'string' && typeof v.name === 'string' && typeof v.accountId === 'string';
}

/** Parses an upload record; call verifyUploadRecord once the DEK is unwrapped. */
export function parseUploadRecord(bytes: Buffer): UploadRecord & { readonly mac: string } {
  const r = parseJson(bytes, 'upload record');
  const ok =
    r.version === 1 && (r.sse === 'aws:kms' || r.sse === 'AES256') && typeof r.wrappedDek === 'string' &&
    (typeof r.kmsKeyArn === 'string' || r.kmsKeyArn === null) && typeof r.encryptionContext === 'object' && r.encryptionContext !== null &&
    typeof r.attributes === 'object' && r.attributes !== null && typeof r.mac === 'string' && (r.initiator === undefined || isInitiator(r.initiator));
  if (!ok) throw new IntegrityError('upload record: bad fields');
  return r as unknown as UploadRecord & { mac: string };
}

export function verifyUploadRecord(record: UploadRecord & { readonly mac: string }, dek: Buffer): void {
  const { mac: given, ...rest } = record;
  checkMac(mac(dek, record.encryptionContext, UPLOAD_PREFIX, rest), given);
}

export function sealPartRecord(part: PartRecord, partNumber: number, upload: Pick<UploadRecord, 'encryptionContext'>, dek: Buffer): Buffer {
  const fields = { version: 1, ...part };
  return canonicalJson({ ...fields, mac: mac(dek, upload.encryptionContext, partPrefix(partNumber), fields).toString('hex') } as CanonicalJsonValue);
}

/** A part record, its MAC checked (the completion has the DEK). */
export function openPartRecord(bytes: Buffer, partNumber: number, upload: Pick<UploadRecord, 'encryptionContext'>, dek: Buffer): PartRecord {
  const r = parseJson(bytes, 'part record');
  const { mac: given, ...rest } = r;
  checkMac(mac(dek, upload.encryptionContext, partPrefix(partNumber), rest), given);
  return rest as unknown as PartRecord;
}

/** A part record's public fields without its MAC checked (ListParts: no KMS call, as HEAD). */
export function readPartRecord(bytes: Buffer): PartRecord {
  const r = parseJson(bytes, 'part record');
  if (typeof r.etag !== 'string' || typeof r.plaintextSize !== 'number' || typeof r.checksums !== 'object' || !(r.defaultCrc64nvme === undefined || typeof r.defaultCrc64nvme === 'string')) throw new IntegrityError('part record: bad fields');
  return r as unknown as PartRecord;
}
