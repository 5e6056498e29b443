/**
 * A signed S3 PUT sent with HTTP/1.1 `Transfer-Encoding: chunked` and no Content-Length,
 * its body streamed piece by piece over a real socket: what S3 test suites, form relays and
 * streaming clients send when they do not know the length up front.
 */
import { request } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { signHeaders } from './signing.js';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface ChunkedPutTarget {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
}

/**
 * PUTs `body` to `path` with chunked framing. `payloadHash` is the x-amz-content-sha256 to
 * sign (UNSIGNED-PAYLOAD, a hex SHA-256, or a STREAMING-* mode); `headers` are signed too.
 */
export async function chunkedPut(
  target: ChunkedPutTarget,
  path: string,
  body: Readable,
  opts: { payloadHash: string; headers?: Record<string, string>; signingDate?: Date },
): Promise<RawResponse> {
  const req = { method: 'PUT', path, headers: opts.headers ?? {} };
  const signed = await signHeaders(target.endpoint, target.credentials, target.region, req, { payloadHash: opts.payloadHash, signingDate: opts.signingDate });
  const url = new URL(path, target.endpoint);
  return new Promise((resolve, reject) => {
    const out = request(url, { method: 'PUT', headers: { ...signed, 'transfer-encoding': 'chunked' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    out.on('error', reject);
    // An early answer (an error before the body was read) may cut the upload short.
    pipeline(body, out).catch(() => undefined);
  });
}
