// Public shapes of the typed API: AWS KMS member names (PascalCase), blobs as Buffer,
// timestamps as Date. The JSON protocol layer converts these to and from the wire.

import type { KeyManager, KeyState, Tag } from './records.js';

export type { KeyManager, KeyState, Tag };

export interface Caller {
  arn: string;
  accountId: string;
  accessKeyId?: string;
  requestId?: string;
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
  Origin: 'AWS_KMS';
  KeyManager: KeyManager;
  KeySpec: 'SYMMETRIC_DEFAULT';
  CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT';
  EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'];
  MultiRegion: false;
  CurrentKeyMaterialId: string;
}

export type EncryptionContextInput = Record<string, string>;

export interface CreateKeyInput {
  Description?: string;
  KeyUsage?: 'ENCRYPT_DECRYPT';
  KeySpec?: 'SYMMETRIC_DEFAULT';
  Origin?: 'AWS_KMS';
  Policy?: string;
  Tags?: Tag[];
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

export interface EncryptInput {
  KeyId: string;
  Plaintext: Buffer;
  EncryptionContext?: EncryptionContextInput;
}

export interface EncryptOutput {
  CiphertextBlob: Buffer;
  KeyId: string;
  EncryptionAlgorithm: 'SYMMETRIC_DEFAULT';
}

export interface DecryptInput {
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

export interface GenerateDataKeyInput {
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
