// The keystore document as stored on disk (lowdb JSON). Dates are ISO-8601 strings; key
// material appears only sealed, and `mac` authenticates every other field (see seal.ts).
// Version 1 (the first release) had no `mac`; it is upgraded only on request (keystore.ts).
// Members added since version 2 was first written are all optional, so those files load as
// they are: an absent `origin` is AWS_KMS, an absent `rotation` is automatic rotation off.

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
export type KeyOrigin = 'AWS_KMS' | 'EXTERNAL';
export type ExpirationModel = 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';
export type KeyManager = 'CUSTOMER' | 'AWS';

export interface Tag {
  TagKey: string;
  TagValue: string;
}

export interface MaterialRecord {
  version: number;
  /** 64 hex chars, random; names the material without revealing anything about it. */
  materialId: string;
  /** Absent once imported material was deleted or expired: nothing of it is left. */
  sealed?: string;
  createdAt: string;
  /** How this version came to be; absent for a key's first material. */
  rotationType?: RotationType;
  /** Imported material (Origin EXTERNAL). */
  imported?: ImportedMaterial;
}

export interface ImportedMaterial {
  /** HMAC of the material under a root subkey, so a re-import can be told same or different. */
  check: string;
  expirationModel: ExpirationModel;
  validTo?: string;
}

export interface RotationSchedule {
  periodDays: number;
  nextRotationAt: string;
}

interface MaterialHolder {
  keyId: string;
  createdAt: string;
  currentMaterialVersion: number;
  materials: MaterialRecord[];
}

export interface KeyRecord extends MaterialHolder {
  arn: string;
  accountId: string;
  region: string;
  description: string;
  keyManager: KeyManager;
  state: KeyState;
  deletionDate?: string;
  pendingWindowInDays?: number;
  policy: string;
  tags: Tag[];
  /** Absent: AWS_KMS. */
  origin?: KeyOrigin;
  /** Present while automatic rotation is enabled (customer keys; AWS managed keys rotate yearly). */
  rotation?: RotationSchedule;
  onDemandRotations?: number;
}

/** AWS owned keys (SSE-S3): one per purpose, never listed or reachable by a public operation. */
export interface OwnedKeyRecord extends MaterialHolder {
  purpose: string;
}

export interface AliasRecord {
  aliasName: string;
  targetKeyId: string;
  createdAt: string;
  updatedAt: string;
}

export const KEYSTORE_FORMAT = 'kms-core-keystore';
export const KEYSTORE_VERSION = 2;

export interface KeystoreDocument {
  format: typeof KEYSTORE_FORMAT;
  version: typeof KEYSTORE_VERSION;
  rootKeyCheck: string;
  keys: Record<string, KeyRecord>;
  aliases: Record<string, AliasRecord>;
  ownedKeys: Record<string, OwnedKeyRecord>;
  /** HMAC of everything above under the root key; recomputed on every write. */
  mac: string;
}

/** The binding string sealed material is tied to (see seal.ts). */
export function sealBinding(holder: KeyRecord | OwnedKeyRecord): string {
  return 'arn' in holder ? holder.arn : `owned/${holder.purpose}/${holder.keyId}`;
}

/** Version 0 means none yet: an EXTERNAL key before its first import. */
export function currentMaterial(holder: MaterialHolder): MaterialRecord {
  const material = holder.materials.find((m) => m.version === holder.currentMaterialVersion);
  if (!material) throw new Error(`key ${holder.keyId} has no current material`);
  return material;
}

export function keyOrigin(key: KeyRecord): KeyOrigin {
  return key.origin ?? 'AWS_KMS';
}
