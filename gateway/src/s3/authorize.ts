/**
 * S3 authorisation: may this caller do this S3 action on this resource? Decided as AWS
 * decides it for a caller and a bucket in one account, by kms-core's one policy evaluator:
 *
 *   1. An explicit Deny in the caller's identity policies or in the bucket policy → refused.
 *   2. An Allow in either (the bucket policy's naming the caller, or "*") → allowed.
 *   3. Otherwise refused. A user without an identity policy may do nothing (unless a
 *      bucket policy names it).
 *
 * The admin stands for the account's owner: its identity policy is "s3:* on *", so it may do
 * everything, except what a bucket policy explicitly denies it. As AWS lets an account's
 * root user do, it may still read, replace or delete any bucket policy, so a policy that
 * denies everyone cannot lock the bucket for good.
 *
 * A refusal is 403 AccessDenied "Access Denied", the same whether or not the object exists.
 */
import type { IncomingMessage } from 'node:http';
import { evaluateAccess, parsePolicy, type ContextValue, type Decision, type Policy } from '@kmsgate/kms-core';
import { NoSuchBucketError, type ObjectStore } from '@kmsgate/storage';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { ADMIN, type Principal } from '../identity/identity.js';
import { readBucketConfig } from './bucket-config.js';
import { SSE, SSE_KMS_KEY_ID } from './sse-headers.js';

/** What an action is done on: the account (`*`), a bucket, or one object of a bucket. */
export type S3Resource = { account: true } | { bucket: string; key?: string };

export function resourceArn(on: S3Resource): string {
  if ('account' in on) return '*';
  return on.key === undefined ? `arn:aws:s3:::${on.bucket}` : `arn:aws:s3:::${on.bucket}/${on.key}`;
}

const ADMIN_POLICY = parsePolicy(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }), 'identity');
const POLICY_ACTIONS = new Set(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy']);

export interface S3AccessInput {
  principal: Principal;
  identityPolicies: readonly Policy[];
  bucketPolicy?: Policy;
  action: string;
  on: S3Resource;
  context: Readonly<Record<string, ContextValue>>;
}

export function decideS3Access(input: S3AccessInput): Decision {
  const admin = input.principal.name === ADMIN;
  if (admin && POLICY_ACTIONS.has(input.action)) return 'Allow';
  return evaluateAccess({
    request: { principal: { arn: input.principal.arn, accountId: input.principal.accountId }, action: input.action, resource: resourceArn(input.on), context: input.context },
    identityPolicies: admin ? [ADMIN_POLICY] : input.identityPolicies,
    resourcePolicy: input.bucketPolicy,
  });
}

/**
 * The condition keys S3 provides for `action`: the global ones for every request, the SSE
 * request headers (as sent; a POST form's fields stand for them) for a write, the listing
 * parameters for a listing.
 */
export function conditionKeys(req: IncomingMessage, query: URLSearchParams, action: string, headers = req.headers): Record<string, ContextValue> {
  const now = new Date();
  const context: Record<string, ContextValue> = {
    'aws:SourceIp': req.socket.remoteAddress,
    // True only over TLS; this gateway's listener is plain HTTP today.
    'aws:SecureTransport': (req.socket as { encrypted?: boolean }).encrypted === true,
    'aws:CurrentTime': now.toISOString(),
    'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
    'aws:UserAgent': req.headers['user-agent'],
  };
  if (action === 's3:PutObject') {
    context['s3:x-amz-server-side-encryption'] = headerValue(headers, SSE);
    context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = headerValue(headers, SSE_KMS_KEY_ID);
  }
  if (action === 's3:ListBucket' || action === 's3:ListBucketVersions') {
    for (const name of ['prefix', 'delimiter', 'max-keys']) context[`s3:${name}`] = query.get(name) ?? undefined;
  }
  return context;
}

/** One request's authoriser: policies are read and parsed once, whatever it checks. */
export interface S3Access {
  allows(action: string, on: S3Resource): Promise<boolean>;
  /** Throws AccessDenied unless the caller may. */
  require(action: string, on: S3Resource): Promise<void>;
}

export function s3Access(opts: {
  principal: Principal;
  /** The caller's inline identity policy documents (validated when they were put). */
  identityPolicies: () => readonly string[];
  store: ObjectStore;
  context: (action: string) => Record<string, ContextValue>;
}): S3Access {
  let identity: Policy[] | undefined;
  const bucketPolicies = new Map<string, Promise<Policy | undefined>>();
  const bucketPolicy = (bucket: string): Promise<Policy | undefined> => {
    let found = bucketPolicies.get(bucket);
    if (!found) {
      found = readBucketConfig(opts.store, bucket).then(
        (config) => (config.policy === undefined ? undefined : parsePolicy(config.policy, 'resource')),
        // No bucket, no policy: the operation itself answers NoSuchBucket to whoever may ask.
        (err: unknown) => { if (err instanceof NoSuchBucketError) return undefined; throw err; },
      );
      bucketPolicies.set(bucket, found);
    }
    return found;
  };
  const allows = async (action: string, on: S3Resource): Promise<boolean> => {
    identity ??= opts.identityPolicies().map((text) => parsePolicy(text, 'identity'));
    // A bucket about to be created has no policy yet (and its name is not yet checked).
    const policy = 'bucket' in on && action !== 's3:CreateBucket' ? await bucketPolicy(on.bucket) : undefined;
    const decision = decideS3Access({ principal: opts.principal, identityPolicies: identity, bucketPolicy: policy, action, on, context: opts.context(action) });
    return decision === 'Allow';
  };
  return {
    allows,
    require: async (action, on) => {
      if (!(await allows(action, on))) throw new S3Error('AccessDenied');
    },
  };
}
