/**
 * The last step shared by header and query auth: string to sign, expected signature,
 * constant-time comparison, and the SignatureDoesNotMatch document S3 sends on a mismatch.
 *
 *   StringToSign = "AWS4-HMAC-SHA256" \n <yyyyMMddTHHmmssZ> \n <scope> \n hex(SHA256(CanonicalRequest))
 */
import { S3Error } from '../http/errors.js';
import { spacedHex } from './canonical.js';
import { ALGORITHM } from './sigv4-parse.js';
import { hmac, scopeString, sha256Hex, signaturesEqual, signingKeyFor, type Scope } from './signing-key.js';
import type { Credentials } from './types.js';

export interface SignatureInput {
  credentials: Credentials;
  scope: Scope;
  amzDate: string;
  /** The canonical request's bytes (see canonical.ts). */
  canonicalRequest: Buffer;
  provided: string;
}

/** Returns the (cached, shared) signing key when the signature matches; throws SignatureDoesNotMatch otherwise. */
export function checkRequestSignature(input: SignatureInput): Buffer {
  const stringToSign = [ALGORITHM, input.amzDate, scopeString(input.scope), sha256Hex(input.canonicalRequest)].join('\n');
  const key = signingKeyFor(input.credentials.secretAccessKey, input.scope);
  const expected = hmac(key, stringToSign).toString('hex');
  if (!signaturesEqual(input.provided, expected)) {
    throw new S3Error('SignatureDoesNotMatch', undefined, {
      AWSAccessKeyId: input.credentials.accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: input.provided,
      StringToSignBytes: spacedHex(stringToSign),
      CanonicalRequest: input.canonicalRequest.toString('utf8'),
      CanonicalRequestBytes: spacedHex(input.canonicalRequest),
    });
  }
  return key;
}

export function lookupCredentials(lookup: (id: string) => Credentials | undefined, accessKeyId: string): Credentials {
  const found = lookup(accessKeyId);
  if (!found) throw new S3Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: accessKeyId });
  return found;
}
