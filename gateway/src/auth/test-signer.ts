/**
 * Test-only helpers: produce requests with the real AWS SigV4 signer (@smithy/signature-v4),
 * so the verifier is checked against what SDKs actually send, not against itself.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SigV4Request } from './types.js';

export const TEST_REGION = 'us-east-1';
export const TEST_KEY = { accessKeyId: 'AKIDTESTKEY0000000001', secretAccessKey: 'test-secret/for+unit tests only' };

export function testSigner(opts: { service?: string; region?: string; secret?: string } = {}): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: opts.secret ?? TEST_KEY.secretAccessKey },
    region: opts.region ?? TEST_REGION,
    service: opts.service ?? 's3',
    sha256: Sha256,
    uriEscapePath: false, // S3: the path is signed exactly as sent
  });
}

/** Encodes an object key the way the S3 SDK puts it on the wire: every byte but unreserved and '/'. */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

export function rawQueryOf(query: Record<string, string>): string {
  return Object.entries(query)
    .map(([k, v]) => `${encodeKey(k).replace(/\//g, '%2F')}=${encodeKey(v).replace(/\//g, '%2F')}`)
    .join('&');
}

export interface SignSpec {
  method?: string;
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  date: Date;
  signer?: SignatureV4;
}

function toHttpRequest(spec: SignSpec): HttpRequest {
  return new HttpRequest({
    method: spec.method ?? 'GET',
    protocol: 'http:',
    hostname: 'localhost',
    port: 9000,
    path: spec.path,
    query: spec.query ?? {},
    headers: { host: 'localhost:9000', ...spec.headers },
  });
}

/** Lower-case names, and values as Node presents what an SDK sends: its UTF-8 bytes read as latin1. */
function wireHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), Buffer.from(v, 'utf8').toString('latin1')]));
}

/** Signs with the Authorization header; rawPath/rawQuery are what the client puts on the wire. */
export async function signHeader(
  spec: SignSpec,
  wire?: { rawPath?: string; rawQuery?: string },
  options: { unsignableHeaders?: Set<string> } = {},
): Promise<SigV4Request> {
  const signed = await (spec.signer ?? testSigner()).sign(toHttpRequest(spec), { signingDate: spec.date, ...options });
  return {
    method: signed.method,
    rawPath: wire?.rawPath ?? spec.path,
    rawQuery: wire?.rawQuery ?? rawQueryOf(spec.query ?? {}),
    headers: wireHeaders(signed.headers),
  };
}

/** A presigned URL as the S3 presigner builds it: UNSIGNED-PAYLOAD, hoisted into the query. */
export async function presign(spec: SignSpec & { expiresIn: number }): Promise<SigV4Request> {
  const request = toHttpRequest(spec);
  request.headers['X-Amz-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await (spec.signer ?? testSigner()).presign(request, {
    signingDate: spec.date,
    expiresIn: spec.expiresIn,
  });
  return {
    method: signed.method,
    rawPath: spec.path,
    rawQuery: rawQueryOf(signed.query as Record<string, string>),
    headers: wireHeaders(signed.headers),
  };
}

export function signatureOf(req: SigV4Request): string {
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /Signature=([0-9a-f]{64})/.exec(auth) : null;
  if (!match) throw new Error('request has no header signature');
  return match[1];
}
