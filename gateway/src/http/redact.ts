/**
 * Redaction for log lines. The logger runs every message and field through `redact()`, so
 * no call site has to remember which of its values are secret: a header map, a URL, an
 * error stack or a canonical request logged anywhere comes out without signatures,
 * credentials, session tokens or keys.
 *
 * Two rules:
 *   1. A field whose name says it holds a secret (Authorization, X-Amz-Signature,
 *      SignatureProvided, AWSAccessKeyId, secretAccessKey, ...) is replaced whole.
 *   2. Inside any string, the value of a secret-bearing parameter is replaced where it
 *      appears as a query or Authorization-header parameter (`X-Amz-Signature=...`,
 *      `Credential=...`, `chunk-signature=...`), as a header line (`authorization: ...`,
 *      as in a canonical request), as a SigV2 `AWS id:signature` header value, or as the
 *      previous signature inside a chunk's string to sign.
 */

export const REDACTED = '[REDACTED]';

/** Field names compared lower-case with every non-alphanumeric character dropped. */
const SECRET_FIELDS = new Set([
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'signature',
  'xamzsignature',
  'signatureprovided',
  'chunksignature',
  'xamztrailersignature',
  'credential',
  'credentials',
  'xamzcredential',
  'awsaccesskeyid',
  'accesskeyid',
  'secretaccesskey',
  'secret',
  'securitytoken',
  'sessiontoken',
  'xamzsecuritytoken',
  'password',
  'rootkey',
  'plaintext',
  // Hex spellings of the canonical request and string to sign: a query credential in hex.
  'canonicalrequestbytes',
  'stringtosignbytes',
]);

/** SSE-C keys and the like: any name ending so is secret too. */
const SECRET_SUFFIXES = ['customerkey', 'secretkey', 'privatekey', 'password'];

const PARAMS = 'X-Amz-Signature|X-Amz-Credential|X-Amz-Security-Token|Signature|Credential|AWSAccessKeyId|chunk-signature';
/** `name=value` after a start of line, `?`, `&`, `;`, `,` or whitespace (query strings, Authorization values). */
const PARAM_VALUE = new RegExp(`(^|[?&;,\\s])(${PARAMS})=[^&,;\\s"']*`, 'gim');
/** `name: value` header lines, as in a canonical request or a trailer. */
const HEADER_LINE = /^(authorization|proxy-authorization|cookie|x-amz-security-token|x-amz-trailer-signature)\s*:.*$/gim;
/** A chunk's or trailer's string to sign: its fourth line is the previous (valid) signature. */
const CHAINED_STRING_TO_SIGN = /^(AWS4-HMAC-SHA256-(?:PAYLOAD|TRAILER)\n[^\n]*\n[^\n]*\n)[0-9a-f]+/gim;
/** SigV2: `Authorization: AWS AKIDEXAMPLE:base64signature`. */
const SIGV2_HEADER = /\bAWS [A-Za-z0-9]+:[A-Za-z0-9+/=]+/g;

export function isSecretField(name: string): boolean {
  const normal = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  return SECRET_FIELDS.has(normal) || SECRET_SUFFIXES.some((s) => normal.endsWith(s));
}

export function redactString(text: string): string {
  return text
    .replace(PARAM_VALUE, (_m, lead: string, name: string) => `${lead}${name}=${REDACTED}`)
    .replace(HEADER_LINE, (_m, name: string) => `${name}:${REDACTED}`)
    .replace(SIGV2_HEADER, `AWS ${REDACTED}`)
    .replace(CHAINED_STRING_TO_SIGN, (_m, head: string) => `${head}${REDACTED}`);
}

const MAX_DEPTH = 8;

/** A copy of `value` safe to log: plain data only, secrets replaced, errors as their stack. */
export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return typeof value === 'bigint' ? value.toString() : value;
  if (value instanceof Error) return redactString(value.stack ?? `${value.name}: ${value.message}`);
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return `[${value.byteLength} bytes]`;
  if (seen.has(value) || depth >= MAX_DEPTH) return '[…]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) {
    out[name] = isSecretField(name) ? REDACTED : redact(item, depth + 1, seen);
  }
  return out;
}
