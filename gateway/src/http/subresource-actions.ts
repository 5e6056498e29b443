/**
 * The IAM action each configuration sub-resource route needs (operations/unconfigured.ts
 * answers them): [GET, PUT, DELETE] per configuration. Several DELETEs need the PUT action,
 * as in S3: deleting a lifecycle configuration is `s3:PutLifecycleConfiguration`.
 */
import { S3_ACTIONS } from '../s3/s3-actions.js';

const BY_CONFIGURATION: Record<string, [string, string, string]> = {
  BucketLifecycleConfiguration: ['GetLifecycleConfiguration', 'PutLifecycleConfiguration', 'PutLifecycleConfiguration'],
  BucketTagging: ['GetBucketTagging', 'PutBucketTagging', 'PutBucketTagging'],
  BucketWebsite: ['GetBucketWebsite', 'PutBucketWebsite', 'DeleteBucketWebsite'],
  BucketReplication: ['GetReplicationConfiguration', 'PutReplicationConfiguration', 'PutReplicationConfiguration'],
  ObjectLockConfiguration: ['GetBucketObjectLockConfiguration', 'PutBucketObjectLockConfiguration', 'PutBucketObjectLockConfiguration'],
  PublicAccessBlock: ['GetBucketPublicAccessBlock', 'PutBucketPublicAccessBlock', 'PutBucketPublicAccessBlock'],
  BucketVersioning: ['GetBucketVersioning', 'PutBucketVersioning', 'PutBucketVersioning'],
  BucketAccelerateConfiguration: ['GetAccelerateConfiguration', 'PutAccelerateConfiguration', 'PutAccelerateConfiguration'],
  BucketRequestPayment: ['GetBucketRequestPayment', 'PutBucketRequestPayment', 'PutBucketRequestPayment'],
  BucketLogging: ['GetBucketLogging', 'PutBucketLogging', 'PutBucketLogging'],
  BucketNotificationConfiguration: ['GetBucketNotification', 'PutBucketNotification', 'PutBucketNotification'],
  BucketAnalyticsConfiguration: ['GetAnalyticsConfiguration', 'PutAnalyticsConfiguration', 'PutAnalyticsConfiguration'],
  BucketMetricsConfiguration: ['GetMetricsConfiguration', 'PutMetricsConfiguration', 'PutMetricsConfiguration'],
  BucketInventoryConfiguration: ['GetInventoryConfiguration', 'PutInventoryConfiguration', 'PutInventoryConfiguration'],
  BucketIntelligentTieringConfiguration: ['GetIntelligentTieringConfiguration', 'PutIntelligentTieringConfiguration', 'PutIntelligentTieringConfiguration'],
  BucketOwnershipControls: ['GetBucketOwnershipControls', 'PutBucketOwnershipControls', 'PutBucketOwnershipControls'],
  ObjectTagging: ['GetObjectTagging', 'PutObjectTagging', 'DeleteObjectTagging'],
  ObjectLegalHold: ['GetObjectLegalHold', 'PutObjectLegalHold', 'PutObjectLegalHold'],
  ObjectRetention: ['GetObjectRetention', 'PutObjectRetention', 'PutObjectRetention'],
};

/** `GetBucketTagging` → `s3:GetBucketTagging`; throws for a route the table misses (at load time). */
export function subresourceAction(routeName: string): string {
  const verb = /^(Get|Put|Delete)(.+)$/.exec(routeName);
  const row = verb ? BY_CONFIGURATION[verb[2]!] : undefined;
  const action = row && `s3:${row[['Get', 'Put', 'Delete'].indexOf(verb![1]!)]}`;
  if (!action || !S3_ACTIONS.has(action)) throw new Error(`no S3 action for route ${routeName}`);
  return action;
}
