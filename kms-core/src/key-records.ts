// Building key records and presenting them as AWS KeyMetadata; the key-state rules that
// several operations share.

import { randomUUID } from 'node:crypto';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { keyArn } from './key-id.js';
import { currentMaterial } from './records.js';
import type { KeyManager, KeyRecord, OwnedKeyRecord, Tag } from './records.js';
import type { KeyMetadata } from './types.js';

export const AWS_S3_ALIAS = 'alias/aws/s3';
export const AWS_S3_DESCRIPTION = 'Default key that protects my S3 objects when no other key is defined';

export interface NewKeyFields {
  description: string;
  keyManager: KeyManager;
  policy: string;
  tags: Tag[];
}

/** A new Enabled key with its first material version (1). Not stored until the caller commits it. */
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
    state: 'Enabled',
    policy: fields.policy,
    tags: fields.tags,
    currentMaterialVersion: 1,
    materials: [ctx.store.newMaterial(arn, 1)],
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
    Origin: 'AWS_KMS',
    KeyManager: key.keyManager,
    KeySpec: 'SYMMETRIC_DEFAULT',
    CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
    EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
    MultiRegion: false,
    CurrentKeyMaterialId: currentMaterial(key).materialId,
  };
  if (key.state === 'PendingDeletion' && key.deletionDate) metadata.DeletionDate = new Date(key.deletionDate);
  return metadata;
}

export function pendingDeletion(key: KeyRecord): KmsError {
  return new KmsError('KMSInvalidStateException', `${key.arn} is pending deletion.`);
}

/** Cryptographic operations need an Enabled key. */
export function requireUsable(key: KeyRecord): void {
  if (key.state === 'Disabled') throw new KmsError('DisabledException', `${key.arn} is disabled.`);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
}

/** Fetches the live record of a key inside a mutation, which must still exist. */
export function draftKey(doc: { keys: Record<string, KeyRecord> }, key: KeyRecord): KeyRecord {
  const draft = Object.hasOwn(doc.keys, key.keyId) ? doc.keys[key.keyId] : undefined;
  if (!draft) throw new KmsError('NotFoundException', `Key '${key.arn}' does not exist`);
  return draft;
}
