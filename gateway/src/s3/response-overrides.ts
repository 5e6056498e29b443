/**
 * GetObject/HeadObject `response-*` query parameters: they replace the stored value of one
 * response header for this response only (a browser download named by
 * response-content-disposition, say).
 *
 * 1. response-content-type, -content-language, -expires, -cache-control,
 *    -content-disposition and -content-encoding set Content-Type, Content-Language,
 *    Expires, Cache-Control, Content-Disposition and Content-Encoding.
 * 2. Only for signed requests: an anonymous request naming one is refused with 400
 *    InvalidRequest, as S3 refuses it.
 * 3. The value goes out as ISO-8859-1, one byte per character: a character beyond U+00FF
 *    -> 400 InvalidArgument "Header value cannot be represented using ISO-8859-1.". A
 *    control character (other than tab) cannot be sent in a header at all and is refused
 *    the same way.
 */
import type { VerifiedAuth } from '../auth/index.js';
import { S3Error } from '../http/errors.js';

const OVERRIDES: readonly (readonly [parameter: string, header: string])[] = [
  ['response-content-type', 'Content-Type'],
  ['response-content-language', 'Content-Language'],
  ['response-expires', 'Expires'],
  ['response-cache-control', 'Cache-Control'],
  ['response-content-disposition', 'Content-Disposition'],
  ['response-content-encoding', 'Content-Encoding'],
];

const SENDABLE_LATIN1 = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The response headers the request overrides, checked before the object is read. */
export function responseOverrides(query: URLSearchParams, auth: VerifiedAuth | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [parameter, header] of OVERRIDES) {
    const value = query.get(parameter);
    if (value === null) continue;
    if (auth === undefined) {
      throw new S3Error('InvalidRequest', 'Request specific response headers cannot be used for anonymous GET requests.');
    }
    if (!SENDABLE_LATIN1.test(value)) {
      throw new S3Error('InvalidArgument', 'Header value cannot be represented using ISO-8859-1.', { ArgumentName: header, ArgumentValue: value });
    }
    headers[header] = value;
  }
  return headers;
}
