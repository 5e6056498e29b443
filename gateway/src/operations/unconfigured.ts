/**
 * Sub-resources a tool may probe that this gateway holds no configuration for. Each answers
 * exactly what Amazon S3 answers for a bucket (or object) that has none configured: the
 * "no such configuration" error, or the empty document S3 sends. Writes we do not serve are
 * NotImplemented, never a success that stores nothing; deleting what does not exist is the
 * 204 S3 gives. A missing bucket or key is reported first, as S3 does.
 */
import { S3Error, type S3ErrorCode } from '../http/errors.js';
import type { XmlObject } from '../http/xml.js';
import type { Operation, OperationContext } from './operation.js';

export interface SubresourceRoute {
  method: string;
  target: 'bucket' | 'object';
  subresource: string;
  name: string;
  operation: Operation;
}

async function exists(ctx: OperationContext, target: 'bucket' | 'object'): Promise<void> {
  if (target === 'object') await ctx.deps.store.headObject(ctx.bucket, ctx.key);
  else await ctx.deps.store.headBucket(ctx.bucket);
}

type Answer =
  | { error: S3ErrorCode; message?: string; bucketName?: boolean }
  | { root: string; body: XmlObject }
  | { status: 204 }
  | { notServed: true };

function answer(target: 'bucket' | 'object', what: Answer): Operation {
  return async (ctx) => {
    await exists(ctx, target);
    if ('error' in what) throw new S3Error(what.error, what.message, what.bucketName === false ? {} : { BucketName: ctx.bucket });
    if ('root' in what) return { status: 200, xml: { root: what.root, body: what.body } };
    if ('status' in what) return { status: what.status };
    throw new S3Error('NotImplemented', 'A header or query parameter you provided implies functionality that is not implemented');
  };
}

const NOT_SERVED: Answer = { notServed: true };
const NOTHING_TO_DELETE: Answer = { status: 204 };
const NO_OBJECT_LOCK: Answer = { error: 'InvalidRequest', message: 'Bucket is missing Object Lock Configuration', bucketName: false };

/** GET of a per-id configuration answers NoSuchConfiguration; without an id, an empty list. */
function idConfigurations(listRoot: string): Operation {
  const list = answer('bucket', { root: listRoot, body: { IsTruncated: false } });
  return async (ctx) => {
    if (ctx.query.get('id') === null) return list(ctx);
    await exists(ctx, 'bucket');
    throw new S3Error('NoSuchConfiguration');
  };
}

/** [sub-resource, GET answer, DELETE answer] for buckets; PUT is never served. */
const BUCKET_SUBRESOURCES: [string, string, Answer | Operation, Answer][] = [
  ['lifecycle', 'BucketLifecycleConfiguration', { error: 'NoSuchLifecycleConfiguration' }, NOTHING_TO_DELETE],
  ['tagging', 'BucketTagging', { error: 'NoSuchTagSet' }, NOTHING_TO_DELETE],
  ['website', 'BucketWebsite', { error: 'NoSuchWebsiteConfiguration' }, NOTHING_TO_DELETE],
  ['replication', 'BucketReplication', { error: 'ReplicationConfigurationNotFoundError' }, NOTHING_TO_DELETE],
  ['object-lock', 'ObjectLockConfiguration', { error: 'ObjectLockConfigurationNotFoundError' }, NOT_SERVED],
  // Every bucket made since April 2023 blocks all public access, and it cannot be lifted here.
  ['publicAccessBlock', 'PublicAccessBlock', {
    root: 'PublicAccessBlockConfiguration',
    body: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
  }, NOT_SERVED],
  ['versioning', 'BucketVersioning', { root: 'VersioningConfiguration', body: {} }, NOT_SERVED],
  ['accelerate', 'BucketAccelerateConfiguration', { root: 'AccelerateConfiguration', body: {} }, NOT_SERVED],
  ['requestPayment', 'BucketRequestPayment', { root: 'RequestPaymentConfiguration', body: { Payer: 'BucketOwner' } }, NOT_SERVED],
  ['logging', 'BucketLogging', { root: 'BucketLoggingStatus', body: {} }, NOT_SERVED],
  ['notification', 'BucketNotificationConfiguration', { root: 'NotificationConfiguration', body: {} }, NOT_SERVED],
  ['analytics', 'BucketAnalyticsConfiguration', idConfigurations('ListBucketAnalyticsConfigurationResult'), NOTHING_TO_DELETE],
  ['metrics', 'BucketMetricsConfiguration', idConfigurations('ListMetricsConfigurationsResult'), NOTHING_TO_DELETE],
  ['inventory', 'BucketInventoryConfiguration', idConfigurations('ListInventoryConfigurationsResult'), NOTHING_TO_DELETE],
  ['intelligent-tiering', 'BucketIntelligentTieringConfiguration', idConfigurations('ListBucketIntelligentTieringConfigurationsOutput'), NOTHING_TO_DELETE],
];

/** The same for objects: [sub-resource, name, GET, PUT, DELETE]; undefined = no such route. */
const OBJECT_SUBRESOURCES: [string, string, Answer, Answer, Answer | undefined][] = [
  ['tagging', 'ObjectTagging', { root: 'Tagging', body: { TagSet: {} } }, NOT_SERVED, NOTHING_TO_DELETE],
  ['legal-hold', 'ObjectLegalHold', NO_OBJECT_LOCK, NO_OBJECT_LOCK, undefined],
  ['retention', 'ObjectRetention', NO_OBJECT_LOCK, NO_OBJECT_LOCK, undefined],
];

/**
 * Object Lock answers concern the bucket: S3 gives them whether or not the key exists. A
 * write we do not serve is NotImplemented for any key, so it too checks only the bucket.
 */
function objectAnswer(a: Answer): Operation {
  return answer(a === NO_OBJECT_LOCK || a === NOT_SERVED ? 'bucket' : 'object', a);
}

function asOperation(target: 'bucket' | 'object', a: Answer | Operation): Operation {
  return typeof a === 'function' ? a : answer(target, a);
}

export const UNCONFIGURED_ROUTES: readonly SubresourceRoute[] = [
  ...BUCKET_SUBRESOURCES.flatMap(([subresource, name, get, del]): SubresourceRoute[] => [
    { method: 'GET', target: 'bucket', subresource, name: `Get${name}`, operation: asOperation('bucket', get) },
    { method: 'PUT', target: 'bucket', subresource, name: `Put${name}`, operation: answer('bucket', NOT_SERVED) },
    { method: 'DELETE', target: 'bucket', subresource, name: `Delete${name}`, operation: answer('bucket', del) },
  ]),
  { method: 'PUT', target: 'bucket', subresource: 'ownershipControls', name: 'PutBucketOwnershipControls', operation: answer('bucket', NOT_SERVED) },
  { method: 'DELETE', target: 'bucket', subresource: 'ownershipControls', name: 'DeleteBucketOwnershipControls', operation: answer('bucket', NOT_SERVED) },
  ...OBJECT_SUBRESOURCES.flatMap(([subresource, name, get, put, del]): SubresourceRoute[] => [
    { method: 'GET', target: 'object', subresource, name: `Get${name}`, operation: objectAnswer(get) },
    { method: 'PUT', target: 'object', subresource, name: `Put${name}`, operation: objectAnswer(put) },
    ...(del ? [{ method: 'DELETE', target: 'object' as const, subresource, name: `Delete${name}`, operation: objectAnswer(del) }] : []),
  ]),
];
