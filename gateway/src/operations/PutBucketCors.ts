/**
 * PutBucketCors: replaces the bucket's CORS rules. The body is checked like every
 * configuration document S3 takes: Content-MD5 or an x-amz-checksum-* header required, the
 * one XML parser, then S3's own rule checks (methods, wildcards).
 */
import { MAX_CONFIGURATION_BYTES, readSmallBody, requireBodyChecksum } from '../http/body.js';
import { parseXml } from '../http/xml-parse.js';
import { updateBucketConfig } from '../s3/bucket-config.js';
import { corsConfiguration, corsRulesOf } from '../s3/cors.js';
import type { Operation } from './operation.js';

export const PutBucketCors: Operation = async (ctx) => {
  const { bucket, deps } = ctx;
  await deps.store.headBucket(bucket);
  requireBodyChecksum(ctx.headers);
  const rules = corsRulesOf(parseXml(await readSmallBody(ctx, MAX_CONFIGURATION_BYTES), 'CORSConfiguration', corsConfiguration));
  await updateBucketConfig(deps.store, bucket, (config) => ({ ...config, cors: rules }));
  return { status: 200 };
};
