/**
 * The object metadata record, version 1: stored beside each object by storage, written
 * and read only by the gateway.
 *
 * 1. The stored bytes are the canonical JSON (keys by code point, no whitespace) of the
 *    record, `metaMac` included.
 * 2. metaKey = HKDF-SHA256(ikm = DEK, salt = empty, info = "gwse/v1/meta" ‖ SHA-256(canonical encryptionContext), 32)
 *    metaMac = hex HMAC-SHA256(metaKey, canonical JSON of every field except metaMac)
 * 3. Parsing is strict: unknown metaVersion, a missing or extra field, a wrong type, length
 *    or format, or sizes that disagree with the format are an IntegrityError.
 *
 * Sizes, ETag, SSE fields, content type and user metadata are in clear so HEAD and
 * listings never call the KMS; the MAC is checked once the DEK has been unwrapped (GET),
 * so an edited size or ETag cannot survive a read.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { CanonicalJsonValue } from './canonical-json.js';
import { canonicalEncryptionContext } from './context.js';
import { IntegrityError } from './errors.js';
import {
  GWSE_ALGORITHM_NAME, KEY_SIZE, MAX_SEGMENT_SIZE_LOG2, MIN_SEGMENT_SIZE_LOG2, encryptedSize, sha256,
} from './format/gwse.js';

export const METADATA_VERSION = 1;
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

export interface ObjectMetadataV1 {
  readonly metaVersion: 1;
  readonly sse: 'aws:kms' | 'AES256';
  /** Full key ARN for aws:kms; null for AES256. */
  readonly kmsKeyArn: string | null;
  /** Base64 kms-core ciphertext blob. */
  readonly wrappedDek: string;
  /** The full context, `aws:s3:arn` included. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  readonly bucketKeyEnabled: false;
  readonly algorithm: typeof GWSE_ALGORITHM_NAME;
  readonly segmentSize: number;
  readonly plaintextSize: number;
  readonly ciphertextSize: number;
  readonly headerSha256: string;
  /** 32 lower-case hex, unquoted. */
  readonly etag: string;
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  readonly contentType: string;
  /** Lower-case names without the x-amz-meta- prefix. */
  readonly userMetadata: Readonly<Record<string, string>>;
  /** ISO 8601, UTC, e.g. 2024-05-01T12:00:00.000Z. */
  readonly lastModified: string;
  readonly metaMac: string;
}

export type UnsealedObjectMetadata = Omit<ObjectMetadataV1, 'metaMac'>;

const FIELDS = [
  'metaVersion', 'sse', 'kmsKeyArn', 'wrappedDek', 'encryptionContext', 'bucketKeyEnabled', 'algorithm', 'segmentSize',
  'plaintextSize', 'ciphertextSize', 'headerSha256', 'etag', 'checksums', 'contentType', 'userMetadata', 'lastModified', 'metaMac',
] as const satisfies readonly (keyof ObjectMetadataV1)[];

const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]*:[0-9]*:key\/[0-9A-Za-z-]+$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

function needs(cond: unknown, what: string): asserts cond {
  if (!cond) throw new IntegrityError(`metadata: ${what}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isPlainObject(v) && Object.values(v).every((x) => typeof x === 'string');
}

function isCanonicalBase64(v: unknown, allowEmpty: boolean): v is string {
  return typeof v === 'string' && (allowEmpty || v.length > 0) && Buffer.from(v, 'base64').toString('base64') === v;
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Checks every field of a record (with or without metaMac) and returns it typed. */
function validate(r: Record<string, unknown>, withMac: boolean): UnsealedObjectMetadata {
  const expected: readonly string[] = withMac ? FIELDS : FIELDS.filter((f) => f !== 'metaMac');
  const keys = Object.keys(r);
  needs(keys.length === expected.length && expected.every((f) => Object.hasOwn(r, f)), 'missing or extra fields');
  needs(r.metaVersion === METADATA_VERSION, 'unknown metaVersion');
  needs(r.sse === 'aws:kms' || r.sse === 'AES256', 'bad sse');
  if (r.sse === 'aws:kms') needs(typeof r.kmsKeyArn === 'string' && KMS_KEY_ARN.test(r.kmsKeyArn), 'bad kmsKeyArn');
  else needs(r.kmsKeyArn === null, 'kmsKeyArn must be null for AES256');
  needs(isCanonicalBase64(r.wrappedDek, false), 'bad wrappedDek');
  needs(isStringMap(r.encryptionContext) && typeof r.encryptionContext['aws:s3:arn'] === 'string', 'bad encryptionContext');
  needs(r.bucketKeyEnabled === false, 'bucketKeyEnabled must be false');
  needs(r.algorithm === GWSE_ALGORITHM_NAME, 'unknown algorithm');
  needs(isSize(r.segmentSize) && Number.isInteger(Math.log2(r.segmentSize)), 'bad segmentSize');
  const log2 = Math.log2(r.segmentSize);
  needs(log2 >= MIN_SEGMENT_SIZE_LOG2 && log2 <= MAX_SEGMENT_SIZE_LOG2, 'segmentSize out of range');
  needs(isSize(r.plaintextSize), 'bad plaintextSize');
  needs(isSize(r.ciphertextSize) && r.ciphertextSize === encryptedSize(r.plaintextSize, r.segmentSize), 'ciphertextSize disagrees with plaintextSize');
  needs(typeof r.headerSha256 === 'string' && HEX64.test(r.headerSha256), 'bad headerSha256');
  needs(typeof r.etag === 'string' && HEX32.test(r.etag), 'bad etag');
  needs(isPlainObject(r.checksums), 'bad checksums');
  for (const [alg, value] of Object.entries(r.checksums)) {
    needs((CHECKSUM_ALGORITHMS as readonly string[]).includes(alg) && isCanonicalBase64(value, false), `bad checksum ${alg}`);
  }
  needs(typeof r.contentType === 'string', 'bad contentType');
  needs(isStringMap(r.userMetadata) && Object.keys(r.userMetadata).every((k) => k.length > 0 && k === k.toLowerCase()), 'bad userMetadata');
  needs(typeof r.lastModified === 'string' && ISO_UTC.test(r.lastModified) && !Number.isNaN(Date.parse(r.lastModified)), 'bad lastModified');
  if (withMac) needs(typeof r.metaMac === 'string' && HEX64.test(r.metaMac), 'bad metaMac');
  return r as unknown as UnsealedObjectMetadata;
}

/** Exactly the MACed fields, so stray properties of an input object never reach the MAC. */
function macedFields(record: UnsealedObjectMetadata): Record<string, CanonicalJsonValue> {
  const { metaVersion, sse, kmsKeyArn, wrappedDek, encryptionContext, bucketKeyEnabled, algorithm, segmentSize, plaintextSize,
    ciphertextSize, headerSha256, etag, checksums, contentType, userMetadata, lastModified } = record;
  return {
    metaVersion, sse, kmsKeyArn, wrappedDek, encryptionContext, bucketKeyEnabled, algorithm, segmentSize, plaintextSize,
    ciphertextSize, headerSha256, etag, checksums: checksums as Record<string, string>, contentType, userMetadata, lastModified,
  };
}

function computeMac(record: UnsealedObjectMetadata, dek: Buffer): Buffer {
  if (dek.length !== KEY_SIZE) throw new RangeError('DEK must be 32 bytes');
  const info = Buffer.concat([Buffer.from('gwse/v1/meta', 'latin1'), sha256(canonicalEncryptionContext(record.encryptionContext))]);
  const key = Buffer.from(hkdfSync('sha256', dek, Buffer.alloc(0), info, KEY_SIZE));
  try {
    return createHmac('sha256', key).update(canonicalJson(macedFields(record))).digest();
  } finally {
    key.fill(0);
  }
}

/** Validates the record, MACs it under the DEK and returns the bytes to store. */
export function sealMetadata(record: UnsealedObjectMetadata, dek: Buffer): Buffer {
  const fields = { ...(record as unknown as Record<string, unknown>) };
  delete fields.metaMac;
  const clean = validate(fields, false);
  const metaMac = computeMac(clean, dek).toString('hex');
  return canonicalJson({ ...macedFields(clean), metaMac });
}

/** Strict parse of stored bytes. Does not check the MAC (HEAD has no DEK). */
export function parseMetadata(buf: Buffer): ObjectMetadataV1 {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf));
  } catch (err) {
    throw new IntegrityError('metadata: not UTF-8 JSON', { cause: err });
  }
  needs(isPlainObject(parsed), 'not an object');
  return validate(parsed, true) as ObjectMetadataV1;
}

/** Throws IntegrityError unless `record.metaMac` is the MAC of the record under `dek`. */
export function verifyMetadataMac(record: ObjectMetadataV1, dek: Buffer): void {
  const expected = computeMac(record, dek);
  const actual = Buffer.from(record.metaMac, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new IntegrityError('metadata MAC mismatch');
}
