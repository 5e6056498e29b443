/**
 * SigV4 primitives: HMAC/SHA-256 helpers, the signing-key derivation and a small cache of
 * derived keys.
 *
 *   kDate = HMAC("AWS4" + secret, yyyymmdd); kRegion = HMAC(kDate, region);
 *   kService = HMAC(kRegion, service); kSigning = HMAC(kService, "aws4_request")
 *
 * The derivation costs four HMACs per request; a key is valid for a whole day and scope, so
 * the last few are kept. The cache is keyed by a hash of the secret (never the secret itself)
 * and evicts the oldest entry past its bound.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmac(key: Uint8Array | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export const EMPTY_SHA256 = sha256Hex('');

export interface Scope {
  date: string; // yyyymmdd
  region: string;
  service: string;
}

export function scopeString(s: Scope): string {
  return `${s.date}/${s.region}/${s.service}/aws4_request`;
}

function deriveSigningKey(secret: string, s: Scope): Buffer {
  const kSecret = Buffer.from(`AWS4${secret}`, 'utf8');
  const kDate = hmac(kSecret, s.date);
  const kRegion = hmac(kDate, s.region);
  const kService = hmac(kRegion, s.service);
  const kSigning = hmac(kService, 'aws4_request');
  for (const intermediate of [kSecret, kDate, kRegion, kService]) intermediate.fill(0);
  return kSigning;
}

const MAX_CACHED_KEYS = 128;
const cache = new Map<string, Buffer>();

/** The signing key for (secret, scope), from the cache when possible. Callers must not modify it. */
export function signingKeyFor(secret: string, s: Scope): Buffer {
  const id = `${sha256Hex(secret)}/${scopeString(s)}`;
  const hit = cache.get(id);
  if (hit) {
    // Refresh recency so the keys in active use survive eviction.
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const key = deriveSigningKey(secret, s);
  cache.set(id, key);
  if (cache.size > MAX_CACHED_KEYS) {
    const oldest = cache.keys().next().value as string;
    cache.get(oldest)?.fill(0);
    cache.delete(oldest);
  }
  return key;
}

/** Constant-time comparison of a provided hex signature with the computed one. */
export function signaturesEqual(provided: string, expectedHex: string): boolean {
  const a = Buffer.from(provided, 'utf8');
  const b = Buffer.from(expectedHex, 'utf8');
  if (a.length !== b.length) {
    timingSafeEqual(b, b); // same work either way, no early exit on the length
    return false;
  }
  return timingSafeEqual(a, b);
}
