/**
 * CORS on the wire: the preflight (OPTIONS, answered from the bucket's rules without
 * credentials, as S3 answers it) and the CORS headers on requests that carry an Origin.
 *
 * Preflight, in S3's order:
 * 1. No Origin → 400 BadRequest.
 * 2. No such bucket → 403 AccessForbidden "Bucket not found"; no rules → 403 "CORS is not
 *    enabled for this bucket." (Method = the requested method, or OPTIONS; ResourceType BUCKET).
 * 3. No rule matches origin, requested method and requested headers → 403 AccessForbidden
 *    (Method, ResourceType OBJECT or BUCKET).
 * 4. Otherwise 200 with an empty body and the rule's headers (s3/cors.ts).
 * Other requests with an Origin get the headers of the first rule matching origin and method,
 * whatever the outcome, so a page can read S3's error documents; without one, none.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { NoSuchBucketError, type ObjectStore } from '@kmsgate/storage';
import { S3Error } from './errors.js';
import { headerValue } from './headers.js';
import { readBucketConfig } from '../s3/bucket-config.js';
import { assertBucketMayExist } from '../s3/bucket-name.js';
import { corsResponseHeaders, matchCorsRule, requestedHeaders, type CorsRule } from '../s3/cors.js';

const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/** The bucket's rules; null when the bucket does not exist (or cannot by its name). */
async function bucketRules(store: ObjectStore, bucket: string): Promise<CorsRule[] | undefined | null> {
  if (bucket === '') return null;
  try {
    assertBucketMayExist(bucket);
    return (await readBucketConfig(store, bucket)).cors;
  } catch (err) {
    if (err instanceof S3Error || err instanceof NoSuchBucketError) return null;
    throw err;
  }
}

export interface PreflightTarget {
  bucket: string;
  key: string;
}

/** The headers of a successful preflight; throws the S3 error otherwise. */
export async function answerPreflight(store: ObjectStore, target: PreflightTarget, headers: IncomingHttpHeaders): Promise<Record<string, string>> {
  const origin = headerValue(headers, 'origin');
  if (origin === undefined) throw new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  const method = headerValue(headers, 'access-control-request-method');
  const rules = await bucketRules(store, target.bucket);
  if (!rules) {
    throw new S3Error('AccessForbidden', rules === null ? 'CORSResponse: Bucket not found' : 'CORSResponse: CORS is not enabled for this bucket.', {
      Method: method ?? 'OPTIONS',
      ResourceType: 'BUCKET',
    });
  }
  const request = { origin, method: method ?? '', requestHeaders: requestedHeaders(headerValue(headers, 'access-control-request-headers')) };
  const rule = matchCorsRule(rules, request);
  if (!rule) {
    throw new S3Error('AccessForbidden', NOT_ALLOWED, { ...(method !== undefined && { Method: method }), ResourceType: target.key === '' ? 'BUCKET' : 'OBJECT' });
  }
  return corsResponseHeaders(rule, request);
}

/** The CORS headers for an actual request (none without an Origin or a matching rule). */
export async function corsHeadersFor(store: ObjectStore, bucket: string, method: string, headers: IncomingHttpHeaders): Promise<Record<string, string>> {
  const origin = headerValue(headers, 'origin');
  if (origin === undefined) return {};
  const rules = await bucketRules(store, bucket);
  const request = { origin, method, requestHeaders: [] };
  const rule = rules ? matchCorsRule(rules, request) : undefined;
  return rule ? corsResponseHeaders(rule, request) : {};
}
