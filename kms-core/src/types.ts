// Public shapes of the typed API: AWS KMS member names (PascalCase), blobs as Buffer,
// timestamps as Date. The JSON protocol layer converts these to and from the wire.

import type { AuditWriterOptions } from './audit/writer.js';
import type { ExpirationModel, KeyManager, KeyOrigin, KeyState, RotationType, Tag } from './records.js';

export type { ExpirationModel, KeyManager, KeyOrigin, KeyState, RotationType, Tag };

export interface Caller {
  arn: string;
  accountId: string;
  accessKeyId?: string;
  requestId?: string;
  /** The client's address and User-Agent, for the audit trail. */
  sourceIp?: string;
  userAgent?: string;
  /** The AWS service that made the call on the caller's behalf (`s3.amazonaws.com`). */
  invokedBy?: string;
}

export interface KmsCoreOptions {
  /** lowdb JSON file path; null keeps the keystore in memory (tests). */
  keystorePath: string | null;
  /** 32 bytes; seals key material at rest. */
  rootKey: Buffer;
  region: string;
  /** 12 digits. */
  accountId: string;
  now?: () => Date;
  /**
   * How often (real milliseconds) scheduled work — deletions whose window passed, automatic
   * rotations, imported material expiry — is checked against `now` without waiting for a
   * call. Every call checks too. Default 60000; 0 turns the timer off.
   */
  scheduleIntervalMs?: number;
  /** The audit trail's JSON-lines file; null or absent keeps no trail (in-memory tests). */
  auditPath?: string | null;
  /** Rotation of the audit file by size. */
  audit?: AuditWriterOptions;
}

export interface KeyMetadata {
  AWSAccountId: string;
  KeyId: string;
  Arn: string;
  CreationDate: Date;
  Enabled: boolean;
  Description: string;
  KeyUsage: 'ENCRYPT_DECRYPT';
  KeyState: KeyState;
  DeletionDate?: Date;
  ValidTo?: Date;
  Origin: KeyOrigin;
  KeyManager: KeyManager;
  KeySpec: 'SYMMETRIC_DEFAULT';
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT';
  EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'];
  MultiRegion: false;
  ExpirationModel?: ExpirationModel;
  /** Absent while a key has no usable material (EXTERNAL before import or after deletion). */
  CurrentKeyMaterialId?: string;
}

export type EncryptionContextInput = Record<string, string>;

export interface CreateKeyInput {
  Description?: string;
  KeyUsage?: 'ENCRYPT_DECRYPT';
  KeySpec?: 'SYMMETRIC_DEFAULT';
  Origin?: KeyOrigin;
  Policy?: string;
  Tags?: Tag[];
  /** Accepted; the lockout check belongs to key policy evaluation. */
  BypassPolicyLockoutSafetyCheck?: boolean;
}

/** Members every data-plane operation takes besides its own. */
export interface DataPlaneExtras {
  /** Checked for shape (at most 10, each 1..8192 chars); grants will give them meaning. */
  GrantTokens?: string[];
  /** Run every check, then answer DryRunOperationException instead of doing the work. */
  DryRun?: boolean;
}

export interface KeyIdInput {
  KeyId: string;
}

export interface ListInput {
  Limit?: number;
  Marker?: string;
}

export interface ListKeysOutput {
  Keys: { KeyId: string; KeyArn: string }[];
  Truncated: boolean;
  NextMarker?: string;
}

export interface ScheduleKeyDeletionInput {
  KeyId: string;
  PendingWindowInDays?: number;
}

export interface ScheduleKeyDeletionOutput {
  KeyId: string;
  DeletionDate: Date;
  KeyState: 'PendingDeletion';
  PendingWindowInDays: number;
}

export interface CreateAliasInput {
  AliasName: string;
  TargetKeyId: string;
}

export interface ListAliasesInput extends ListInput {
  KeyId?: string;
}

export interface AliasListEntry {
  AliasName: string;
  AliasArn: string;
  TargetKeyId?: string;
  CreationDate?: Date;
  LastUpdatedDate?: Date;
}

export interface ListAliasesOutput {
  Aliases: AliasListEntry[];
  Truncated: boolean;
  NextMarker?: string;
}

export interface EncryptInput extends DataPlaneExtras {
  KeyId: string;
  Plaintext: Buffer;
  EncryptionContext?: EncryptionContextInput;
}

export interface EncryptOutput {
  CiphertextBlob: Buffer;
  KeyId: string;
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
}

export interface DecryptInput extends DataPlaneExtras {
  CiphertextBlob: Buffer;
  EncryptionContext?: EncryptionContextInput;
  KeyId?: string;
}

export interface DecryptOutput {
  Plaintext: Buffer;
  KeyId: string;
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  KeyMaterialId: string;
}

export interface GenerateDataKeyInput extends DataPlaneExtras {
  KeyId: string;
  EncryptionContext?: EncryptionContextInput;
  KeySpec?: 'AES_256' | 'AES_128';
  NumberOfBytes?: number;
}

export interface GenerateDataKeyOutput {
  Plaintext: Buffer;
  CiphertextBlob: Buffer;
  KeyId: string;
  KeyMaterialId: string;
}

export interface GenerateDataKeyWithoutPlaintextOutput {
  CiphertextBlob: Buffer;
  KeyId: string;
  KeyMaterialId: string;
}

export interface ReEncryptInput extends DataPlaneExtras {
  CiphertextBlob: Buffer;
  SourceEncryptionContext?: EncryptionContextInput;
  SourceKeyId?: string;
  DestinationKeyId: string;
  DestinationEncryptionContext?: EncryptionContextInput;
}

export interface ReEncryptOutput {
  CiphertextBlob: Buffer;
  SourceKeyId: string;
  KeyId: string;
  SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
  SourceKeyMaterialId: string;
  DestinationKeyMaterialId: string;
}

export interface GenerateRandomInput {
  NumberOfBytes?: number;
}

export interface UpdateKeyDescriptionInput {
  KeyId: string;
  Description: string;
}

export interface UpdateAliasInput {
  AliasName: string;
  TargetKeyId: string;
}

export interface DeleteAliasInput {
  AliasName: string;
}

export interface EnableKeyRotationInput {
  KeyId: string;
  RotationPeriodInDays?: number;
}

export interface GetKeyRotationStatusOutput {
  KeyRotationEnabled: boolean;
  KeyId: string;
  RotationPeriodInDays?: number;
  NextRotationDate?: Date;
}

export interface ListKeyRotationsInput extends ListInput {
  KeyId: string;
  IncludeKeyMaterial?: 'ALL_KEY_MATERIAL' | 'ROTATIONS_ONLY';
}

export interface KeyRotationEntry {
  KeyId: string;
  KeyMaterialId: string;
  RotationDate?: Date;
  RotationType?: RotationType;
  KeyMaterialState: 'CURRENT' | 'NON_CURRENT';
  ImportState?: 'IMPORTED' | 'PENDING_IMPORT';
  ExpirationModel?: ExpirationModel;
  ValidTo?: Date;
}

export interface ListKeyRotationsOutput {
  Rotations: KeyRotationEntry[];
  Truncated: boolean;
  NextMarker?: string;
}

export type WrappingAlgorithm = 'RSAES_OAEP_SHA_1' | 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_1' | 'RSA_AES_KEY_WRAP_SHA_256';
export type WrappingKeySpec = 'RSA_2048' | 'RSA_3072' | 'RSA_4096';

export interface GetParametersForImportInput {
  KeyId: string;
  WrappingAlgorithm: WrappingAlgorithm;
  WrappingKeySpec: WrappingKeySpec;
}

export interface GetParametersForImportOutput {
  KeyId: string;
  ImportToken: Buffer;
  PublicKey: Buffer;
  ParametersValidTo: Date;
}

export interface ImportKeyMaterialInput {
  KeyId: string;
  ImportToken: Buffer;
  EncryptedKeyMaterial: Buffer;
  ExpirationModel?: ExpirationModel;
  ValidTo?: Date;
  ImportType?: 'EXISTING_KEY_MATERIAL' | 'NEW_KEY_MATERIAL';
}

export interface KeyIdAndMaterialOutput {
  KeyId: string;
  KeyMaterialId: string;
}

export interface TagResourceInput {
  KeyId: string;
  Tags: Tag[];
}

export interface UntagResourceInput {
  KeyId: string;
  TagKeys: string[];
}

export interface ListResourceTagsInput extends ListInput {
  KeyId: string;
}

export interface ListResourceTagsOutput {
  Tags: Tag[];
  Truncated: boolean;
  NextMarker?: string;
}
