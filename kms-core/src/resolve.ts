// Turning a KeyId parameter into a key record: parse (key-id.ts), look up the key or the
// alias's target, and create the AWS managed key behind alias/aws/s3 on first use.

import { authorize } from './authorize.js';
import type { AuthRequest, KmsAction } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { parseKeyRef } from './key-id.js';
import type { KeyRef, Scope } from './key-id.js';
import { AWS_S3_ALIAS, AWS_S3_DESCRIPTION, newKeyRecord } from './key-records.js';
import { awsS3KeyPolicy } from './policy.js';
import type { KeyRecord } from './records.js';
import type { Caller } from './types.js';

/** `next(value)`, at once when `value` is already there, after it when it is a promise. */
export function whenResolved<A, B>(value: A | Promise<A>, next: (a: A) => B): B | Promise<B> {
  return value instanceof Promise ? value.then(next) : next(value);
}

// KeyId values repeat (every PUT to a bucket names its key the same way), and parsing one costs
// two regular expressions: a key reference, once parsed, is kept by its text (per scope, since
// the region and account decide it). Aliases are not kept: whether one is accepted depends on
// the operation, and what one names is read from the keystore every time anyway.
const KEY_REFS_LIMIT = 1024;
const keyRefs = new WeakMap<Scope, Map<string, KeyRef>>();

function keyRefOf(scope: Scope, value: string, opts: { allowAlias: boolean }): KeyRef {
  let refs = keyRefs.get(scope);
  if (!refs) keyRefs.set(scope, (refs = new Map()));
  const known = refs.get(value);
  if (known) return known;
  const ref = parseKeyRef(value, scope, opts);
  if (ref.kind === 'key') {
    if (refs.size >= KEY_REFS_LIMIT) refs.clear();
    refs.set(value, ref);
  }
  return ref;
}

/**
 * The key `value` names. Synchronous (no promise turn on the hot path) except the first time
 * alias/aws/s3 is named, when the AWS managed key is created and stored.
 */
export function resolveKey(ctx: CoreContext, value: string, opts: { allowAlias: boolean }): KeyRecord | Promise<KeyRecord> {
  const ref = keyRefOf(ctx.scope, value, opts);
  const ours = ref.accountId === ctx.scope.accountId;
  if (ref.kind === 'key') {
    const key = ours ? ctx.store.key(ref.keyId) : undefined;
    if (!key) throw new KmsError('NotFoundException', `Key '${ref.arn}' does not exist`);
    return key;
  }
  if (ours && ref.aliasName === AWS_S3_ALIAS) return existingAwsS3Key(ctx) ?? ensureAwsS3Key(ctx);
  const alias = ours ? ctx.store.alias(ref.aliasName) : undefined;
  const key = alias ? ctx.store.key(alias.targetKeyId) : undefined;
  if (!key) throw new KmsError('NotFoundException', `Alias ${ref.aliasArn} is not found.`);
  return key;
}

/**
 * The key an operation acts on: resolved, `action` authorised for `caller` on it, then the
 * operation's own state rule (`check`) applied, in the order AWS answers them.
 */
export function authorizedKey(
  ctx: CoreContext,
  keyId: string,
  opts: { allowAlias: boolean; action: KmsAction; caller: Caller; check?: (key: KeyRecord) => void; request?: AuthRequest },
): KeyRecord | Promise<KeyRecord> {
  return whenResolved(resolveKey(ctx, keyId, { allowAlias: opts.allowAlias }), (key) => {
    authorize(opts.caller, opts.action, key, opts.request);
    opts.check?.(key);
    return key;
  });
}

function existingAwsS3Key(ctx: CoreContext): KeyRecord | undefined {
  const existing = ctx.store.alias(AWS_S3_ALIAS);
  return existing ? ctx.store.key(existing.targetKeyId) : undefined;
}

/** The AWS managed key for S3, created with its alias the first time anything names it. */
export async function ensureAwsS3Key(ctx: CoreContext): Promise<KeyRecord> {
  const existingKey = existingAwsS3Key(ctx);
  if (existingKey) return existingKey;
  const keyId = await ctx.store.mutate((doc) => {
    const raced = Object.hasOwn(doc.aliases, AWS_S3_ALIAS) ? doc.aliases[AWS_S3_ALIAS] : undefined;
    if (raced && Object.hasOwn(doc.keys, raced.targetKeyId)) return raced.targetKeyId;
    const key = newKeyRecord(ctx, {
      description: AWS_S3_DESCRIPTION,
      keyManager: 'AWS',
      policy: awsS3KeyPolicy(ctx.scope.accountId, ctx.scope.region),
      tags: [],
    });
    const at = ctx.now().toISOString();
    doc.keys[key.keyId] = key;
    doc.aliases[AWS_S3_ALIAS] = { aliasName: AWS_S3_ALIAS, targetKeyId: key.keyId, createdAt: at, updatedAt: at };
    return key.keyId;
  });
  const key = ctx.store.key(keyId);
  if (!key) throw new KmsError('KMSInternalException', 'The AWS managed key for S3 could not be created.');
  return key;
}
