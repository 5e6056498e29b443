/**
 * The S3 action names IAM knows, by the resource they apply to: an object
 * (`arn:aws:s3:::bucket/key`), a bucket (`arn:aws:s3:::bucket`), or neither (`*`, the
 * account). A bucket policy is checked against this list when it is stored: an action it
 * names must be one of these (or a pattern matching one), and must apply to a resource
 * the statement names, as S3 checks it.
 */
export type S3ResourceKind = 'object' | 'bucket' | 'account';

const OBJECT = [
  'AbortMultipartUpload', 'BypassGovernanceRetention', 'DeleteObject', 'DeleteObjectTagging', 'DeleteObjectVersion',
  'DeleteObjectVersionTagging', 'GetObject', 'GetObjectAcl', 'GetObjectAttributes', 'GetObjectLegalHold',
  'GetObjectRetention', 'GetObjectTagging', 'GetObjectTorrent', 'GetObjectVersion', 'GetObjectVersionAcl',
  'GetObjectVersionAttributes', 'GetObjectVersionTagging', 'GetObjectVersionTorrent', 'ListMultipartUploadParts',
  'PutObject', 'PutObjectAcl', 'PutObjectLegalHold', 'PutObjectRetention', 'PutObjectTagging', 'PutObjectVersionAcl',
  'PutObjectVersionTagging', 'RestoreObject',
];

const BUCKET = [
  'CreateBucket', 'DeleteBucket', 'DeleteBucketPolicy', 'DeleteBucketWebsite', 'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration', 'GetBucketAcl', 'GetBucketCORS', 'GetBucketLocation', 'GetBucketLogging',
  'GetBucketNotification', 'GetBucketObjectLockConfiguration', 'GetBucketOwnershipControls', 'GetBucketPolicy',
  'GetBucketPolicyStatus', 'GetBucketPublicAccessBlock', 'GetBucketRequestPayment', 'GetBucketTagging',
  'GetBucketVersioning', 'GetBucketWebsite', 'GetEncryptionConfiguration', 'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration', 'GetLifecycleConfiguration', 'GetMetricsConfiguration', 'GetReplicationConfiguration',
  'ListBucket', 'ListBucketMultipartUploads', 'ListBucketVersions', 'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration', 'PutBucketAcl', 'PutBucketCORS', 'PutBucketLogging', 'PutBucketNotification',
  'PutBucketObjectLockConfiguration', 'PutBucketOwnershipControls', 'PutBucketPolicy', 'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment', 'PutBucketTagging', 'PutBucketVersioning', 'PutBucketWebsite',
  'PutEncryptionConfiguration', 'PutIntelligentTieringConfiguration', 'PutInventoryConfiguration',
  'PutLifecycleConfiguration', 'PutMetricsConfiguration', 'PutReplicationConfiguration',
];

const ACCOUNT = ['ListAllMyBuckets', 'GetAccountPublicAccessBlock', 'PutAccountPublicAccessBlock'];

export const S3_ACTIONS: ReadonlyMap<string, S3ResourceKind> = new Map([
  ...OBJECT.map((a) => [`s3:${a}`, 'object'] as const),
  ...BUCKET.map((a) => [`s3:${a}`, 'bucket'] as const),
  ...ACCOUNT.map((a) => [`s3:${a}`, 'account'] as const),
]);
