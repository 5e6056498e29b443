// CreateAlias and ListAliases. Alias names are `alias/` + [a-zA-Z0-9:/_-], at most 256 chars;
// `alias/aws/` belongs to AWS managed keys. ListAliases always shows alias/aws/s3, without a
// TargetKeyId until the AWS managed key exists, as AWS does for its predefined aliases.

import { authorize, authorizeAccount } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { aliasArn } from './key-id.js';
import { AWS_S3_ALIAS, pendingDeletion } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { paginate } from './paging.js';
import { resolveKey } from './resolve.js';
import type { AliasListEntry, Caller, CreateAliasInput, ListAliasesInput, ListAliasesOutput } from './types.js';
import { Violations } from './validate.js';

const ALIAS_NAME_PATTERN = /^[a-zA-Z0-9:/_-]+$/;
const ALIAS_PREFIX = 'alias/';
const RESERVED_PREFIX = 'alias/aws/';

export async function createAlias(ctx: CoreContext, input: CreateAliasInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  violations.required('aliasName', input.AliasName);
  violations.length('aliasName', input.AliasName, 1, 256);
  violations.pattern('aliasName', input.AliasName, ALIAS_NAME_PATTERN);
  validateKeyId(violations, input.TargetKeyId, 'targetKeyId');
  violations.throwIfAny();
  const name = input.AliasName;
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
