// Key management operations: CreateKey, DescribeKey, ListKeys, UpdateKeyDescription,
// EnableKey, DisableKey, ScheduleKeyDeletion, CancelKeyDeletion. State rules follow AWS KMS:
// Enable/Disable fail while pending deletion or import, CancelKeyDeletion leaves the key
// Disabled (or PendingImport when it has no usable material). The deletion itself happens
// when the window has passed (scheduler.ts).

import { authorize, authorizeAccount } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { draftKey, newKeyRecord, pendingDeletion, pendingImport, requireNotPendingDeletion, toKeyMetadata } from './key-records.js';
import { paginate } from './paging.js';
import { defaultKeyPolicy } from './policy.js';
import { authorizedKey, resolveKey } from './resolve.js';
import { mergeTags, validateTagShapes } from './tags.js';
import type {
  Caller,
  CreateKeyInput,
  KeyIdInput,
  KeyMetadata,
  ListInput,
  ListKeysOutput,
  ScheduleKeyDeletionInput,
  ScheduleKeyDeletionOutput,
  UpdateKeyDescriptionInput,
} from './types.js';
import { Violations } from './validate.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'] as const;
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const;

function isJsonObject(text: string): boolean {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

export function validateKeyId(violations: Violations, value: string | undefined, member = 'keyId'): void {
  violations.required(member, value);
  violations.length(member, value, 1, 2048);
}

export async function createKey(ctx: CoreContext, input: CreateKeyInput, caller: Caller): Promise<{ KeyMetadata: KeyMetadata }> {
  const violations = new Violations();
  violations.length('description', input.Description, 0, 8192);
  violations.oneOf('keyUsage', input.KeyUsage, KEY_USAGES);
  violations.oneOf('origin', input.Origin, ORIGINS);
  violations.length('policy', input.Policy, 1, 131072);
  validateTagShapes(violations, input.Tags);
  violations.throwIfAny();
  // Only symmetric AWS_KMS keys exist in this slice; other valid values are refused plainly.
  if (input.KeyUsage !== undefined && input.KeyUsage !== 'ENCRYPT_DECRYPT') {
    throw new KmsError('UnsupportedOperationException', `KeyUsage ${input.KeyUsage} is not supported by this KMS.`);
  }
  if (input.KeySpec !== undefined && input.KeySpec !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('UnsupportedOperationException', `KeySpec ${String(input.KeySpec)} is not supported by this KMS.`);
  }
  if (input.Origin !== undefined && input.Origin !== 'AWS_KMS' && input.Origin !== 'EXTERNAL') {
    throw new KmsError('UnsupportedOperationException', `Origin ${input.Origin} is not supported by this KMS.`);
  }
  if (input.Policy !== undefined && !isJsonObject(input.Policy)) {
    throw new KmsError('MalformedPolicyDocumentException', 'The key policy is not a valid JSON policy document.');
  }
  const tags = mergeTags([], input.Tags ?? []);
  authorizeAccount(caller, 'CreateKey', ctx.scope.accountId);
  const key = await ctx.store.mutate((doc) => {
    const record = newKeyRecord(ctx, {
      description: input.Description ?? '',
      keyManager: 'CUSTOMER',
      policy: input.Policy ?? defaultKeyPolicy(ctx.scope.accountId),
      tags,
      origin: input.Origin ?? 'AWS_KMS',
    });
    doc.keys[record.keyId] = record;
    return record;
  });
  return { KeyMetadata: toKeyMetadata(key) };
}

export async function describeKey(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<{ KeyMetadata: KeyMetadata }> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: true });
  authorize(caller, 'DescribeKey', key);
  return { KeyMetadata: toKeyMetadata(key) };
}

export async function listKeys(ctx: CoreContext, input: ListInput, caller: Caller): Promise<ListKeysOutput> {
  const violations = new Violations();
  violations.range('limit', input.Limit, 1, 1000);
  violations.length('marker', input.Marker, 1, 1024);
  violations.throwIfAny();
  authorizeAccount(caller, 'ListKeys', ctx.scope.accountId);
  const page = paginate(ctx.store.keys(), (k) => k.keyId, input.Limit ?? 100, input.Marker);
  return {
    Keys: page.items.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })),
    Truncated: page.truncated,
    ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
  };
}

async function setEnabled(ctx: CoreContext, input: KeyIdInput, caller: Caller, enabled: boolean): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: false });
  authorize(caller, enabled ? 'EnableKey' : 'DisableKey', key);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    if (draft.state === 'PendingDeletion') throw pendingDeletion(draft);
    if (draft.state === 'PendingImport') throw pendingImport(draft);
    draft.state = enabled ? 'Enabled' : 'Disabled';
  });
}

export async function updateKeyDescription(ctx: CoreContext, input: UpdateKeyDescriptionInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('description', input.Description);
  violations.length('description', input.Description, 0, 8192);
  violations.throwIfAny();
  const key = await authorizedKey(ctx, input.KeyId, { allowAlias: false, action: 'UpdateKeyDescription', caller, check: requireNotPendingDeletion });
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireNotPendingDeletion(draft);
    draft.description = input.Description;
  });
}

export function enableKey(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<void> {
  return setEnabled(ctx, input, caller, true);
}

export function disableKey(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<void> {
  return setEnabled(ctx, input, caller, false);
}

export async function scheduleKeyDeletion(
  ctx: CoreContext,
  input: ScheduleKeyDeletionInput,
  caller: Caller,
): Promise<ScheduleKeyDeletionOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.range('pendingWindowInDays', input.PendingWindowInDays, 1, 365);
  violations.throwIfAny();
  const days = input.PendingWindowInDays ?? 30;
  if (days < 7 || days > 30) {
    throw new KmsError('ValidationException', `PendingWindowInDays should be between 7 and 30, but it is ${days}`);
  }
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: false });
  authorize(caller, 'ScheduleKeyDeletion', key);
  const deletionDate = new Date(ctx.now().getTime() + days * DAY_MS);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    if (draft.state === 'PendingDeletion') throw pendingDeletion(draft);
    draft.state = 'PendingDeletion';
    draft.deletionDate = deletionDate.toISOString();
    draft.pendingWindowInDays = days;
  });
  return { KeyId: key.arn, DeletionDate: deletionDate, KeyState: 'PendingDeletion', PendingWindowInDays: days };
}

export async function cancelKeyDeletion(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<{ KeyId: string }> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: false });
  authorize(caller, 'CancelKeyDeletion', key);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    if (draft.state !== 'PendingDeletion') {
      throw new KmsError('KMSInvalidStateException', `${draft.arn} is not pending deletion.`);
    }
    // A key whose imported material is gone has nothing to be enabled with.
    const current = draft.materials.find((m) => m.version === draft.currentMaterialVersion);
    draft.state = current?.sealed === undefined ? 'PendingImport' : 'Disabled';
    delete draft.deletionDate;
    delete draft.pendingWindowInDays;
  });
  return { KeyId: key.arn };
}
