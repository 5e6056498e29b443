/**
 * SigV4 canonical request, as S3 builds it on the server side.
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 *
 * 1. CanonicalURI (S3): the raw path split on '/', each segment percent-decoded to bytes and
 *    encoded once again: A-Z a-z 0-9 - . _ ~ kept, every other byte %XX with upper-case hex.
 *    No dot-segment removal, no '//' collapsing: `a//b/../c` is a literal key. An encoded
 *    slash (%2F) stays encoded because splitting happens before decoding.
 * 2. CanonicalQuery: each `name[=value]` decoded ('+' is a space, as the router reads it) and
 *    encoded as above ('/' and '=' encoded too), sorted by name then value, `name=` when the
 *    value is missing; presigned requests leave X-Amz-Signature out.
 * 3. CanonicalHeaders: `name:value\n` for each signed header in SignedHeaders order, values
 *    trimmed with inner runs of spaces/tabs collapsed, repeated headers joined with ','.
 * 4. The canonical request is bytes, and header values go in as the bytes the client sent:
 *    Node hands header values over decoded as latin1 (one character per byte), so encoding the
 *    text back as latin1 recovers them. A UTF-8 `x-amz-meta-` value is signed over its UTF-8
 *    bytes by every SDK, and re-encoding Node's string as UTF-8 would double-encode it.
 *    Every other part of the canonical request is ASCII.
 */
import { headerValue, type RequestHeaders } from '../http/headers.js';

const HEX = '0123456789ABCDEF';

function isUnreserved(byte: number): boolean {
  return (
    (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x2d || byte === 0x2e || byte === 0x5f || byte === 0x7e
  );
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/** Percent-decodes to bytes; a '%' not followed by two hex digits stays a literal '%'. */
export function percentDecode(text: string, plusIsSpace: boolean): Buffer {
  const input = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i];
    if (byte === 0x25 && i + 2 < input.length) {
      const hi = hexValue(input[i + 1]);
      const lo = hexValue(input[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out[n++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    out[n++] = plusIsSpace && byte === 0x2b ? 0x20 : byte;
  }
  return out.subarray(0, n);
}

/** AWS URI encoding of raw bytes: unreserved kept, everything else %XX upper-case. */
export function uriEncodeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) {
    out += isUnreserved(byte) ? String.fromCharCode(byte) : `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

// Unreserved characters and slashes only: decoding and encoding each segment gives it back.
const PLAIN_PATH = /^[A-Za-z0-9\-._~/]*$/;

export function canonicalUriS3(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  // Most keys are plain; every request pays for the general path otherwise (a Buffer per segment).
  if (PLAIN_PATH.test(path)) return path;
  return path
    .split('/')
    .map((segment) => uriEncodeBytes(percentDecode(segment, false)))
    .join('/');
}

export interface QueryParam {
  /** Decoded name and value (UTF-8 text). */
  name: string;
  value: string;
  encodedName: string;
  encodedValue: string;
}

/** Splits and decodes a raw query string; empty pieces (`a=1&&b`) are skipped. */
export function parseRawQuery(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const nameBytes = percentDecode(eq === -1 ? piece : piece.slice(0, eq), true);
    const valueBytes = percentDecode(eq === -1 ? '' : piece.slice(eq + 1), true);
    params.push({
      name: nameBytes.toString('utf8'),
      value: valueBytes.toString('utf8'),
      encodedName: uriEncodeBytes(nameBytes),
      encodedValue: uriEncodeBytes(valueBytes),
    });
  }
  return params;
}

export function canonicalQuery(params: readonly QueryParam[], exclude?: string): string {
  return params
    .filter((p) => p.name !== exclude)
    .map((p) => [p.encodedName, p.encodedValue] as const)
    .sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([n, v]) => `${n}=${v}`)
    .join('&');
}

export function canonicalHeaders(headers: RequestHeaders, signedHeaders: readonly string[]): string {
  let out = '';
  for (const name of signedHeaders) {
    const value = headerValue(headers, name) ?? '';
    out += `${name}:${value.replace(/[ \t]+/g, ' ').trim()}\n`;
  }
  return out;
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  headers: RequestHeaders;
  signedHeaders: readonly string[];
  hashedPayload: string;
}

export function buildCanonicalRequest(p: CanonicalRequestParts): Buffer {
  const text = [
    p.method,
    p.canonicalUri,
    p.canonicalQuery,
    canonicalHeaders(p.headers, p.signedHeaders),
    p.signedHeaders.join(';'),
    p.hashedPayload,
  ].join('\n');
  return Buffer.from(text, 'latin1');
}

/** "41 57 53 34 ..." — how S3 shows StringToSignBytes and CanonicalRequestBytes (text as UTF-8). */
export function spacedHex(data: string | Uint8Array): string {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
