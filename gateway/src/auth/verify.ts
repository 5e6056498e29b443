/**
 * Entry point of request authentication: picks the header or the presigned-URL form, refuses
 * requests that carry both, and answers null for anonymous requests.
 */
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { parseRawQuery } from './canonical.js';
import { verifyHeaderAuth } from './header-auth.js';
import { verifyPresigned } from './presigned.js';
import type { AuthContext, SigV4Request, VerifiedAuth, VerifyOptions } from './types.js';

const QUERY_AUTH_PARAMS = new Set(['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature']);
const UNSUPPORTED_MECHANISM = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

/** Returns null when the request carries no SigV4 auth at all (anonymous). Throws S3Error on any auth failure. */
export function verifySigV4(req: SigV4Request, ctx: AuthContext, opts: VerifyOptions): VerifiedAuth | null {
  const authorization = headerValue(req.headers, 'authorization');
  const params = parseRawQuery(req.rawQuery);
  const names = new Set(params.map((p) => p.name));
  const queryAuth = [...QUERY_AUTH_PARAMS].some((n) => names.has(n));
  const queryV2 = names.has('AWSAccessKeyId') && names.has('Signature');

  if (authorization !== undefined && (queryAuth || queryV2)) {
    throw new S3Error(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      { ArgumentName: 'Authorization', ArgumentValue: authorization },
    );
  }
  if (authorization !== undefined) return verifyHeaderAuth(req, authorization, params, ctx, opts);
  if (queryAuth) return verifyPresigned(req, params, ctx, opts);
  if (queryV2) throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM);
  return null;
}
