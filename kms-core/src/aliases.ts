// CreateAlias, UpdateAlias, DeleteAlias and ListAliases. Alias names are `alias/` +
// [a-zA-Z0-9:/_-], at most 256 chars; `alias/aws/` belongs to AWS managed keys. Aliases of a key
// pending deletion can be deleted, not created or pointed at it. ListAliases always shows alias/aws/s3, without a
// TargetKeyId until the AWS managed key exists, as AWS does for its predefined aliases.

import { authorize, authorizeAccount } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { aliasArn } from './key-id.js';
import { AWS_S3_ALIAS, pendingDeletion } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { paginate } from './paging.js';
import { resolveKey } from './resolve.js';
import type { AliasRecord } from './records.js';
import type { AliasListEntry, Caller, CreateAliasInput, DeleteAliasInput, ListAliasesInput, ListAliasesOutput, UpdateAliasInput } from './types.js';
import { Violations } from './validate.js';

const ALIAS_NAME_PATTERN = /^[a-zA-Z0-9:/_-]+$/;
const ALIAS_PREFIX = 'alias/';
const RESERVED_PREFIX = 'alias/aws/';

/**
 * The checks every alias operation makes on its AliasName: shape (with `more`, the operation's
 * other members, reported together), then prefix and reservation.
 */
function checkAliasName(name: string, more: (violations: Violations) => void = () => undefined): void {
  const violations = new Violations();
  violations.required('aliasName', name);
  violations.length('aliasName', name, 1, 256);
  violations.pattern('aliasName', name, ALIAS_NAME_PATTERN);
  more(violations);
  violations.throwIfAny();
  if (!name.startsWith(ALIAS_PREFIX)) {
    throw new KmsError(
      'ValidationException',
      'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html',
    );
  }
  if (name.length === ALIAS_PREFIX.length) {
    throw new KmsError('InvalidAliasNameException', `Alias name ${name} must have characters after "alias/".`);
  }
  if (name.startsWith(RESERVED_PREFIX)) {
    throw new KmsError('NotAuthorizedException', `The alias ${name} begins with the prefix reserved for AWS managed keys.`);
  }
}

function aliasNotFound(ctx: CoreContext, name: string): KmsError {
  return new KmsError('NotFoundException', `Alias ${aliasArn(ctx.scope, name)} is not found.`);
}

function liveAlias(doc: { aliases: Record<string, AliasRecord> }, ctx: CoreContext, name: string): AliasRecord {
  const alias = Object.hasOwn(doc.aliases, name) ? doc.aliases[name] : undefined;
  if (!alias) throw aliasNotFound(ctx, name);
  return alias;
}

export async function createAlias(ctx: CoreContext, input: CreateAliasInput, caller: Caller): Promise<void> {
  checkAliasName(input.AliasName, (v) => validateKeyId(v, input.TargetKeyId, 'targetKeyId'));
  const name = input.AliasName;
  const target = await resolveKey(ctx, input.TargetKeyId, { allowAlias: false });
  authorize(caller, 'CreateAlias', target);
  const at = ctx.now().toISOString();
  await ctx.store.mutate((doc) => {
    if (Object.hasOwn(doc.aliases, name)) {
      throw new KmsError('AlreadyExistsException', `An alias with the name ${aliasArn(ctx.scope, name)} already exists`);
    }
    const draft = Object.hasOwn(doc.keys, target.keyId) ? doc.keys[target.keyId] : undefined;
    if (!draft) throw new KmsError('NotFoundException', `Key '${target.arn}' does not exist`);
    if (draft.state === 'PendingDeletion') throw pendingDeletion(draft);
    doc.aliases[name] = { aliasName: name, targetKeyId: target.keyId, createdAt: at, updatedAt: at };
  });
}

export async function updateAlias(ctx: CoreContext, input: UpdateAliasInput, caller: Caller): Promise<void> {
  checkAliasName(input.AliasName, (v) => validateKeyId(v, input.TargetKeyId, 'targetKeyId'));
  const name = input.AliasName;
  const alias = ctx.store.alias(name);
  if (!alias) throw aliasNotFound(ctx, name);
  const current = ctx.store.key(alias.targetKeyId);
  const target = await resolveKey(ctx, input.TargetKeyId, { allowAlias: false });
  // AWS asks for kms:UpdateAlias on the alias's current key and on its new one.
  if (current) authorize(caller, 'UpdateAlias', current);
  authorize(caller, 'UpdateAlias', target);
  if (target.state === 'PendingDeletion') throw pendingDeletion(target);
  const at = ctx.now().toISOString();
  await ctx.store.mutate((doc) => {
    const draft = liveAlias(doc, ctx, name);
    const key = Object.hasOwn(doc.keys, target.keyId) ? doc.keys[target.keyId] : undefined;
    if (!key) throw new KmsError('NotFoundException', `Key '${target.arn}' does not exist`);
    if (key.state === 'PendingDeletion') throw pendingDeletion(key);
    draft.targetKeyId = target.keyId;
    draft.updatedAt = at;
  });
}

export async function deleteAlias(ctx: CoreContext, input: DeleteAliasInput, caller: Caller): Promise<void> {
  checkAliasName(input.AliasName);
  const name = input.AliasName;
  const alias = ctx.store.alias(name);
  if (!alias) throw aliasNotFound(ctx, name);
  const target = ctx.store.key(alias.targetKeyId);
  if (target) authorize(caller, 'DeleteAlias', target);
  await ctx.store.mutate((doc) => {
    liveAlias(doc, ctx, name);
    delete doc.aliases[name];
  });
}

export async function listAliases(ctx: CoreContext, input: ListAliasesInput, caller: Caller): Promise<ListAliasesOutput> {
  const violations = new Violations();
  if (input.KeyId !== undefined) validateKeyId(violations, input.KeyId);
  violations.range('limit', input.Limit, 1, 1000);
  violations.length('marker', input.Marker, 1, 1024);
  violations.throwIfAny();
  authorizeAccount(caller, 'ListAliases', ctx.scope.accountId);
  const filterKey = input.KeyId === undefined ? undefined : await resolveKey(ctx, input.KeyId, { allowAlias: false });
  const entries: AliasListEntry[] = ctx.store
    .aliases()
    .filter((a) => filterKey === undefined || a.targetKeyId === filterKey.keyId)
    .map((a) => ({
      AliasName: a.aliasName,
      AliasArn: aliasArn(ctx.scope, a.aliasName),
      TargetKeyId: a.targetKeyId,
      CreationDate: new Date(a.createdAt),
      LastUpdatedDate: new Date(a.updatedAt),
    }));
  if (filterKey === undefined && ctx.store.alias(AWS_S3_ALIAS) === undefined) {
    entries.push({ AliasName: AWS_S3_ALIAS, AliasArn: aliasArn(ctx.scope, AWS_S3_ALIAS) });
  }
  const page = paginate(entries, (a) => a.AliasName, input.Limit ?? 50, input.Marker);
  return {
    Aliases: page.items,
    Truncated: page.truncated,
    ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
  };
}
