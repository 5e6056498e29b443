/**
 * Query-string (presigned URL) authentication.
 *
 * 1. X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders and -Signature are required;
 *    the algorithm must be AWS4-HMAC-SHA256, the date yyyyMMddTHHmmssZ, Expires an integer
 *    0..604800 (negative or above a week: AuthorizationQueryParametersError).
 * 2. The credential scope must name this region and service, and its date the X-Amz-Date day.
 * 3. The URL is valid from X-Amz-Date (with the usual 15 minutes of tolerance for clocks
 *    running ahead) until X-Amz-Date + X-Amz-Expires. Its age alone is never a skew error.
 *    X-Amz-Expires=0 is a window that closed as it opened: always "Request has expired",
 *    even in the second it was signed or when dated ahead of this clock.
 * 4. host and every x-amz-* header sent must be signed (unsigned-headers.ts).
 * 5. The payload hash is the x-amz-content-sha256 header, else the X-Amz-Content-Sha256 query
 *    parameter (where the SDK presigner hoists it), else UNSIGNED-PAYLOAD.
 * 6. Canonical query = every parameter except X-Amz-Signature.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { buildCanonicalRequest, canonicalQuery, canonicalUriS3, type QueryParam } from './canonical.js';
import { payloadModeFor, isStreaming } from './payload-mode.js';
import { checkRequestSignature, lookupCredentials } from './signature.js';
import {
  ALGORITHM,
  QUERY_STYLE,
  checkScope,
  formatIsoSeconds,
  parseAmzDate,
  parseCredential,
  parseSignedHeaders,
} from './sigv4-parse.js';
import { scopeString } from './signing-key.js';
import { requireSignedHeaders } from './unsigned-headers.js';
import type { AuthContext, SigV4Request, VerifiedAuth, VerifyOptions } from './types.js';

const MAX_EXPIRES_SECONDS = 604800;
const FUTURE_TOLERANCE_MS = 15 * 60 * 1000;
const MISSING =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';

function queryError(message: string): S3Error {
  return new S3Error('AuthorizationQueryParametersError', message);
}

export function verifyPresigned(req: SigV4Request, params: readonly QueryParam[], ctx: AuthContext, opts: VerifyOptions): VerifiedAuth {
  const get = (name: string): string | undefined => params.find((p) => p.name === name)?.value;
  const algorithm = get('X-Amz-Algorithm');
  const credentialText = get('X-Amz-Credential');
  const dateText = get('X-Amz-Date');
  const expiresText = get('X-Amz-Expires');
  const signedHeadersText = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  if (!algorithm || !credentialText || !dateText || !expiresText || !signedHeadersText || !signature) throw queryError(MISSING);
  if (algorithm !== ALGORITHM) throw queryError('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');

  const credential = parseCredential(credentialText, QUERY_STYLE);
  const requestTime = parseAmzDate(dateText);
  if (!requestTime) throw queryError(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  if (!/^-?\d+$/.test(expiresText)) throw queryError('X-Amz-Expires should be a number');
  const expires = Number(expiresText);
  if (expires < 0) throw queryError('X-Amz-Expires must be non-negative');
  if (expires > MAX_EXPIRES_SECONDS) {
    throw queryError(
      'X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  checkScope(credential, { region: ctx.region, service: opts.service }, QUERY_STYLE);
  if (credential.date !== dateText.slice(0, 8)) {
    throw queryError(`Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${dateText.slice(0, 8)}".`);
  }
  const credentials = lookupCredentials(ctx.lookup, credential.accessKeyId);

  const now = ctx.now.getTime();
  if (requestTime.getTime() - now > FUTURE_TOLERANCE_MS) throw new S3Error('AccessDenied', 'Request is not valid yet');
  const expiresAt = new Date(requestTime.getTime() + expires * 1000);
  if (expires === 0 || now > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expiresText,
      Expires: formatIsoSeconds(expiresAt),
      ServerTime: formatIsoSeconds(ctx.now),
    });
  }

  const signedHeaders = parseSignedHeaders(signedHeadersText);
  requireSignedHeaders(req.headers, signedHeaders);
  const hashedPayload =
    headerValue(req.headers, 'x-amz-content-sha256')?.trim() || get('X-Amz-Content-Sha256') || 'UNSIGNED-PAYLOAD';
  const payload = payloadModeFor(hashedPayload);

  const canonicalRequest = buildCanonicalRequest({
    method: req.method,
    canonicalUri: opts.service === 's3' ? canonicalUriS3(req.rawPath) : '/',
    canonicalQuery: canonicalQuery(params, 'X-Amz-Signature'),
    headers: req.headers,
    signedHeaders,
    hashedPayload,
  });
  const signingKey = checkRequestSignature({
    credentials,
    scope: credential,
    amzDate: dateText,
    canonicalRequest,
    provided: signature,
  });
  return {
    accessKeyId: credential.accessKeyId,
    service: credential.service,
    payload,
    signatureVersion: 4,
    presigned: true,
    ...(isStreaming(payload) && {
      streaming: { signingKey: Buffer.from(signingKey), amzDate: dateText, scope: scopeString(credential), seedSignature: signature },
    }),
  };
}
