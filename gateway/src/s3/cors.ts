/**
 * Bucket CORS rules: the PutBucketCors document, rule matching, and the response headers S3
 * sends when a rule matches. Pure: no I/O.
 *
 * Document: <CORSConfiguration> with 1..100 <CORSRule>, each with an optional <ID>, 1+
 * <AllowedMethod> (GET PUT HEAD POST DELETE), 1+ <AllowedOrigin>, any <AllowedHeader> and
 * <ExposeHeader>, and an optional <MaxAgeSeconds>. Origins and headers may hold one '*'.
 *
 * Matching, first rule wins:
 * 1. The Origin matches one AllowedOrigin ('*' alone matches any; otherwise one '*' stands for
 *    any run of characters, the rest compared exactly).
 * 2. The method (a preflight's Access-Control-Request-Method) is one of AllowedMethod.
 * 3. A preflight's Access-Control-Request-Headers: every name, lower-cased, matches an
 *    AllowedHeader (compared case-insensitively, one '*' as above). Actual requests are not
 *    checked for headers: the browser did that at preflight.
 *
 * Headers on a match: Access-Control-Allow-Origin (the Origin; '*' when the rule allows any
 * origin, then without Allow-Credentials), Access-Control-Allow-Methods (the rule's, ', '),
 * Access-Control-Allow-Headers (a preflight's requested names, lower-cased), Expose-Headers,
 * Max-Age when set, and Vary.
 */
import { S3Error } from '../http/errors.js';
import { element, optional, repeated, text, type XmlNode } from '../http/xml-parse.js';
import type { XmlObject } from '../http/xml.js';

export interface CorsRule {
  id?: string;
  allowedMethods: string[];
  allowedOrigins: string[];
  allowedHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds?: number;
}

export const CORS_METHODS: readonly string[] = ['GET', 'PUT', 'HEAD', 'POST', 'DELETE'];
const MAX_RULES = 100;
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

const corsRule = element({
  ID: optional(text),
  AllowedHeader: repeated(text, { max: 1000 }),
  AllowedMethod: repeated(text, { min: 1, max: 1000 }),
  AllowedOrigin: repeated(text, { min: 1, max: 1000 }),
  ExposeHeader: repeated(text, { max: 1000 }),
  MaxAgeSeconds: optional(text),
});

/** The schema of the PutBucketCors body (root element CORSConfiguration). */
export const corsConfiguration = element({ CORSRule: repeated(corsRule, { min: 1, max: MAX_RULES }) });
type CorsDocument = typeof corsConfiguration extends XmlNode<infer T> ? T : never;

function oneWildcardAtMost(kind: 'AllowedOrigin' | 'AllowedHeader', value: string): void {
  if (value.indexOf('*') !== value.lastIndexOf('*')) {
    throw new S3Error('InvalidRequest', `${kind} "${value}" can not have more than one wildcard.`);
  }
}

/** The parsed document's rules, validated as S3 validates them. */
export function corsRulesOf(doc: CorsDocument): CorsRule[] {
  return doc.CORSRule.map((rule) => {
    for (const method of rule.AllowedMethod) {
      if (!CORS_METHODS.includes(method)) {
        throw new S3Error('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${method}`);
      }
    }
    rule.AllowedOrigin.forEach((o) => oneWildcardAtMost('AllowedOrigin', o));
    rule.AllowedHeader.forEach((h) => oneWildcardAtMost('AllowedHeader', h));
    let maxAgeSeconds: number | undefined;
    if (rule.MaxAgeSeconds !== undefined) {
      const value = rule.MaxAgeSeconds.trim();
      if (!/^\d{1,10}$/.test(value) || Number(value) > 2 ** 31 - 1) throw new S3Error('MalformedXML');
      maxAgeSeconds = Number(value);
    }
    return {
      ...(rule.ID !== undefined && { id: rule.ID }),
      allowedMethods: rule.AllowedMethod,
      allowedOrigins: rule.AllowedOrigin,
      allowedHeaders: rule.AllowedHeader,
      exposeHeaders: rule.ExposeHeader,
      ...(maxAgeSeconds !== undefined && { maxAgeSeconds }),
    };
  });
}

/** The GetBucketCors document body, in the order of S3's schema. */
export function corsDocument(rules: readonly CorsRule[]): XmlObject {
  return {
    CORSRule: rules.map((r) => ({
      ID: r.id,
      AllowedHeader: r.allowedHeaders,
      AllowedMethod: r.allowedMethods,
      AllowedOrigin: r.allowedOrigins,
      ExposeHeader: r.exposeHeaders,
      MaxAgeSeconds: r.maxAgeSeconds,
    })),
  };
}

/** `pattern` with at most one '*' standing for any run of characters. */
function wildcardMatch(pattern: string, value: string): boolean {
  const star = pattern.indexOf('*');
  if (star === -1) return pattern === value;
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  return value.length >= head.length + tail.length && value.startsWith(head) && value.endsWith(tail);
}

export interface CorsRequest {
  origin: string;
  /** The request's method, or a preflight's Access-Control-Request-Method. */
  method: string;
  /** A preflight's Access-Control-Request-Headers, split and lower-cased; [] otherwise. */
  requestHeaders: readonly string[];
}

/** Splits an Access-Control-Request-Headers value into lower-case names. */
export function requestedHeaders(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== '');
}

export function matchCorsRule(rules: readonly CorsRule[], request: CorsRequest): CorsRule | undefined {
  return rules.find(
    (rule) =>
      rule.allowedOrigins.some((o) => wildcardMatch(o, request.origin)) &&
      rule.allowedMethods.includes(request.method) &&
      request.requestHeaders.every((h) => rule.allowedHeaders.some((allowed) => wildcardMatch(allowed.toLowerCase(), h))),
  );
}

export function corsResponseHeaders(rule: CorsRule, request: CorsRequest): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const headers: Record<string, string> = {
    'Access-Control-Allow-Origin': anyOrigin ? '*' : request.origin,
    'Access-Control-Allow-Methods': rule.allowedMethods.join(', '),
    Vary: VARY,
  };
  if (!anyOrigin) headers['Access-Control-Allow-Credentials'] = 'true';
  if (request.requestHeaders.length > 0) headers['Access-Control-Allow-Headers'] = request.requestHeaders.join(', ');
  if (rule.exposeHeaders.length > 0) headers['Access-Control-Expose-Headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) headers['Access-Control-Max-Age'] = String(rule.maxAgeSeconds);
  return headers;
}
