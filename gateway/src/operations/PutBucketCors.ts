/**
 * PutBucketCors: replaces the bucket's CORS rules. The body is checked like every
 * configuration document S3 takes: Content-MD5 or an x-amz-checksum-* header required, the
 * one XML parser, then S3's own rule checks (methods, wildcards).
 */
import { readSmallBody } from '../http/body.js';
import { parseXml } from '../http/xml-parse.js';
import { updateBucketConfig } from '../s3/bucket-config.js';
import { requireBodyChecksum } from '../s3/config-document.js';
import { corsConfiguration, corsRulesOf } from '../s3/cors.js';
import type { Operation } from './operation.js';

/** Far above 100 rules of ordinary size; S3 documents no byte limit for this document. */
const MAX_CORS_BODY = 64 * 1024;

export const PutBucketCors: Operation = async (ctx) => {
  const { bucket, deps } = ctx;
  await deps.store.headBucket(bucket);
  requireBodyChecksum(ctx.headers);
  const rules = corsRulesOf(parseXml(await readSmallBody(ctx, MAX_CORS_BODY), 'CORSConfiguration', corsConfiguration));
  await updateBucketConfig(deps.store, bucket, (config) => ({ ...config, cors: rules }));
  return { status: 200 };
};
