// Building key records and presenting them as AWS KeyMetadata; the key-state rules that
// several operations share.

import { randomUUID } from 'node:crypto';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { keyArn } from './key-id.js';
import { keyOrigin } from './records.js';
import type { KeyManager, KeyOrigin, KeyRecord, OwnedKeyRecord, Tag } from './records.js';
import type { KeyMetadata } from './types.js';

export const AWS_S3_ALIAS = 'alias/aws/s3';
export const AWS_S3_DESCRIPTION = 'Default key that protects my S3 objects when no other key is defined';

export interface NewKeyFields {
  description: string;
  keyManager: KeyManager;
  policy: string;
  tags: Tag[];
  origin?: KeyOrigin;
}

/**
 * A new key, not stored until the caller commits it: Enabled with its first material version
 * (1), or for Origin EXTERNAL PendingImport with no material (version 0) until ImportKeyMaterial.
 */
export function newKeyRecord(ctx: CoreContext, fields: NewKeyFields): KeyRecord {
  const keyId = randomUUID();
  const arn = keyArn(ctx.scope, keyId);
  return {
    keyId,
    arn,
    accountId: ctx.scope.accountId,
    region: ctx.scope.region,
    createdAt: ctx.now().toISOString(),
    description: fields.description,
    keyManager: fields.keyManager,
    policy: fields.policy,
    tags: fields.tags,
    ...(fields.origin === 'EXTERNAL'
      ? { origin: 'EXTERNAL' as const, state: 'PendingImport' as const, currentMaterialVersion: 0, materials: [] }
      : { state: 'Enabled' as const, currentMaterialVersion: 1, materials: [ctx.store.newMaterial(arn, 1)] }),
  };
}

export function newOwnedKeyRecord(ctx: CoreContext, purpose: string): OwnedKeyRecord {
  const keyId = randomUUID();
  return {
    keyId,
    purpose,
    createdAt: ctx.now().toISOString(),
    currentMaterialVersion: 1,
    materials: [ctx.store.newMaterial(`owned/${purpose}/${keyId}`, 1)],
  };
}

export function toKeyMetadata(key: KeyRecord): KeyMetadata {
  const metadata: KeyMetadata = {
    AWSAccountId: key.accountId,
    KeyId: key.keyId,
    Arn: key.arn,
    CreationDate: new Date(key.createdAt),
    Enabled: key.state === 'Enabled',
    Description: key.description,
    KeyUsage: 'ENCRYPT_DECRYPT',
    KeyState: key.state,
    Origin: keyOrigin(key),
    KeyManager: key.keyManager,
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
  };
  if (key.state === 'PendingDeletion' && key.deletionDate) metadata.DeletionDate = new Date(key.deletionDate);
  const current = key.materials.find((m) => m.version === key.currentMaterialVersion);
  if (current?.imported) {
    if (current.sealed !== undefined && current.imported.validTo !== undefined) metadata.ValidTo = new Date(current.imported.validTo);
    metadata.ExpirationModel = current.imported.expirationModel;
  }
  if (current && current.sealed !== undefined) metadata.CurrentKeyMaterialId = current.materialId;
  return metadata;
}

export function pendingDeletion(key: KeyRecord): KmsError {
  return new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

export function pendingImport(key: KeyRecord): KmsError {
  return new KmsError('KMSInvalidStateException', `${key.arn} is pending import.`);
}

export function disabled(key: KeyRecord): KmsError {
  return new KmsError('DisabledException', `${key.arn} is disabled.`);
}

/** Cryptographic operations need an Enabled key. */
export function requireUsable(key: KeyRecord): void {
  if (key.state === 'Enabled') return;
  if (key.state === 'Disabled') throw disabled(key);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
  throw pendingImport(key);
}

/** Operations that change a key but not its use (tags, description, aliases) refuse only pending deletion. */
export function requireNotPendingDeletion(key: KeyRecord): void {
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
}

/** For operations valid only on one origin: "<arn> origin is AWS_KMS which is not valid for this operation." */
export function requireOrigin(key: KeyRecord, origin: KeyOrigin): void {
  if (keyOrigin(key) !== origin) {
    throw new KmsError('UnsupportedOperationException', `${key.arn} origin is ${keyOrigin(key)} which is not valid for this operation.`);
  }
}

/** Fetches the live record of a key inside a mutation, which must still exist. */
export function draftKey(doc: { keys: Record<string, KeyRecord> }, key: KeyRecord): KeyRecord {
  const draft = Object.hasOwn(doc.keys, key.keyId) ? doc.keys[key.keyId] : undefined;
  if (!draft) throw new KmsError('NotFoundException', `Key '${key.arn}' does not exist`);
  return draft;
}
