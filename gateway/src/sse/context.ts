/**
 * The encryption context of an object: the client's context header plus
 * `aws:s3:arn = arn:aws:s3:::<bucket>/<key>`, in one canonical byte form (UTF-8 JSON,
 * keys by code point, no whitespace). The same bytes are the KMS AAD, the HKDF input of
 * the object format and what the metadata record stores.
 */
import { canonicalEncryptionContext as kmsCanonicalContext } from '@kmsgate/kms-core';
import { S3Error } from '../http/errors.js';

export const CONTEXT_HEADER = 'x-amz-server-side-encryption-context';
export const S3_ARN_CONTEXT_KEY = 'aws:s3:arn';
const MALFORMED_CONTEXT_MESSAGE =
  "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";

export type EncryptionContext = Readonly<Record<string, string>>;

export function objectArn(bucket: string, key: string): string {
  return `arn:aws:s3:::${bucket}/${key}`;
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
// A lone surrogate cannot be encoded as UTF-8, so two different keys could collide.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Parses the context header; `undefined` (header absent) is the empty context. */
export function parseContextHeader(value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  const malformed = (): S3Error =>
    new S3Error('InvalidArgument', MALFORMED_CONTEXT_MESSAGE, { ArgumentName: CONTEXT_HEADER, ArgumentValue: value });
  if (value.length === 0 || !BASE64.test(value)) throw malformed();
  let parsed: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(value, 'base64'));
    parsed = JSON.parse(text);
  } catch {
    throw malformed();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed();
  const context: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (typeof v !== 'string' || LONE_SURROGATE.test(k) || LONE_SURROGATE.test(v)) throw malformed();
    context[k] = v;
  }
  return context;
}

export interface ObjectEncryptionContext {
  readonly context: EncryptionContext;
  readonly canonical: Buffer;
}

/**
 * The full context for writing `bucket/key`. A client-supplied `aws:s3:arn` must name
 * this very object; anything else would bind the data key to another object.
 */
export function buildEncryptionContext(args: { header: string | undefined; bucket: string; key: string }): ObjectEncryptionContext {
  const context = parseContextHeader(args.header);
  const arn = objectArn(args.bucket, args.key);
  const supplied = Object.hasOwn(context, S3_ARN_CONTEXT_KEY) ? context[S3_ARN_CONTEXT_KEY] : undefined;
  if (supplied !== undefined && supplied !== arn) {
    throw new S3Error('InvalidArgument', `The encryption context key '${S3_ARN_CONTEXT_KEY}' must be '${arn}'`, {
      ArgumentName: CONTEXT_HEADER, ArgumentValue: args.header ?? '',
    });
  }
  context[S3_ARN_CONTEXT_KEY] = arn;
  return { context, canonical: canonicalEncryptionContext(context) };
}

/**
 * kms-core's canonical form, so that the KMS AAD, the HKDF input and the stored context are
 * the same bytes by construction rather than by two implementations agreeing.
 */
export function canonicalEncryptionContext(context: EncryptionContext): Buffer {
  return kmsCanonicalContext({ ...context });
}

/**
 * On read: the stored context must name the object being requested. A mismatch means
 * the files were moved outside the API; refuse before calling the KMS.
 */
export function assertContextNamesObject(context: EncryptionContext, bucket: string, key: string): void {
  if (context[S3_ARN_CONTEXT_KEY] !== objectArn(bucket, key)) throw new S3Error('AccessDenied');
}
