/**
 * Signs raw HTTP requests for edge cases the SDKs never send (bad chunk signatures, skewed
 * clocks, mismatched payload hashes), using AWS's own SigV4 signer for the header signature
 * and the documented chunk string-to-sign for aws-chunked bodies.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface RawRequest {
  method: string;
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
}

export function signer(credentials: { accessKeyId: string; secretAccessKey: string }, region: string, service = 's3'): SignatureV4 {
  return new SignatureV4({ credentials, region, service, sha256: Sha256, uriEscapePath: false, applyChecksum: false });
}

/** Returns the headers to send, with Authorization, for a request whose payload hash is `payloadHash`. */
export async function signHeaders(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  req: RawRequest,
  opts: { payloadHash: string; signingDate?: Date },
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signed = await signer(credentials, region).sign(
    {
      method: req.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: req.path,
      query: req.query ?? {},
      headers: { host: url.host, 'x-amz-content-sha256': opts.payloadHash, ...req.headers },
    },
    { signingDate: opts.signingDate },
  );
  return signed.headers as Record<string, string>;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const EMPTY_SHA256 = sha256Hex('');

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(date).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

/**
 * Encodes `chunks` as a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body, each chunk signed in turn
 * starting from the seed signature of the Authorization header. With `trailer`, the body is
 * the -TRAILER variant: the trailing checksum header is signed after the last chunk.
 */
export function signedChunkedBody(
  chunks: Buffer[],
  opts: { secret: string; amzDate: string; region: string; seedSignature: string },
  trailer?: { name: string; value: string },
): Buffer {
  const date = opts.amzDate.slice(0, 8);
  const scope = `${date}/${opts.region}/s3/aws4_request`;
  const key = signingKey(opts.secret, date, opts.region, 's3');
  const sign = (stringToSign: string): string => createHmac('sha256', key).update(stringToSign).digest('hex');
  let previous = opts.seedSignature;
  const parts: Buffer[] = [];
  for (const chunk of [...chunks, Buffer.alloc(0)]) {
    const signature = sign(['AWS4-HMAC-SHA256-PAYLOAD', opts.amzDate, scope, previous, EMPTY_SHA256, sha256Hex(chunk)].join('\n'));
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`), chunk);
    if (chunk.length > 0 || !trailer) parts.push(Buffer.from('\r\n'));
    previous = signature;
  }
  if (trailer) {
    const line = `${trailer.name}:${trailer.value}`;
    const signature = sign(['AWS4-HMAC-SHA256-TRAILER', opts.amzDate, scope, previous, sha256Hex(`${line}\n`)].join('\n'));
    parts.push(Buffer.from(`${line}\r\nx-amz-trailer-signature:${signature}\r\n\r\n`));
  }
  return Buffer.concat(parts);
}

export function seedSignatureOf(authorization: string): string {
  return /Signature=([0-9a-f]{64})/.exec(authorization)![1]!;
}

/** Signed headers of a KMS JSON API call (`POST /`, X-Amz-Target `TrentService.<target>`). */
export async function signKmsHeaders(
  endpoint: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
  target: string,
  body: string,
  extraHeaders: Record<string, string> = {},
): Promise<Record<string, string>> {
  const url = new URL(endpoint);
  const signed = await signer(credentials, region, 'kms').sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `TrentService.${target}`, ...extraHeaders },
    body,
  });
  return signed.headers as Record<string, string>;
}
