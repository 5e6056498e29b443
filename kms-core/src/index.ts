// Public surface of @kmsgate/kms-core: the embedded, AWS-KMS-compatible key service.

export { KmsCore } from './kms-core.js';
export { KmsError } from './errors.js';
export type { KmsErrorType } from './errors.js';
export { canonicalEncryptionContext } from './context.js';
// The clear header of a ciphertext blob (key, material version): for showing an envelope, never for opening one.
export { parseBlob } from './blob.js';
export { canonicalJson, canonicalJsonString, codePointSortedKeys, compareCodePoints } from './canonical-json.js';
export type { CanonicalJsonValue } from './canonical-json.js';
export { DurableJsonFile, StoreFileError, makePrivateFolder, readJsonFile, writeFileDurably } from './durable-json-file.js';
export { upgradeKeystore } from './keystore.js';
export { Mutex } from './mutex.js';
export { documentMac, documentMacMatches, rootKeyCheck, rootKeyMatches, rootSubkey, seal, unseal } from './seal.js';
export { PolicyDocumentError, evaluateAccess, evaluatePolicy, parsePolicy } from './policy/index.js';
export type { AccessInput, ContextValue, Decision, Policy, PolicyKind, PolicyPrincipal, PolicyRequest } from './policy/index.js';
export { arnMatch, wildcardMatch } from './policy/index.js';
export type { Statement as PolicyStatement } from './policy/index.js';
export type {
  AliasListEntry,
  Caller,
  CreateAliasInput,
  CreateKeyInput,
  DataPlaneExtras,
  DecryptInput,
  DecryptOutput,
  EncryptInput,
  EncryptOutput,
  GenerateDataKeyInput,
  GenerateDataKeyOutput,
  KeyMetadata,
  KmsCoreOptions,
  ListAliasesInput,
  ListAliasesOutput,
  ListKeysOutput,
  ScheduleKeyDeletionInput,
  ScheduleKeyDeletionOutput,
  DeleteAliasInput,
  EnableKeyRotationInput,
  ExpirationModel,
  GenerateDataKeyWithoutPlaintextOutput,
  GenerateRandomInput,
  GetKeyRotationStatusOutput,
  GetParametersForImportInput,
  GetParametersForImportOutput,
  ImportKeyMaterialInput,
  KeyIdAndMaterialOutput,
  KeyIdInput,
  KeyOrigin,
  KeyRotationEntry,
  ListKeyRotationsInput,
  ListKeyRotationsOutput,
  ListResourceTagsInput,
  ListResourceTagsOutput,
  ReEncryptInput,
  ReEncryptOutput,
  TagResourceInput,
  UntagResourceInput,
  UpdateAliasInput,
  UpdateKeyDescriptionInput,
  WrappingAlgorithm,
  WrappingKeySpec,
} from './types.js';
export { AuditWriter } from './audit/writer.js';
export type { AuditWriterOptions } from './audit/writer.js';
export { readAuditTrail, matchesAudit } from './audit/reader.js';
export type { AuditFilter } from './audit/reader.js';
export type { AuditRecord } from './audit/record.js';
// Pure blob parsing (no key needed), for tools that show which key material wrapped a blob.
export type { ParsedBlob } from './blob.js';
