/**
 * Signature Version 2: `Authorization: AWS <key>:<signature>`, presigned URLs
 * (`AWSAccessKeyId`, `Expires`, `Signature`) and POST policy signatures. verify.ts decides
 * when these apply; the string to sign is sigv2-canonical.ts.
 *
 * Header auth, checked in the order S3 checks it:
 * 1. One space after `AWS`, then `<key>:<signature>` with exactly one colon (InvalidArgument).
 * 2. The time: x-amz-date when sent, else Date, in any HTTP date form (AccessDenied when
 *    neither reads); more than 15 minutes off this clock is RequestTimeTooSkewed.
 * 3. The access key (InvalidAccessKeyId), then the signature (SignatureDoesNotMatch with the
 *    string to sign; V2 has no canonical request).
 * Presigned: Signature needs Expires and AWSAccessKeyId beside it; Expires is whole seconds
 * since the epoch and the URL serves until then (no skew rule: a URL may be valid for years);
 * the date line of the string to sign is Expires as sent.
 *
 * V2 signs no payload hash: the body is taken as sent (Content-MD5, when given, is still
 * checked by the body stages). Signatures are compared in constant time.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { spacedHex, type QueryParam } from './canonical.js';
import { canonicalResource, signV2, stringToSignV2 } from './sigv2-canonical.js';
import { lookupCredentials } from './signature.js';
import { signaturesEqual } from './signing-key.js';
import { formatIsoSeconds } from './sigv4-parse.js';
import type { AuthContext, Credentials, SigV4Request, VerifiedAuth } from './types.js';

const MAX_SKEW_MS = 900000;
const ONE_SPACE = "Authorization header is invalid -- one and only one ' ' (space) required";
const KEY_COLON_SIGNATURE = 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature';
const QUERY_PARAMETERS = 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters';
const NO_DATE = 'AWS authentication requires a valid Date or x-amz-date header';

function verified(accessKeyId: string, presigned: boolean): VerifiedAuth {
  return { signatureVersion: 2, accessKeyId, service: 's3', payload: { kind: 'unsigned' }, presigned };
}

/** Checks `provided` against base64(HMAC-SHA1(secret, stringToSign)); SignatureDoesNotMatch otherwise. */
function checkSignatureV2(credentials: Credentials, stringToSign: Buffer, provided: string): void {
  const expected = signV2(credentials.secretAccessKey, stringToSign);
  if (!signaturesEqual(provided, expected)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: credentials.accessKeyId,
      StringToSign: stringToSign.toString('latin1'),
      SignatureProvided: provided,
      StringToSignBytes: spacedHex(stringToSign),
    });
  }
}

function requestTime(req: SigV4Request): { sent: string; time: Date; dateLine: string } {
  const amzDate = headerValue(req.headers, 'x-amz-date');
  const sent = (amzDate ?? headerValue(req.headers, 'date'))?.trim();
  const ms = sent === undefined || sent === '' ? NaN : Date.parse(sent);
  if (sent === undefined || !Number.isFinite(ms)) throw new S3Error('AccessDenied', NO_DATE);
  // With x-amz-date the Date line is empty: the time is signed among the x-amz-* headers.
  return { sent, time: new Date(ms), dateLine: amzDate === undefined ? sent : '' };
}

export function verifySigV2Header(req: SigV4Request, authorization: string, params: readonly QueryParam[], ctx: AuthContext): VerifiedAuth {
  const rest = authorization.slice('AWS '.length);
  const argument = { ArgumentName: 'Authorization', ArgumentValue: authorization };
  if (rest.startsWith(' ')) throw new S3Error('InvalidArgument', ONE_SPACE, argument);
  const colon = rest.indexOf(':');
  const accessKeyId = rest.slice(0, colon);
  const signature = rest.slice(colon + 1);
  if (colon === -1 || signature === '' || signature.includes(':')) throw new S3Error('InvalidArgument', KEY_COLON_SIGNATURE, argument);

  const time = requestTime(req);
  if (Math.abs(ctx.now.getTime() - time.time.getTime()) > MAX_SKEW_MS) {
    throw new S3Error('RequestTimeTooSkewed', undefined, {
      RequestTime: time.sent,
      ServerTime: formatIsoSeconds(ctx.now),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }
  const credentials = lookupCredentials(ctx.lookup, accessKeyId);
  const resource = canonicalResource(req.rawPath, params, req.virtualHostBucket);
  checkSignatureV2(credentials, stringToSignV2({ method: req.method, headers: req.headers, dateLine: time.dateLine, resource }), signature);
  return verified(accessKeyId, false);
}

export function verifySigV2Query(req: SigV4Request, params: readonly QueryParam[], ctx: AuthContext): VerifiedAuth {
  const get = (name: string): string | undefined => params.find((p) => p.name === name)?.value;
  const accessKeyId = get('AWSAccessKeyId');
  const expiresText = get('Expires');
  // A '+' left unencoded in the URL reads as a space; base64 has no spaces, so it was a '+'.
  const signature = get('Signature')?.replaceAll(' ', '+');
  if (accessKeyId === undefined || expiresText === undefined || signature === undefined) throw new S3Error('AccessDenied', QUERY_PARAMETERS);
  const expires = /^[+-]?\d{1,15}$/.test(expiresText) ? Number(expiresText) : NaN;
  if (!Number.isSafeInteger(expires)) throw new S3Error('AccessDenied', `Invalid date (should be seconds since epoch): ${expiresText}`);
  const expiresAt = new Date(expires * 1000);
  if (ctx.now.getTime() > expiresAt.getTime()) {
    throw new S3Error('AccessDenied', 'Request has expired', { Expires: formatIsoSeconds(expiresAt), ServerTime: formatIsoSeconds(ctx.now) });
  }
  const credentials = lookupCredentials(ctx.lookup, accessKeyId);
  const resource = canonicalResource(req.rawPath, params, req.virtualHostBucket);
  checkSignatureV2(credentials, stringToSignV2({ method: req.method, headers: req.headers, dateLine: expiresText, resource }), signature);
  return verified(accessKeyId, true);
}

export interface PostPolicyV2 {
  /** The form's `AWSAccessKeyId` field. */
  accessKeyId: string;
  /** The form's `policy` field exactly as sent (base64 of the policy JSON): what was signed. */
  policy: string;
  /** The form's `signature` field. */
  signature: string;
}

/**
 * A browser form's SigV2 policy signature: base64(HMAC-SHA1(secret, policy)) over the base64
 * text of the policy. Checking the policy's conditions is the POST operation's job. Callers
 * go through verifyPostPolicy (verify.ts), which refuses V2 when it is turned off.
 */
export function verifySigV2Policy(form: PostPolicyV2, ctx: AuthContext): VerifiedAuth {
  const credentials = lookupCredentials(ctx.lookup, form.accessKeyId);
  checkSignatureV2(credentials, Buffer.from(form.policy, 'utf8'), form.signature);
  return verified(form.accessKeyId, false);
}

/**
 * S3 serves an object protected by an AWS KMS key only to SigV4 requests: writing one (by
 * header or by the bucket's default) or reading one with SigV2 is refused, as AWS refuses it.
 */
export function requireSigV4ForKms(auth: VerifiedAuth): void {
  if (auth.signatureVersion === 4) return;
  throw new S3Error('InvalidArgument', 'Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.', {
    ArgumentName: 'Authorization',
  });
}
