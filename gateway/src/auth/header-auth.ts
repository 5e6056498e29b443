/**
 * Authorization-header SigV4 (the form every SDK uses).
 *
 * Order of checks, each failing with S3's own error:
 * 1. Parse the header (AuthorizationHeaderMalformed / InvalidArgument / InvalidRequest).
 * 2. Scope: service, then region (AuthorizationHeaderMalformed with the expected Region).
 * 3. Timestamp from x-amz-date, else Date (AccessDenied when neither parses); the scope date
 *    must be that day.
 * 4. Access key (InvalidAccessKeyId), host signed, x-amz-content-sha256 present (S3).
 * 5. Clock skew over 15 minutes -> RequestTimeTooSkewed.
 * 6. Signature (SignatureDoesNotMatch with the canonical request and string to sign).
 * For KMS and IAM the canonical URI is '/' and x-amz-content-sha256 carries the body hash that the
 * endpoint computed, which must be a hex digest.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { buildCanonicalRequest, canonicalQuery, canonicalUriS3, type QueryParam } from './canonical.js';
import { isStreaming, payloadModeFor } from './payload-mode.js';
import { checkRequestSignature, lookupCredentials } from './signature.js';
import {
  HEADER_STYLE,
  checkScope,
  formatAmzDate,
  formatIsoSeconds,
  parseAmzDate,
  parseAuthorizationHeader,
} from './sigv4-parse.js';
import { scopeString } from './signing-key.js';
import { requireSignedHeaders } from './unsigned-headers.js';
import type { AuthContext, SigV4Request, VerifiedAuth, VerifyOptions } from './types.js';

const MAX_SKEW_MS = 900000;

interface RequestTimestamp {
  /** The header text as sent (S3 echoes it in RequestTime). */
  sent: string;
  /** The same instant as yyyyMMddTHHmmssZ, the form that goes into the string to sign. */
  amzDate: string;
  time: Date;
}

function requestTimestamp(req: SigV4Request): RequestTimestamp {
  const amz = headerValue(req.headers, 'x-amz-date')?.trim();
  if (amz !== undefined) {
    const time = parseAmzDate(amz);
    if (time) return { sent: amz, amzDate: amz, time };
  } else {
    const date = headerValue(req.headers, 'date')?.trim();
    const ms = date === undefined ? NaN : Date.parse(date);
    if (date !== undefined && Number.isFinite(ms)) {
      const time = new Date(ms);
      return { sent: date, amzDate: formatAmzDate(time), time };
    }
  }
  throw new S3Error('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
}

export function verifyHeaderAuth(
  req: SigV4Request,
  authorization: string,
  params: readonly QueryParam[],
  ctx: AuthContext,
  opts: VerifyOptions,
): VerifiedAuth {
  const parsed = parseAuthorizationHeader(authorization);
  const { credential } = parsed;
  checkScope(credential, { region: ctx.region, service: opts.service }, HEADER_STYLE);
  const timestamp = requestTimestamp(req);
  if (credential.date !== timestamp.amzDate.slice(0, 8)) {
    throw new S3Error(
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; Invalid credential date "${credential.date}". This date is not the same as X-Amz-Date: "${timestamp.amzDate.slice(0, 8)}".`,
    );
  }
  const credentials = lookupCredentials(ctx.lookup, credential.accessKeyId);
  requireSignedHeaders(req.headers, parsed.signedHeaders);

  const contentSha = headerValue(req.headers, 'x-amz-content-sha256')?.trim();
  if (contentSha === undefined) {
    throw new S3Error('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  }
  const payload = payloadModeFor(contentSha);
  if (opts.service !== 's3' && payload.kind !== 'signed') {
    throw new S3Error('InvalidRequest', 'The payload of a KMS or IAM request must be signed.');
  }

  const skew = Math.abs(ctx.now.getTime() - timestamp.time.getTime());
  if (skew > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: timestamp.sent,
      ServerTime: formatIsoSeconds(ctx.now),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }

  const canonicalRequest = buildCanonicalRequest({
    method: req.method,
    canonicalUri: opts.service === 's3' ? canonicalUriS3(req.rawPath) : '/',
    canonicalQuery: canonicalQuery(params),
    headers: req.headers,
    signedHeaders: parsed.signedHeaders,
    hashedPayload: contentSha,
  });
  const signingKey = checkRequestSignature({
    credentials,
    scope: credential,
    amzDate: timestamp.amzDate,
    canonicalRequest,
    provided: parsed.signature,
  });
  return {
    accessKeyId: credential.accessKeyId,
    service: credential.service,
    payload,
    signatureVersion: 4,
    presigned: false,
    ...(isStreaming(payload) && {
      streaming: {
        signingKey: Buffer.from(signingKey),
        amzDate: timestamp.amzDate,
        scope: scopeString(credential),
        seedSignature: parsed.signature,
      },
    }),
  };
}
