// Key rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand,
// ListKeyRotations. A rotation adds a material version and makes it current; every earlier
// version stays until the key is deleted, and blobs name their version, so old data keeps
// decrypting. Automatic rotation is for AWS_KMS customer keys (period 90..2560 days, default
// 365) and AWS managed keys (every 365 days from their current material, not configurable).

import { authorize } from './authorize.js';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { disabled, draftKey, pendingDeletion, pendingImport, requireOrigin } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { paginate } from './paging.js';
import { currentMaterial, keyOrigin } from './records.js';
import type { KeyRecord, RotationType } from './records.js';
import { authorizedKey, resolveKey } from './resolve.js';
import type {
  Caller,
  EnableKeyRotationInput,
  GetKeyRotationStatusOutput,
  KeyIdInput,
  KeyRotationEntry,
  ListKeyRotationsInput,
  ListKeyRotationsOutput,
} from './types.js';
import { Violations } from './validate.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_PERIOD_DAYS = 365;
const AWS_MANAGED_PERIOD_DAYS = 365;
/** The current AWS API reference's limit (it was 10 at launch). */
export const ON_DEMAND_ROTATION_LIMIT = 25;

/** When the key rotates next on its own, if it does. */
export function rotationSchedule(key: KeyRecord): { periodDays: number; nextRotationAt: Date } | undefined {
  if (key.keyManager === 'AWS') {
    const from = Date.parse(currentMaterial(key).createdAt);
    return { periodDays: AWS_MANAGED_PERIOD_DAYS, nextRotationAt: new Date(from + AWS_MANAGED_PERIOD_DAYS * DAY_MS) };
  }
  if (!key.rotation) return undefined;
  return { periodDays: key.rotation.periodDays, nextRotationAt: new Date(key.rotation.nextRotationAt) };
}

/** Adds and switches to a new material version on `draft` (inside a mutation). */
export function rotateMaterial(ctx: CoreContext, draft: KeyRecord, type: RotationType): void {
  const version = Math.max(0, ...draft.materials.map((m) => m.version)) + 1;
  draft.materials.push(ctx.store.newMaterial(draft.arn, version, { rotationType: type }));
  draft.currentMaterialVersion = version;
  if (type === 'AUTOMATIC' && draft.rotation) {
    draft.rotation.nextRotationAt = new Date(ctx.now().getTime() + draft.rotation.periodDays * DAY_MS).toISOString();
  }
  if (type === 'ON_DEMAND') draft.onDemandRotations = (draft.onDemandRotations ?? 0) + 1;
}

/** The state rules EnableKeyRotation, DisableKeyRotation and RotateKeyOnDemand share. */
function requireRotatable(key: KeyRecord): void {
  requireOrigin(key, 'AWS_KMS');
  if (key.state === 'Disabled') throw disabled(key);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
  if (key.state === 'PendingImport') throw pendingImport(key);
}

function rotatableKey(ctx: CoreContext, keyId: string, action: 'EnableKeyRotation' | 'DisableKeyRotation' | 'RotateKeyOnDemand', caller: Caller): KeyRecord | Promise<KeyRecord> {
  return authorizedKey(ctx, keyId, { allowAlias: false, action, caller, check: requireRotatable });
}

export async function enableKeyRotation(ctx: CoreContext, input: EnableKeyRotationInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.range('rotationPeriodInDays', input.RotationPeriodInDays, 90, 2560);
  violations.throwIfAny();
  const key = await rotatableKey(ctx, input.KeyId, 'EnableKeyRotation', caller);
  const periodDays = input.RotationPeriodInDays ?? DEFAULT_PERIOD_DAYS;
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireRotatable(draft);
    // The first automatic rotation comes one period after rotation was (re)enabled.
    draft.rotation = { periodDays, nextRotationAt: new Date(ctx.now().getTime() + periodDays * DAY_MS).toISOString() };
  });
}

export async function disableKeyRotation(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<void> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await rotatableKey(ctx, input.KeyId, 'DisableKeyRotation', caller);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireRotatable(draft);
    delete draft.rotation;
  });
}

export async function getKeyRotationStatus(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<GetKeyRotationStatusOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: false });
  authorize(caller, 'GetKeyRotationStatus', key);
  const schedule = rotationSchedule(key);
  // While pending deletion the status reads false; cancelling restores it (the record keeps it).
  if (!schedule || key.state === 'PendingDeletion') return { KeyRotationEnabled: false, KeyId: key.arn };
  return { KeyRotationEnabled: true, KeyId: key.arn, RotationPeriodInDays: schedule.periodDays, NextRotationDate: schedule.nextRotationAt };
}

export async function rotateKeyOnDemand(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<{ KeyId: string }> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await rotatableKey(ctx, input.KeyId, 'RotateKeyOnDemand', caller);
  await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    requireRotatable(draft);
    if ((draft.onDemandRotations ?? 0) >= ON_DEMAND_ROTATION_LIMIT) {
      throw new KmsError(
        'LimitExceededException',
        `The on-demand rotations limit has been reached for the given keyId. No more on-demand rotations can be performed for this key: ${draft.arn}`,
      );
    }
    rotateMaterial(ctx, draft, 'ON_DEMAND');
  });
  return { KeyId: key.arn };
}

export async function listKeyRotations(ctx: CoreContext, input: ListKeyRotationsInput, caller: Caller): Promise<ListKeyRotationsOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.range('limit', input.Limit, 1, 1000);
  violations.length('marker', input.Marker, 1, 1024);
  violations.oneOf('includeKeyMaterial', input.IncludeKeyMaterial, ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY']);
  violations.throwIfAny();
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: false });
  authorize(caller, 'ListKeyRotations', key);
  const all = input.IncludeKeyMaterial === 'ALL_KEY_MATERIAL';
  const entries = key.materials
    .filter((m) => all || m.rotationType !== undefined)
    .map((m): KeyRotationEntry & { version: number } => ({
      version: m.version,
      KeyId: key.arn,
      KeyMaterialId: m.materialId,
      ...(m.rotationType ? { RotationDate: new Date(m.createdAt), RotationType: m.rotationType } : {}),
      KeyMaterialState: m.version === key.currentMaterialVersion ? 'CURRENT' : 'NON_CURRENT',
      ...(keyOrigin(key) === 'EXTERNAL' && m.imported
        ? {
            ImportState: m.sealed === undefined ? 'PENDING_IMPORT' : 'IMPORTED',
            ExpirationModel: m.imported.expirationModel,
            ...(m.imported.validTo !== undefined ? { ValidTo: new Date(m.imported.validTo) } : {}),
          }
        : {}),
    }));
  const page = paginate(entries, (e) => String(e.version).padStart(10, '0'), input.Limit ?? 100, input.Marker);
  return {
    Rotations: page.items.map(({ version: _version, ...entry }) => entry),
    Truncated: page.truncated,
    ...(page.nextMarker !== undefined ? { NextMarker: page.nextMarker } : {}),
  };
}
