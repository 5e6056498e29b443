/**
 * A browser form's SigV4 policy signature (POST Object). The form, not a header, carries it:
 *
 *   x-amz-algorithm  = AWS4-HMAC-SHA256
 *   x-amz-credential = <AKID>/<yyyymmdd>/<region>/s3/aws4_request
 *   x-amz-date       = <yyyyMMddTHHmmssZ>
 *   x-amz-signature  = hex(HMAC-SHA256(signing key of the credential's scope, policy))
 *
 * where `policy` is the base64 text exactly as the form sent it (not the decoded JSON). A
 * failure names the form field, as S3 does: InvalidArgument with ArgumentName/ArgumentValue
 * for a field that does not parse (the messages a presigned URL gets, without their
 * "Error parsing the X-Amz-Credential parameter;" prefix), InvalidAccessKeyId, and
 * SignatureDoesNotMatch whose string to sign is the policy. Checking the policy's expiration
 * and conditions is the POST operation's job (post/post-policy.ts).
 */
import { S3Error } from '../http/errors.js';
import { spacedHex } from './canonical.js';
import { lookupCredentials } from './signature.js';
import { hmac, signaturesEqual, signingKeyFor } from './signing-key.js';
import { ALGORITHM, checkScope, parseAmzDate, parseCredential, type CredentialErrorStyle } from './sigv4-parse.js';
import type { AuthContext, VerifiedAuth } from './types.js';

export interface PostPolicyV4 {
  algorithm: string;
  credential: string;
  date: string;
  /** The form's `policy` field exactly as sent. */
  policy: string;
  signature: string;
}

/** parseCredential's messages start after a prefix; a form has none, and names the field instead. */
const FORM_STYLE: CredentialErrorStyle = { code: 'InvalidArgument', prefix: '' };

function fieldError(message: string, name: string, value: string, extra: Record<string, string> = {}): S3Error {
  return new S3Error('InvalidArgument', message, { ArgumentName: name, ArgumentValue: value, ...extra });
}

function withFieldNamed(err: unknown, name: string, value: string): never {
  if (err instanceof S3Error) {
    const extra = Object.fromEntries(Object.entries(err.fields).map(([k, v]) => [k, String(v)]));
    throw fieldError(err.message.trim(), name, value, extra);
  }
  throw err;
}

export function verifySigV4Policy(form: PostPolicyV4, ctx: AuthContext): VerifiedAuth {
  if (form.algorithm !== ALGORITHM) throw fieldError(`X-Amz-Algorithm only supports "${ALGORITHM}"`, 'X-Amz-Algorithm', form.algorithm);
  if (form.credential.startsWith('/')) {
    throw fieldError('a non-empty Access Key (AKID) must be provided in the credential.', 'X-Amz-Credential', form.credential);
  }
  let credential;
  try {
    credential = parseCredential(form.credential, FORM_STYLE);
    checkScope(credential, { region: ctx.region, service: 's3' }, FORM_STYLE);
  } catch (err) {
    withFieldNamed(err, 'X-Amz-Credential', form.credential);
  }
  // "formated" is S3's spelling.
  if (!parseAmzDate(form.date)) throw fieldError('X-Amz-Date must be formated via ISO8601 Long format', 'X-Amz-Date', form.date);
  const credentials = lookupCredentials(ctx.lookup, credential.accessKeyId);
  const expected = hmac(signingKeyFor(credentials.secretAccessKey, credential), form.policy).toString('hex');
  if (!signaturesEqual(form.signature, expected)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: credentials.accessKeyId,
      StringToSign: form.policy,
      SignatureProvided: form.signature,
      StringToSignBytes: spacedHex(form.policy),
    });
  }
  return { signatureVersion: 4, accessKeyId: credential.accessKeyId, service: 's3', payload: { kind: 'unsigned' }, presigned: false };
}
