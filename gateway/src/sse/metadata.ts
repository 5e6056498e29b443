/**
 * The object metadata record: stored beside each object by storage, written and read only
 * by the gateway. Version 2 is written; version 1 records (written before storage class and
 * system headers were kept) still read, as STANDARD with no system headers.
 *
 * 1. The stored bytes are the canonical JSON (keys by code point, no whitespace) of the
 *    record, `metaMac` included.
 * 2. metaKey = HKDF-SHA256(ikm = DEK, salt = empty, info = "gwse/v1/meta" ‖ SHA-256(canonical encryptionContext), 32)
 *    metaMac = hex HMAC-SHA256(metaKey, canonical JSON of every field except metaMac)
 *    The MAC covers exactly the fields of the record's own version: v1 the 16 fields below
 *    without storageClass and systemHeaders, v2 all 18. The info string stays "gwse/v1/meta":
 *    metaVersion is itself MACed, so a v2 record cannot pass as v1 or the reverse.
 * 3. Parsing is strict: unknown metaVersion, a missing or extra field (for that version), a
 *    wrong type, length or format, or sizes that disagree with the format are an IntegrityError.
 * 4. v2 adds storageClass (upper-case S3 class name) and systemHeaders: a map from the
 *    lower-case names in SYSTEM_HEADER_NAMES to the header value as sent (latin1 text, one
 *    character per byte), only those the client sent.
 * 5. v3 is a multipart object: v2 plus `parts`, the ordered list of the parts kept at
 *    completion, each {partNumber, plaintextSize, headerSha256, etag, checksums}: one GWSE
 *    stream per part, stored as its own file, never rewritten. Part numbers ascend (gaps
 *    allowed); plaintextSize and ciphertextSize are the parts' sums; headerSha256 is
 *    SHA-256 of the parts' header hashes concatenated; the ETag is MD5 of the parts'
 *    binary ETags followed by `-<count>`, and a composite checksum ends in `-<count>`.
 *    The MAC covers the parts list, so no part can be added, dropped, reordered or resized.
 *
 * Sizes, ETag, SSE fields, content type and user metadata are in clear so HEAD and
 * listings never call the KMS; the MAC is checked once the DEK has been unwrapped (GET),
 * so an edited size or ETag cannot survive a read.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJsonString, codePointSortedKeys, compareCodePoints } from './canonical-json.js';
import type { CanonicalJsonValue } from './canonical-json.js';
import { canonicalEncryptionContext } from './context.js';
import { IntegrityError } from './errors.js';
import {
  GWSE_ALGORITHM_NAME, KEY_SIZE, MAX_SEGMENT_SIZE_LOG2, MIN_SEGMENT_SIZE_LOG2, encryptedSize,
} from './format/gwse.js';
import { contextMacKey } from './format/hkdf.js';

export const METADATA_VERSION = 2;
/** The version of a multipart object's record. */
export const MULTIPART_METADATA_VERSION = 3;

/** The stored system headers (besides Content-Type), lower-case, in no particular order. */
export const SYSTEM_HEADER_NAMES = [
  'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires', 'x-amz-website-redirect-location',
] as const;
export type SystemHeaderName = (typeof SYSTEM_HEADER_NAMES)[number];
export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** One part of a multipart object, as its record lists it. */
export interface PartEntry {
  readonly partNumber: number;
  readonly plaintextSize: number;
  readonly headerSha256: string;
  /** 32 lower-case hex, unquoted. */
  readonly etag: string;
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
}

export interface ObjectMetadata {
  /** 1 only for records read back from before v2; 3 for a multipart object. */
  readonly metaVersion: 1 | 2 | 3;
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
  /** STANDARD for v1 records. */
  readonly storageClass: string;
  /** Empty for v1 records. */
  readonly systemHeaders: Readonly<Partial<Record<SystemHeaderName, string>>>;
  /** Only in v3 (multipart) records: the parts, in object order. */
  readonly parts?: readonly PartEntry[];
  readonly metaMac: string;
}

/** @deprecated the name from when there was one version; use ObjectMetadata. */
export type ObjectMetadataV1 = ObjectMetadata;

export type UnsealedObjectMetadata = Omit<ObjectMetadata, 'metaMac' | 'metaVersion'> & {
  readonly metaVersion: typeof METADATA_VERSION | typeof MULTIPART_METADATA_VERSION;
};

const V1_FIELDS = [
  'metaVersion', 'sse', 'kmsKeyArn', 'wrappedDek', 'encryptionContext', 'bucketKeyEnabled', 'algorithm', 'segmentSize',
  'plaintextSize', 'ciphertextSize', 'headerSha256', 'etag', 'checksums', 'contentType', 'userMetadata', 'lastModified',
] as const satisfies readonly (keyof ObjectMetadata)[];
const V2_FIELDS = [...V1_FIELDS, 'storageClass', 'systemHeaders'] as const satisfies readonly (keyof ObjectMetadata)[];
const V3_FIELDS = [...V2_FIELDS, 'parts'] as const satisfies readonly (keyof ObjectMetadata)[];
type MacedField = (typeof V3_FIELDS)[number];

function fieldsOf(version: 1 | 2 | 3): readonly MacedField[] {
  return version === 1 ? V1_FIELDS : version === 2 ? V2_FIELDS : V3_FIELDS;
}

const MAX_PARTS = 10000;
const MULTIPART_ETAG = /^[0-9a-f]{32}-([1-9][0-9]{0,4})$/;

/** `<base64>-<N>`: a composite checksum of N parts. */
function isCompositeChecksum(v: unknown, parts: number): boolean {
  if (typeof v !== 'string') return false;
  const dash = v.lastIndexOf('-');
  return dash > 0 && v.slice(dash + 1) === String(parts) && isCanonicalBase64(v.slice(0, dash), false);
}

function checkChecksums(v: unknown, parts: number | undefined): void {
  needs(isPlainObject(v), 'bad checksums');
  for (const [alg, value] of Object.entries(v)) {
    const ok = isCanonicalBase64(value, false) || (parts !== undefined && isCompositeChecksum(value, parts));
    needs((CHECKSUM_ALGORITHMS as readonly string[]).includes(alg) && ok, `bad checksum ${alg}`);
  }
}

/** The parts list of a v3 record, against the record's sizes and ETag. */
function checkParts(r: Record<string, unknown>, segmentSize: number): void {
  const parts = r.parts;
  needs(Array.isArray(parts) && parts.length >= 1 && parts.length <= MAX_PARTS, 'bad parts');
  let previous = 0;
  let plaintext = 0;
  let ciphertext = 0;
  for (const p of parts as unknown[]) {
    needs(isPlainObject(p) && Object.keys(p).length === 5, 'bad part');
    needs(Number.isInteger(p.partNumber) && (p.partNumber as number) > previous && (p.partNumber as number) <= MAX_PARTS, 'part numbers must ascend within 1..10000');
    previous = p.partNumber as number;
    needs(isSize(p.plaintextSize), 'bad part plaintextSize');
    needs(typeof p.headerSha256 === 'string' && HEX64.test(p.headerSha256), 'bad part headerSha256');
    needs(typeof p.etag === 'string' && HEX32.test(p.etag), 'bad part etag');
    checkChecksums(p.checksums, undefined);
    plaintext += p.plaintextSize;
    ciphertext += encryptedSize(p.plaintextSize, segmentSize);
  }
  needs(r.plaintextSize === plaintext && r.ciphertextSize === ciphertext, 'sizes disagree with the parts');
  const etag = MULTIPART_ETAG.exec(String(r.etag));
  needs(etag !== null && Number(etag[1]) === parts.length, 'bad multipart etag');
}

const STORAGE_CLASS = /^[A-Z][A-Z_]{0,31}$/;

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
function validate(r: Record<string, unknown>, withMac: boolean): ObjectMetadata {
  needs(r.metaVersion === 1 || r.metaVersion === METADATA_VERSION || r.metaVersion === MULTIPART_METADATA_VERSION, 'unknown metaVersion');
  const version = r.metaVersion;
  const expected: readonly string[] = withMac ? [...fieldsOf(version), 'metaMac'] : fieldsOf(version);
  const keys = Object.keys(r);
  needs(keys.length === expected.length && expected.every((f) => Object.hasOwn(r, f)), 'missing or extra fields');
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
  needs(isSize(r.ciphertextSize), 'bad ciphertextSize');
  if (version === MULTIPART_METADATA_VERSION) checkParts(r, r.segmentSize);
  else {
    needs(r.ciphertextSize === encryptedSize(r.plaintextSize, r.segmentSize), 'ciphertextSize disagrees with plaintextSize');
    needs(typeof r.etag === 'string' && HEX32.test(r.etag), 'bad etag');
  }
  needs(typeof r.headerSha256 === 'string' && HEX64.test(r.headerSha256), 'bad headerSha256');
  checkChecksums(r.checksums, version === MULTIPART_METADATA_VERSION ? (r.parts as unknown[]).length : undefined);
  needs(typeof r.contentType === 'string', 'bad contentType');
  needs(isStringMap(r.userMetadata) && Object.keys(r.userMetadata).every((k) => k.length > 0 && k === k.toLowerCase()), 'bad userMetadata');
  needs(typeof r.lastModified === 'string' && ISO_UTC.test(r.lastModified) && !Number.isNaN(Date.parse(r.lastModified)), 'bad lastModified');
  if (version >= 2) {
    needs(typeof r.storageClass === 'string' && STORAGE_CLASS.test(r.storageClass), 'bad storageClass');
    needs(
      isStringMap(r.systemHeaders) && Object.keys(r.systemHeaders).every((k) => (SYSTEM_HEADER_NAMES as readonly string[]).includes(k)),
      'bad systemHeaders',
    );
  }
  if (withMac) needs(typeof r.metaMac === 'string' && HEX64.test(r.metaMac), 'bad metaMac');
  const typed = r as unknown as ObjectMetadata;
  return version === 1 ? { ...typed, storageClass: 'STANDARD', systemHeaders: {} } : typed;
}

/**
 * The MACed fields of one version in canonical (code-point) order, each as its `"name":` text,
 * and the place `metaMac` takes among them in the stored record. Field names are fixed ASCII,
 * so this is worked out once; a record is then written as canonical JSON once per field value
 * for both the MAC input and the stored bytes, which are the same text but for metaMac.
 */
interface FieldOrder {
  readonly names: readonly MacedField[];
  readonly prefixes: readonly string[];
  readonly macAt: number;
}

function fieldOrder(fields: readonly MacedField[]): FieldOrder {
  const names = codePointSortedKeys(Object.fromEntries(fields.map((f) => [f, true]))) as MacedField[];
  return { names, prefixes: names.map((n) => `${JSON.stringify(n)}:`), macAt: names.filter((n) => compareCodePoints(n, 'metaMac') < 0).length };
}

const FIELD_ORDERS = { 1: fieldOrder(V1_FIELDS), 2: fieldOrder(V2_FIELDS), 3: fieldOrder(V3_FIELDS) } as const;

/** `"name":<canonical value>` for exactly the MACed fields of the record's version, in order. */
function macedEntries(record: ObjectMetadata): string[] {
  const order = FIELD_ORDERS[record.metaVersion];
  const all = record as unknown as Record<MacedField, CanonicalJsonValue>;
  return order.names.map((name, i) => order.prefixes[i] + canonicalJsonString(all[name]));
}

const META_INFO_LABEL = Buffer.from('gwse/v1/meta', 'latin1');

/** The MAC of the record whose MACed fields are `entries` (macedEntries). */
function computeMac(record: ObjectMetadata, entries: readonly string[], dek: Buffer): Buffer {
  if (dek.length !== KEY_SIZE) throw new RangeError('DEK must be 32 bytes');
  const key = contextMacKey(dek, META_INFO_LABEL, canonicalEncryptionContext(record.encryptionContext));
  try {
    return createHmac('sha256', key).update(`{${entries.join(',')}}`, 'utf8').digest();
  } finally {
    key.fill(0);
  }
}

/** Validates the record, MACs it under the DEK and returns the bytes to store. */
export function sealMetadata(record: UnsealedObjectMetadata, dek: Buffer): Buffer {
  const fields = { ...(record as unknown as Record<string, unknown>) };
  delete fields.metaMac;
  needs(fields.metaVersion === METADATA_VERSION || fields.metaVersion === MULTIPART_METADATA_VERSION, 'only the current metaVersions are written');
  needs((fields.metaVersion === MULTIPART_METADATA_VERSION) === (fields.parts !== undefined), 'parts belong to multipart records only');
  const clean = validate(fields, false);
  const entries = macedEntries(clean);
  const metaMac = computeMac(clean, entries, dek).toString('hex');
  entries.splice(FIELD_ORDERS[clean.metaVersion].macAt, 0, `"metaMac":"${metaMac}"`);
  return Buffer.from(`{${entries.join(',')}}`, 'utf8');
}

/** Strict parse of stored bytes. Does not check the MAC (HEAD has no DEK). */
export function parseMetadata(buf: Buffer): ObjectMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf));
  } catch (err) {
    throw new IntegrityError('metadata: not UTF-8 JSON', { cause: err });
  }
  needs(isPlainObject(parsed), 'not an object');
  return validate(parsed, true);
}

/** Throws IntegrityError unless `record.metaMac` is the MAC of the record under `dek`. */
export function verifyMetadataMac(record: ObjectMetadata, dek: Buffer): void {
  const expected = computeMac(record, macedEntries(record), dek);
  const actual = Buffer.from(record.metaMac, 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) throw new IntegrityError('metadata MAC mismatch');
}
