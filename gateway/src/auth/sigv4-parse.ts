/**
 * Strict parsing of the SigV4 pieces a client sends: the Authorization header, the credential
 * (`AKID/yyyymmdd/region/service/aws4_request`) and the request timestamp. Every failure is an
 * S3Error with the text S3 sends.
 *
 * Authorization: AWS4-HMAC-SHA256 Credential=<cred>, SignedHeaders=<a;b;c>, Signature=<hex>
 * (components separated by ',' with optional spaces, each exactly once, in any order).
 */
import { S3Error, type S3ErrorCode } from '../http/errors.js';
import type { Scope } from './signing-key.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';

export interface ParsedCredential extends Scope {
  accessKeyId: string;
}

export interface ParsedAuthorization {
  credential: ParsedCredential;
  signedHeaders: string[];
  signature: string;
}

const HEADER_MALFORMED = 'The authorization header is malformed;';
const THREE_COMPONENTS = `${HEADER_MALFORMED} the authorization header requires three components: Credential, SignedHeaders, and Signature.`;
const UNSUPPORTED_MECHANISM = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

/** How credential errors are reported: header auth and presigned URLs word them differently. */
export interface CredentialErrorStyle {
  code: S3ErrorCode;
  prefix: string;
}
export const HEADER_STYLE: CredentialErrorStyle = { code: 'AuthorizationHeaderMalformed', prefix: HEADER_MALFORMED };
export const QUERY_STYLE: CredentialErrorStyle = {
  code: 'AuthorizationQueryParametersError',
  prefix: 'Error parsing the X-Amz-Credential parameter;',
};

export function parseCredential(text: string, style: CredentialErrorStyle): ParsedCredential {
  const parts = text.split('/');
  if (parts.length !== 5 || parts[0] === '' || !/^\d{8}$/.test(parts[1]) || parts[2] === '' || parts[3] === '') {
    throw new S3Error(
      style.code,
      `${style.prefix} the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  const [accessKeyId, date, region, service, terminal] = parts;
  if (terminal !== 'aws4_request') {
    throw new S3Error(style.code, `${style.prefix} incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  }
  return { accessKeyId, date, region, service };
}

/** Checks the scope against this endpoint: the service asked for and the gateway's region. */
export function checkScope(cred: ParsedCredential, expected: { region: string; service: string }, style: CredentialErrorStyle): void {
  if (cred.service !== expected.service) {
    throw new S3Error(style.code, `${style.prefix} incorrect service "${cred.service}". This endpoint belongs to "${expected.service}".`);
  }
  if (cred.region !== expected.region) {
    throw new S3Error(style.code, `${style.prefix} the region '${cred.region}' is wrong; expecting '${expected.region}'`, {
      Region: expected.region,
    });
  }
}

export function parseAuthorizationHeader(value: string): ParsedAuthorization {
  const space = value.indexOf(' ');
  const scheme = space === -1 ? value : value.slice(0, space);
  if (scheme !== ALGORITHM) {
    if (scheme === 'AWS' || scheme === 'AWS4-ECDSA-P256-SHA256') throw new S3Error('InvalidRequest', UNSUPPORTED_MECHANISM);
    throw new S3Error('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization', ArgumentValue: value });
  }
  const components = new Map<string, string>();
  for (const piece of value.slice(space + 1).split(',')) {
    const item = piece.trim();
    const eq = item.indexOf('=');
    const name = eq === -1 ? item : item.slice(0, eq);
    if (eq === -1 || components.has(name) || !['Credential', 'SignedHeaders', 'Signature'].includes(name)) {
      throw new S3Error('AuthorizationHeaderMalformed', THREE_COMPONENTS);
    }
    components.set(name, item.slice(eq + 1));
  }
  const credential = components.get('Credential');
  const signedHeaders = components.get('SignedHeaders');
  const signature = components.get('Signature');
  if (!credential || !signedHeaders || !signature) throw new S3Error('AuthorizationHeaderMalformed', THREE_COMPONENTS);
  return {
    credential: parseCredential(credential, HEADER_STYLE),
    signedHeaders: parseSignedHeaders(signedHeaders),
    signature,
  };
}

export function parseSignedHeaders(text: string): string[] {
  return text.split(';').map((h) => h.trim().toLowerCase());
}

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Parses `yyyyMMddTHHmmssZ`; undefined when malformed or not a real instant. */
export function parseAmzDate(text: string): Date | undefined {
  const m = AMZ_DATE.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const roundTrips =
    date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d &&
    date.getUTCHours() === h && date.getUTCMinutes() === mi && date.getUTCSeconds() === s;
  return roundTrips ? date : undefined;
}

/** `yyyyMMddTHHmmssZ` for an instant (the form used in the string to sign). */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** ISO 8601 without milliseconds, as S3 writes ServerTime and Expires in error bodies. */
export function formatIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
