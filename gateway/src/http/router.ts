/**
 * The route table: method + target kind (service, bucket, object) + sub-resource → operation.
 * Requests naming a sub-resource no route handles get NotImplemented rather than being
 * mistaken for the plain operation (a `?acl` PUT must never overwrite an object).
 * Every route names the S3 action it needs and what that action is checked on
 * (s3/authorize.ts decides).
 */
import { S3Error } from './errors.js';
import type { Operation } from '../operations/operation.js';
import { ListBuckets } from '../operations/ListBuckets.js';
import { CreateBucket } from '../operations/CreateBucket.js';
import { HeadBucket } from '../operations/HeadBucket.js';
import { DeleteBucket } from '../operations/DeleteBucket.js';
import { PutObject } from '../operations/PutObject.js';
import { CopyObject } from '../operations/CopyObject.js';
import { GetObject } from '../operations/GetObject.js';
import { HeadObject } from '../operations/HeadObject.js';
import { GetObjectAttributes } from '../operations/GetObjectAttributes.js';
import { DeleteObject } from '../operations/DeleteObject.js';
import { DeleteObjects } from '../operations/DeleteObjects.js';
import { GetBucketLocation } from '../operations/GetBucketLocation.js';
import { PutBucketEncryption } from '../operations/PutBucketEncryption.js';
import { GetBucketEncryption } from '../operations/GetBucketEncryption.js';
import { DeleteBucketEncryption } from '../operations/DeleteBucketEncryption.js';
import { GetBucketAcl } from '../operations/GetBucketAcl.js';
import { PutBucketAcl } from '../operations/PutBucketAcl.js';
import { GetObjectAcl } from '../operations/GetObjectAcl.js';
import { PutObjectAcl } from '../operations/PutObjectAcl.js';
import { GetBucketOwnershipControls } from '../operations/GetBucketOwnershipControls.js';
import { PutBucketCors } from '../operations/PutBucketCors.js';
import { GetBucketCors } from '../operations/GetBucketCors.js';
import { DeleteBucketCors } from '../operations/DeleteBucketCors.js';
import { UNCONFIGURED_ROUTES } from '../operations/unconfigured.js';
import { subresourceAction } from './subresource-actions.js';
import { PutBucketPolicy } from '../operations/PutBucketPolicy.js';
import { GetBucketPolicy } from '../operations/GetBucketPolicy.js';
import { DeleteBucketPolicy } from '../operations/DeleteBucketPolicy.js';
import { GetBucketPolicyStatus } from '../operations/GetBucketPolicyStatus.js';
import { ListObjects } from '../operations/ListObjects.js';
import { ListObjectsV2 } from '../operations/ListObjectsV2.js';
import { ListObjectVersions } from '../operations/ListObjectVersions.js';
import { GetBucketVersioning } from '../operations/GetBucketVersioning.js';
import { PutBucketVersioning } from '../operations/PutBucketVersioning.js';
import { CreateMultipartUpload } from '../operations/CreateMultipartUpload.js';
import { UploadPart } from '../operations/UploadPart.js';
import { UploadPartCopy } from '../operations/UploadPartCopy.js';
import { CompleteMultipartUpload } from '../operations/CompleteMultipartUpload.js';
import { AbortMultipartUpload } from '../operations/AbortMultipartUpload.js';
import { ListParts } from '../operations/ListParts.js';
import { ListMultipartUploads } from '../operations/ListMultipartUploads.js';
import { PostObject, type FormOperation } from '../post/PostObject.js';
import { ENVELOPE_SUBRESOURCE, GetObjectEnvelope } from '../operations/GetObjectEnvelope.js';

export type TargetKind = 'service' | 'bucket' | 'object';

interface Route {
  method: string;
  target: TargetKind;
  /** The sub-resource query parameter(s) this route needs; undefined = none present. */
  subresource?: string | readonly string[];
  /** A header whose presence selects this route (e.g. x-amz-copy-source). */
  requiresHeader?: string;
  name: string;
  /** The IAM action the caller needs (e.g. `s3:PutObject`), checked before the operation runs. */
  action: string;
  /**
   * What that action is checked on: the account (`*`), the bucket's ARN, or the object's
   * (`arn:aws:s3:::bucket/key`); `each-object`: the operation checks every key it touches.
   */
  on: RouteResource;
  operation: Operation;
}

export type RouteResource = 'account' | 'bucket' | 'object' | 'each-object';

export const ROUTES: readonly Route[] = [
  { method: 'GET', target: 'service', name: 'ListBuckets', action: 's3:ListAllMyBuckets', on: 'account', operation: ListBuckets },
  { method: 'PUT', target: 'bucket', name: 'CreateBucket', action: 's3:CreateBucket', on: 'bucket', operation: CreateBucket },
  { method: 'HEAD', target: 'bucket', name: 'HeadBucket', action: 's3:ListBucket', on: 'bucket', operation: HeadBucket },
  { method: 'DELETE', target: 'bucket', name: 'DeleteBucket', action: 's3:DeleteBucket', on: 'bucket', operation: DeleteBucket },
  { method: 'POST', target: 'bucket', subresource: 'delete', name: 'DeleteObjects', action: 's3:DeleteObject', on: 'each-object', operation: DeleteObjects },
  { method: 'GET', target: 'bucket', name: 'ListObjects', action: 's3:ListBucket', on: 'bucket', operation: ListObjects },
  { method: 'GET', target: 'bucket', subresource: 'list-type', name: 'ListObjectsV2', action: 's3:ListBucket', on: 'bucket', operation: ListObjectsV2 },
  { method: 'GET', target: 'bucket', subresource: 'versions', name: 'ListObjectVersions', action: 's3:ListBucketVersions', on: 'bucket', operation: ListObjectVersions },
  { method: 'GET', target: 'bucket', subresource: 'versioning', name: 'GetBucketVersioning', action: 's3:GetBucketVersioning', on: 'bucket', operation: GetBucketVersioning },
  { method: 'PUT', target: 'bucket', subresource: 'versioning', name: 'PutBucketVersioning', action: 's3:PutBucketVersioning', on: 'bucket', operation: PutBucketVersioning },
  { method: 'PUT', target: 'object', name: 'PutObject', action: 's3:PutObject', on: 'object', operation: PutObject },
  { method: 'PUT', target: 'object', requiresHeader: 'x-amz-copy-source', name: 'CopyObject', action: 's3:PutObject', on: 'object', operation: CopyObject },
  { method: 'GET', target: 'object', name: 'GetObject', action: 's3:GetObject', on: 'object', operation: GetObject },
  { method: 'HEAD', target: 'object', name: 'HeadObject', action: 's3:GetObject', on: 'object', operation: HeadObject },
  { method: 'GET', target: 'object', subresource: 'attributes', name: 'GetObjectAttributes', action: 's3:GetObjectAttributes', on: 'object', operation: GetObjectAttributes },
  { method: 'DELETE', target: 'object', name: 'DeleteObject', action: 's3:DeleteObject', on: 'object', operation: DeleteObject },
  { method: 'GET', target: 'bucket', subresource: 'location', name: 'GetBucketLocation', action: 's3:GetBucketLocation', on: 'bucket', operation: GetBucketLocation },
  { method: 'PUT', target: 'bucket', subresource: 'encryption', name: 'PutBucketEncryption', action: 's3:PutEncryptionConfiguration', on: 'bucket', operation: PutBucketEncryption },
  { method: 'GET', target: 'bucket', subresource: 'encryption', name: 'GetBucketEncryption', action: 's3:GetEncryptionConfiguration', on: 'bucket', operation: GetBucketEncryption },
  { method: 'DELETE', target: 'bucket', subresource: 'encryption', name: 'DeleteBucketEncryption', action: 's3:PutEncryptionConfiguration', on: 'bucket', operation: DeleteBucketEncryption },
  { method: 'GET', target: 'bucket', subresource: 'acl', name: 'GetBucketAcl', action: 's3:GetBucketAcl', on: 'bucket', operation: GetBucketAcl },
  { method: 'PUT', target: 'bucket', subresource: 'acl', name: 'PutBucketAcl', action: 's3:PutBucketAcl', on: 'bucket', operation: PutBucketAcl },
  { method: 'GET', target: 'object', subresource: 'acl', name: 'GetObjectAcl', action: 's3:GetObjectAcl', on: 'object', operation: GetObjectAcl },
  { method: 'PUT', target: 'object', subresource: 'acl', name: 'PutObjectAcl', action: 's3:PutObjectAcl', on: 'object', operation: PutObjectAcl },
  { method: 'GET', target: 'bucket', subresource: 'ownershipControls', name: 'GetBucketOwnershipControls', action: 's3:GetBucketOwnershipControls', on: 'bucket', operation: GetBucketOwnershipControls },
  { method: 'PUT', target: 'bucket', subresource: 'cors', name: 'PutBucketCors', action: 's3:PutBucketCORS', on: 'bucket', operation: PutBucketCors },
  { method: 'GET', target: 'bucket', subresource: 'cors', name: 'GetBucketCors', action: 's3:GetBucketCORS', on: 'bucket', operation: GetBucketCors },
  { method: 'DELETE', target: 'bucket', subresource: 'cors', name: 'DeleteBucketCors', action: 's3:PutBucketCORS', on: 'bucket', operation: DeleteBucketCors },
  { method: 'PUT', target: 'bucket', subresource: 'policy', name: 'PutBucketPolicy', action: 's3:PutBucketPolicy', on: 'bucket', operation: PutBucketPolicy },
  { method: 'GET', target: 'bucket', subresource: 'policy', name: 'GetBucketPolicy', action: 's3:GetBucketPolicy', on: 'bucket', operation: GetBucketPolicy },
  { method: 'DELETE', target: 'bucket', subresource: 'policy', name: 'DeleteBucketPolicy', action: 's3:DeleteBucketPolicy', on: 'bucket', operation: DeleteBucketPolicy },
  { method: 'GET', target: 'bucket', subresource: 'policyStatus', name: 'GetBucketPolicyStatus', action: 's3:GetBucketPolicyStatus', on: 'bucket', operation: GetBucketPolicyStatus },
  { method: 'POST', target: 'object', subresource: 'uploads', name: 'CreateMultipartUpload', action: 's3:PutObject', on: 'object', operation: CreateMultipartUpload },
  { method: 'PUT', target: 'object', subresource: ['partNumber', 'uploadId'], name: 'UploadPart', action: 's3:PutObject', on: 'object', operation: UploadPart },
  { method: 'PUT', target: 'object', subresource: ['partNumber', 'uploadId'], requiresHeader: 'x-amz-copy-source', name: 'UploadPartCopy', action: 's3:PutObject', on: 'object', operation: UploadPartCopy },
  { method: 'POST', target: 'object', subresource: 'uploadId', name: 'CompleteMultipartUpload', action: 's3:PutObject', on: 'object', operation: CompleteMultipartUpload },
  { method: 'DELETE', target: 'object', subresource: 'uploadId', name: 'AbortMultipartUpload', action: 's3:AbortMultipartUpload', on: 'object', operation: AbortMultipartUpload },
  { method: 'GET', target: 'object', subresource: 'uploadId', name: 'ListParts', action: 's3:ListMultipartUploadParts', on: 'object', operation: ListParts },
  { method: 'GET', target: 'bucket', subresource: 'uploads', name: 'ListMultipartUploads', action: 's3:ListBucketMultipartUploads', on: 'bucket', operation: ListMultipartUploads },
  { method: 'GET', target: 'object', subresource: 'partNumber', name: 'GetObject', action: 's3:GetObject', on: 'object', operation: GetObject },
  { method: 'HEAD', target: 'object', subresource: 'partNumber', name: 'HeadObject', action: 's3:GetObject', on: 'object', operation: HeadObject },
  // A kmsgate extension: the object's envelope, non-secret metadata only (GetObjectEnvelope.ts).
  { method: 'GET', target: 'object', subresource: ENVELOPE_SUBRESOURCE, name: 'GetObjectEnvelope', action: 's3:GetObject', on: 'object', operation: GetObjectEnvelope },
  ...UNCONFIGURED_ROUTES.map((r) => ({ ...r, action: subresourceAction(r.name), on: r.target })),
];

/** Query parameters that select an S3 sub-resource or API (as opposed to plain parameters). */
const SUBRESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering',
  'inventory', 'legal-hold', 'lifecycle', 'list-type', 'location', 'logging', 'metadataTable', 'metrics',
  'notification', 'object-lock', 'ownershipControls', 'partNumber', 'policy', 'policyStatus',
  'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'session',
  'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions', 'website', ENVELOPE_SUBRESOURCE,
]);

/** Headers that turn a plain PUT into another operation (a route must ask for them). */
const OPERATION_HEADERS = ['x-amz-copy-source'];

export function targetKind(bucket: string, key: string): TargetKind {
  if (bucket === '') return 'service';
  return key === '' ? 'bucket' : 'object';
}

/**
 * POST Object: a POST on a bucket with no sub-resource is a browser form, authenticated by
 * the signature in its fields rather than by the request's headers, so it is chosen before
 * header authentication runs (app.ts).
 */
export function formRoute(method: string, bucket: string, key: string, query: URLSearchParams): { name: string; operation: FormOperation } | undefined {
  if (method !== 'POST' || targetKind(bucket, key) !== 'bucket') return undefined;
  if ([...query.keys()].some((name) => SUBRESOURCES.has(name))) return undefined;
  return { name: 'PostObject', operation: PostObject };
}

export function route(method: string, bucket: string, key: string, query: URLSearchParams, headers: Record<string, unknown>): Route {
  const target = targetKind(bucket, key);
  const present = [...new Set(query.keys())].filter((name) => SUBRESOURCES.has(name));
  const candidates = ROUTES.filter((r) => r.target === target && r.method === method);
  for (const candidate of candidates) {
    const wanted = candidate.subresource === undefined ? [] : typeof candidate.subresource === 'string' ? [candidate.subresource] : candidate.subresource;
    const subresourcesMatch = present.length === wanted.length && wanted.every((w) => present.includes(w));
    const headersMatch = OPERATION_HEADERS.every((h) => (headers[h] !== undefined) === (candidate.requiresHeader === h));
    if (subresourcesMatch && headersMatch) return candidate;
  }
  if (candidates.length === 0 && present.length === 0) {
    throw new S3Error('MethodNotAllowed', undefined, { Method: method, ResourceType: target.toUpperCase() });
  }
  throw new S3Error('NotImplemented', 'A header or query parameter you provided implies functionality that is not implemented');
}
