/**
 * Entry point of request authentication, and the one place where the mechanism is chosen:
 *
 *   Authorization: AWS4-HMAC-SHA256 ...        SigV4 header       (header-auth.ts)
 *   ?X-Amz-Algorithm=...&X-Amz-Signature=...   SigV4 presigned    (presigned.ts)
 *   Authorization: AWS <key>:<signature>       SigV2 header       (sigv2.ts)
 *   ?AWSAccessKeyId=...&Expires=...&Signature  SigV2 presigned    (sigv2.ts)
 *   a POST form's policy and signature         verifyPostPolicy   (V4: post-policy-v4.ts, V2: sigv2.ts;
 *                                              the form's fields say which)
 *   nothing                                    anonymous: null (the caller decides; a CORS
 *                                              preflight never gets here)
 *
 * A request carrying two mechanisms is refused. SigV2 is taken for S3 only when enabled
 * (KMSGATE_SIGV2, on by default); otherwise, and always for KMS, it gets the answer of AWS's
 * SigV4-only regions.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { parseRawQuery } from './canonical.js';
import { verifyHeaderAuth } from './header-auth.js';
import { verifyPresigned } from './presigned.js';
import { verifySigV4Policy, type PostPolicyV4 } from './post-policy-v4.js';
import { verifySigV2Header, verifySigV2Policy, verifySigV2Query, type PostPolicyV2 } from './sigv2.js';
import type { AuthContext, SigV4Request, VerifiedAuth, VerifyOptions } from './types.js';

const QUERY_AUTH_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature']);
const UNSUPPORTED_MECHANISM = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

function sigv2Allowed(opts: VerifyOptions): void {
  if (opts.service !== 's3' || !opts.sigv2) throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM);
}

/** Returns null when the request carries no auth at all (anonymous). Throws S3Error on any auth failure. */
export function verifyRequest(req: SigV4Request, ctx: AuthContext, opts: VerifyOptions): VerifiedAuth | null {
  const authorization = headerValue(req.headers, 'authorization');
  const params = parseRawQuery(req.rawQuery);
  const names = new Set(params.map((p) => p.name));
  const queryAuth = [...QUERY_AUTH_PARAMS].some((n) => names.has(n));
  const queryV2 = names.has('Signature');

  if (authorization !== undefined && (queryAuth || queryV2)) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorization },
    );
  }
  if (authorization !== undefined && authorization.startsWith('AWS ')) {
    sigv2Allowed(opts);
    return verifySigV2Header(req, authorization, params, ctx);
  }
  if (authorization !== undefined) return verifyHeaderAuth(req, authorization, params, ctx, opts);
  if (queryAuth) return verifyPresigned(req, params, ctx, opts);
  if (queryV2) {
    sigv2Allowed(opts);
    return verifySigV2Query(req, params, ctx);
  }
  return null;
}

/**
 * A POST form's policy signature: SigV4 (x-amz-algorithm, -credential, -date, -signature
 * fields) or SigV2 (AWSAccessKeyId, signature fields), over the form's policy as sent.
 */
export function verifyPostPolicy(form: PostPolicyV2 | PostPolicyV4, ctx: AuthContext, opts: VerifyOptions): VerifiedAuth {
  if ('credential' in form) return verifySigV4Policy(form, ctx);
  sigv2Allowed(opts);
  return verifySigV2Policy(form, ctx);
}
