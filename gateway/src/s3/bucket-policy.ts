/**
 * Bucket policies as S3 accepts them: the IAM grammar (kms-core's one parser, as a resource
 * policy), then S3's own checks, each refused with 400 MalformedPolicy and S3's message:
 *
 *   - at most 20 KB; valid JSON whose first byte is `{`
 *   - every statement names an Action and a Resource ("Statement is missing required element")
 *   - every action is an S3 action, or a pattern matching one ("Policy has invalid action")
 *   - every resource is this bucket or an object in it ("Policy has invalid resource")
 *   - some action of a statement applies to some resource of it, an object action to an
 *     object ARN and a bucket action to the bucket ARN ("Action does not apply to any
 *     resource(s) in statement")
 */
import { PolicyDocumentError, arnMatch, parsePolicy, wildcardMatch, type Policy, type PolicyStatement } from '@kmsgate/kms-core';
import { S3Error } from '../http/errors.js';
import { S3_ACTIONS, type S3ResourceKind } from './s3-actions.js';

export const MAX_BUCKET_POLICY_BYTES = 20 * 1024;

function malformed(message?: string): S3Error {
  return new S3Error('MalformedPolicy', message);
}

function actionKinds(patterns: readonly string[]): Set<S3ResourceKind> {
  const kinds = new Set<S3ResourceKind>();
  for (const pattern of patterns) {
    const matched = [...S3_ACTIONS].filter(([name]) => wildcardMatch(pattern, name, { ignoreCase: true }));
    if (matched.length === 0) throw malformed('Policy has invalid action');
    for (const [, kind] of matched) kinds.add(kind);
  }
  return kinds;
}

/** What a resource pattern may name in this bucket: the bucket, its objects, or both. */
function resourceKinds(patterns: readonly string[], bucket: string): Set<S3ResourceKind> {
  const kinds = new Set<S3ResourceKind>();
  const bucketArn = `arn:aws:s3:::${bucket}`;
  for (const pattern of patterns) {
    const names = { bucket: arnMatch(pattern, bucketArn), object: pattern.startsWith(`${bucketArn}/`) || arnMatch(pattern, `${bucketArn}/x`) };
    if (pattern === '*' || (!names.bucket && !names.object)) throw malformed('Policy has invalid resource');
    if (names.bucket) kinds.add('bucket');
    if (names.object) kinds.add('object');
  }
  return kinds;
}

function checkStatement(s: PolicyStatement, bucket: string): void {
  const actions = s.action ?? s.notAction;
  const resources = s.resource ?? s.notResource;
  if (!actions || !resources) throw malformed('Statement is missing required element');
  const acts = actionKinds(actions);
  const on = resourceKinds(resources, bucket);
  // NotAction / NotResource name what is left out: they apply to whatever else there is.
  if (s.action && s.resource && ![...acts].some((kind) => on.has(kind))) {
    throw malformed('Action does not apply to any resource(s) in statement');
  }
}

/** Parses `text` as the policy of `bucket`, or throws MalformedPolicy as S3 does. */
export function parseBucketPolicy(text: string, bucket: string): Policy {
  if (Buffer.byteLength(text) > MAX_BUCKET_POLICY_BYTES) throw malformed('Policy exceeds the maximum allowed document size.');
  try {
    if (!text.trimStart().startsWith('{')) throw new SyntaxError('first byte');
    JSON.parse(text);
  } catch {
    throw malformed();
  }
  let policy: Policy;
  try {
    policy = parsePolicy(text, 'resource');
  } catch (err) {
    if (err instanceof PolicyDocumentError) throw malformed(err.message);
    throw err;
  }
  for (const s of policy.statements) checkStatement(s, bucket);
  return policy;
}

/** Condition keys that pin a statement to known callers or networks: with one, it is not public. */
const LIMITING_KEYS = new Set([
  'aws:sourceip', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourcearn', 'aws:sourceaccount', 'aws:sourceowner',
  'aws:principalaccount', 'aws:principalarn', 'aws:principalorgid', 'aws:userid', 'aws:username',
]);

/** GetBucketPolicyStatus: an Allow that admits anyone, unpinned by a limiting condition. */
export function policyIsPublic(policy: Policy): boolean {
  return policy.statements.some((s) =>
    s.effect === 'Allow'
    && (s.principal?.anyone === true || s.notPrincipal !== undefined)
    && !s.conditions.some((c) => LIMITING_KEYS.has(c.key.toLowerCase())));
}
