/**
 * The gateway's per-bucket configuration record. Storage keeps it as opaque bytes; its shape
 * is ours, versioned and strictly parsed (a member we do not know is corruption, not a hint):
 *
 *   { "version": 1,
 *     "encryption"?: { "sseAlgorithm": "AES256" | "aws:kms",
 *                      "kmsMasterKeyId"?: "<as the client gave it>",
 *                      "bucketKeyEnabled": true | false },
 *     "cors"?: [ { "id"?: string, "allowedMethods": [string], "allowedOrigins": [string],
 *                  "allowedHeaders": [string], "exposeHeaders": [string],
 *                  "maxAgeSeconds"?: integer } ],
 *     "policy"?: "<the bucket policy as PutBucketPolicy stored it, validated then>" }
 *
 * No record, or no `encryption`, is Amazon S3's default since 2023: SSE-S3, bucket keys off.
 */
import type { ObjectStore } from '@kmsgate/storage';
import type { CorsRule } from './cors.js';

export interface BucketEncryption {
  sseAlgorithm: 'AES256' | 'aws:kms';
  /** Stored and echoed exactly as given (a bare UUID stays a bare UUID). */
  kmsMasterKeyId?: string;
  bucketKeyEnabled: boolean;
}

export interface BucketConfigV1 {
  version: 1;
  encryption?: BucketEncryption;
  /** PutBucketCors rules, in order; absent = no CORS configuration. */
  cors?: CorsRule[];
  /** The bucket policy text, validated when it was put; absent = no bucket policy. */
  policy?: string;
}

export const DEFAULT_BUCKET_ENCRYPTION: BucketEncryption = { sseAlgorithm: 'AES256', bucketKeyEnabled: false };

export class BucketConfigError extends Error {
  override readonly name = 'BucketConfigError';
}

function needs(cond: unknown, what: string): asserts cond {
  if (!cond) throw new BucketConfigError(`bucket configuration record: ${what}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function onlyMembers(v: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(v).every((k) => allowed.includes(k));
}

function parseEncryption(v: unknown): BucketEncryption {
  needs(isPlainObject(v) && onlyMembers(v, ['sseAlgorithm', 'kmsMasterKeyId', 'bucketKeyEnabled']), 'bad encryption');
  needs(v.sseAlgorithm === 'AES256' || v.sseAlgorithm === 'aws:kms', 'bad sseAlgorithm');
  needs(typeof v.bucketKeyEnabled === 'boolean', 'bad bucketKeyEnabled');
  if (v.kmsMasterKeyId !== undefined) {
    needs(v.sseAlgorithm === 'aws:kms' && typeof v.kmsMasterKeyId === 'string' && v.kmsMasterKeyId !== '', 'bad kmsMasterKeyId');
  }
  const out: BucketEncryption = { sseAlgorithm: v.sseAlgorithm, bucketKeyEnabled: v.bucketKeyEnabled };
  if (typeof v.kmsMasterKeyId === 'string') out.kmsMasterKeyId = v.kmsMasterKeyId;
  return out;
}

function isStringList(v: unknown, min: number): v is string[] {
  return Array.isArray(v) && v.length >= min && v.every((s) => typeof s === 'string');
}

function parseCorsRule(v: unknown): CorsRule {
  needs(isPlainObject(v) && onlyMembers(v, ['id', 'allowedMethods', 'allowedOrigins', 'allowedHeaders', 'exposeHeaders', 'maxAgeSeconds']), 'bad cors rule');
  needs(v.id === undefined || typeof v.id === 'string', 'bad cors id');
  needs(isStringList(v.allowedMethods, 1) && isStringList(v.allowedOrigins, 1), 'bad cors methods or origins');
  needs(isStringList(v.allowedHeaders, 0) && isStringList(v.exposeHeaders, 0), 'bad cors headers');
  needs(v.maxAgeSeconds === undefined || (Number.isSafeInteger(v.maxAgeSeconds) && (v.maxAgeSeconds as number) >= 0), 'bad cors maxAgeSeconds');
  const rule: CorsRule = {
    allowedMethods: [...v.allowedMethods],
    allowedOrigins: [...v.allowedOrigins],
    allowedHeaders: [...v.allowedHeaders],
    exposeHeaders: [...v.exposeHeaders],
  };
  if (typeof v.id === 'string') rule.id = v.id;
  if (typeof v.maxAgeSeconds === 'number') rule.maxAgeSeconds = v.maxAgeSeconds;
  return rule;
}

function parseCors(v: unknown): CorsRule[] {
  needs(Array.isArray(v) && v.length > 0, 'bad cors');
  return v.map(parseCorsRule);
}

function parsePolicyText(v: unknown): string {
  needs(typeof v === 'string' && v !== '', 'bad policy');
  return v;
}

export function decodeBucketConfig(bytes: Buffer | null): BucketConfigV1 {
  if (bytes === null) return { version: 1 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (err) {
    throw new BucketConfigError('bucket configuration record: not UTF-8 JSON', { cause: err });
  }
  needs(isPlainObject(parsed) && onlyMembers(parsed, ['version', 'encryption', 'cors', 'policy']), 'unknown members');
  needs(parsed.version === 1, 'unknown version');
  const config: BucketConfigV1 = { version: 1 };
  if (parsed.encryption !== undefined) config.encryption = parseEncryption(parsed.encryption);
  if (parsed.cors !== undefined) config.cors = parseCors(parsed.cors);
  if (parsed.policy !== undefined) config.policy = parsePolicyText(parsed.policy);
  return config;
}

export function encodeBucketConfig(config: BucketConfigV1): Buffer {
  const out: BucketConfigV1 = { version: 1 };
  // Re-validated on the way out, so a bad record is never written.
  if (config.encryption) out.encryption = parseEncryption(config.encryption);
  if (config.cors) out.cors = parseCors(config.cors);
  if (config.policy !== undefined) out.policy = parsePolicyText(config.policy);
  return Buffer.from(JSON.stringify(out), 'utf8');
}

export async function readBucketConfig(store: ObjectStore, bucket: string): Promise<BucketConfigV1> {
  return decodeBucketConfig(await store.getBucketConfig(bucket));
}

/** Read-modify-write of the record; storage runs one update per bucket at a time. */
export async function updateBucketConfig(store: ObjectStore, bucket: string, change: (config: BucketConfigV1) => BucketConfigV1): Promise<void> {
  await store.updateBucketConfig(bucket, (current) => encodeBucketConfig(change(decodeBucketConfig(current))));
}

/** The bucket's default encryption: what is configured, else SSE-S3. */
export async function bucketEncryption(store: ObjectStore, bucket: string): Promise<BucketEncryption> {
  return (await readBucketConfig(store, bucket)).encryption ?? DEFAULT_BUCKET_ENCRYPTION;
}
