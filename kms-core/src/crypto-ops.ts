// The data plane: Encrypt, Decrypt, ReEncrypt, GenerateDataKey[WithoutPlaintext] and
// GenerateRandom. The key that wraps a blob is named inside it, so Decrypt finds it (and
// authorises against it) without a KeyId. Output KeyId is always the key ARN. DryRun runs every
// check (shape, key, authorisation, key state) and then answers DryRunOperationException.
// This is the hot path: no keystore writes, no JSON, material unsealed once and cached, and
// no promise of its own unless the key must first be created (alias/aws/s3 named the first time).

import { authorize, authorizeAccount } from './authorize.js';
import { openBlob, parseBlob, sealBlob, NONCE_BYTES } from './blob.js';
import type { ParsedBlob } from './blob.js';
import { canonicalEncryptionContextText } from './context.js';
import type { CoreContext } from './core-context.js';
import { KmsError, dryRunSucceeded, invalidCiphertext } from './errors.js';
import { requireUsable } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { currentMaterial, sealBinding } from './records.js';
import type { KeyRecord, OwnedKeyRecord } from './records.js';
import { authorizedKey, resolveKey, whenResolved } from './resolve.js';
import type {
  Caller,
  DataPlaneExtras,
  DecryptInput,
  DecryptOutput,
  EncryptInput,
  EncryptOutput,
  EncryptionContextInput,
  GenerateDataKeyInput,
  GenerateDataKeyOutput,
  GenerateDataKeyWithoutPlaintextOutput,
  GenerateRandomInput,
  ReEncryptInput,
  ReEncryptOutput,
} from './types.js';
import { Violations } from './validate.js';

const DATA_KEY_SPECS = ['AES_256', 'AES_128'] as const;
const MAX_GRANT_TOKENS = 10;

function validateContext(violations: Violations, ctx: EncryptionContextInput | undefined, member = 'encryptionContext'): void {
  if (ctx === undefined) return;
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    violations.add(`Value at '${member}' failed to satisfy constraint: Member must be a map of strings`);
    return;
  }
  for (const k in ctx) {
    if (Object.hasOwn(ctx, k) && typeof ctx[k] !== 'string') {
      violations.add(`Value at '${member}' failed to satisfy constraint: Value of '${k}' must be a string`);
    }
  }
}

function validateExtras(violations: Violations, input: DataPlaneExtras): void {
  const tokens = input.GrantTokens;
  if (tokens === undefined) return;
  if (tokens.length > MAX_GRANT_TOKENS) {
    violations.add(`Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to ${MAX_GRANT_TOKENS}`);
  }
  tokens.forEach((token, i) => violations.length(`grantTokens.${i + 1}.member`, token, 1, 8192, true));
}

/** Wraps `plaintext` under the current material of `holder`; returns the blob and material id. */
export function wrapWithKey(
  ctx: CoreContext,
  holder: KeyRecord | OwnedKeyRecord,
  plaintext: Buffer,
  encryptionContext: EncryptionContextInput | undefined,
): { blob: Buffer; materialId: string } {
  const record = currentMaterial(holder);
  const keys = ctx.store.material(sealBinding(holder), record);
  const blob = sealBlob({
    wrap: keys.wrap,
    header: { keyUuid: holder.keyId, materialVersion: record.version, nonce: ctx.random.take(NONCE_BYTES) },
    plaintext,
    context: canonicalEncryptionContextText(encryptionContext),
  });
  return { blob, materialId: record.materialId };
}

/** Opens a parsed blob with the material version it names; unknown or deleted versions are invalid ciphertext. */
export function unwrapWithKey(
  ctx: CoreContext,
  holder: KeyRecord | OwnedKeyRecord,
  parsed: ParsedBlob,
  encryptionContext: EncryptionContextInput | undefined,
): { plaintext: Buffer; materialId: string } {
  const record = holder.materials.find((m) => m.version === parsed.materialVersion);
  if (!record || record.sealed === undefined) throw invalidCiphertext();
  const keys = ctx.store.material(sealBinding(holder), record);
  return { plaintext: openBlob(parsed, keys, canonicalEncryptionContextText(encryptionContext)), materialId: record.materialId };
}

/** A key the caller may use for `action` right now (resolved, authorised, Enabled). */
function usableKey(
  ctx: CoreContext,
  keyId: string,
  action: 'Encrypt' | 'GenerateDataKey' | 'GenerateDataKeyWithoutPlaintext' | 'ReEncryptTo',
  caller: Caller,
  encryptionContext: EncryptionContextInput | undefined,
): KeyRecord | Promise<KeyRecord> {
  return authorizedKey(ctx, keyId, { allowAlias: true, action, caller, check: requireUsable, request: { encryptionContext } });
}

export function encrypt(ctx: CoreContext, input: EncryptInput, caller: Caller): EncryptOutput | Promise<EncryptOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('plaintext', input.Plaintext);
  violations.length('plaintext', input.Plaintext, 1, 4096, true);
  validateContext(violations, input.EncryptionContext);
  validateExtras(violations, input);
  violations.throwIfAny();
  return whenResolved(usableKey(ctx, input.KeyId, 'Encrypt', caller, input.EncryptionContext), (key) => {
    if (input.DryRun === true) throw dryRunSucceeded();
    const { blob } = wrapWithKey(ctx, key, input.Plaintext, input.EncryptionContext);
    return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const };
  });
}

function dataKeyLength(input: GenerateDataKeyInput): number {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.oneOf('keySpec', input.KeySpec, DATA_KEY_SPECS);
  violations.range('numberOfBytes', input.NumberOfBytes, 1, 1024);
  validateContext(violations, input.EncryptionContext);
  validateExtras(violations, input);
  violations.throwIfAny();
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  return input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32);
}

export function generateDataKey(ctx: CoreContext, input: GenerateDataKeyInput, caller: Caller): GenerateDataKeyOutput | Promise<GenerateDataKeyOutput> {
  const length = dataKeyLength(input);
  return whenResolved(usableKey(ctx, input.KeyId, 'GenerateDataKey', caller, input.EncryptionContext), (key) => {
    if (input.DryRun === true) throw dryRunSucceeded();
    // Fresh Buffer handed to the caller, who owns (and zeroes) it.
    const plaintext = ctx.random.take(length);
    const { blob, materialId } = wrapWithKey(ctx, key, plaintext, input.EncryptionContext);
    return { Plaintext: plaintext, CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: materialId };
  });
}

export async function generateDataKeyWithoutPlaintext(
  ctx: CoreContext,
  input: GenerateDataKeyInput,
  caller: Caller,
): Promise<GenerateDataKeyWithoutPlaintextOutput> {
  const length = dataKeyLength(input);
  const key = await usableKey(ctx, input.KeyId, 'GenerateDataKeyWithoutPlaintext', caller, input.EncryptionContext);
  if (input.DryRun === true) throw dryRunSucceeded();
  const plaintext = ctx.random.take(length);
  try {
    const { blob, materialId } = wrapWithKey(ctx, key, plaintext, input.EncryptionContext);
    return { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: materialId };
  } finally {
    plaintext.fill(0);
  }
}

const CIPHERTEXT_ACCESS_DENIED =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';

/** The key a blob names, checked against an optional KeyId the caller gave. */
function keyOfBlob(ctx: CoreContext, parsed: ParsedBlob, requestedKeyId: string | undefined): KeyRecord | Promise<KeyRecord> {
  const requested = requestedKeyId === undefined ? undefined : resolveKey(ctx, requestedKeyId, { allowAlias: true });
  return whenResolved(requested, (want) => {
    // Owned keys live elsewhere in the keystore, so their blobs look like an unknown key here.
    const key = ctx.store.key(parsed.keyUuid);
    if (!key) throw new KmsError('AccessDeniedException', CIPHERTEXT_ACCESS_DENIED);
    if (want && want.keyId !== key.keyId) {
      throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
    }
    return key;
  });
}

function validateCiphertext(violations: Violations, blob: Buffer | undefined): void {
  violations.required('ciphertextBlob', blob);
  violations.length('ciphertextBlob', blob, 1, 6144);
}

export function decrypt(ctx: CoreContext, input: DecryptInput, caller: Caller): DecryptOutput | Promise<DecryptOutput> {
  const violations = new Violations();
  validateCiphertext(violations, input.CiphertextBlob);
  if (input.KeyId !== undefined) validateKeyId(violations, input.KeyId);
  validateContext(violations, input.EncryptionContext);
  validateExtras(violations, input);
  violations.throwIfAny();
  const parsed = parseBlob(input.CiphertextBlob);
  return whenResolved(keyOfBlob(ctx, parsed, input.KeyId), (key) => {
    authorize(caller, 'Decrypt', key, { encryptionContext: input.EncryptionContext });
    requireUsable(key);
    if (input.DryRun === true) throw dryRunSucceeded();
    const { plaintext, materialId } = unwrapWithKey(ctx, key, parsed, input.EncryptionContext);
    return { Plaintext: plaintext, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' as const, KeyMaterialId: materialId };
  });
}

export async function reEncrypt(ctx: CoreContext, input: ReEncryptInput, caller: Caller): Promise<ReEncryptOutput> {
  const violations = new Violations();
  validateCiphertext(violations, input.CiphertextBlob);
  if (input.SourceKeyId !== undefined) validateKeyId(violations, input.SourceKeyId, 'sourceKeyId');
  validateKeyId(violations, input.DestinationKeyId, 'destinationKeyId');
  validateContext(violations, input.SourceEncryptionContext, 'sourceEncryptionContext');
  validateContext(violations, input.DestinationEncryptionContext, 'destinationEncryptionContext');
  validateExtras(violations, input);
  violations.throwIfAny();
  const parsed = parseBlob(input.CiphertextBlob);
  const source = await keyOfBlob(ctx, parsed, input.SourceKeyId);
  authorize(caller, 'ReEncryptFrom', source, { encryptionContext: input.SourceEncryptionContext });
  requireUsable(source);
  const destination = await usableKey(ctx, input.DestinationKeyId, 'ReEncryptTo', caller, input.DestinationEncryptionContext);
  if (input.DryRun === true) throw dryRunSucceeded();
  const opened = unwrapWithKey(ctx, source, parsed, input.SourceEncryptionContext);
  try {
    const { blob, materialId } = wrapWithKey(ctx, destination, opened.plaintext, input.DestinationEncryptionContext);
    return {
      CiphertextBlob: blob,
      SourceKeyId: source.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      DestinationEncryptionAlgorithm: 'SYMMETRIC_DEFAULT',
      SourceKeyMaterialId: opened.materialId,
      DestinationKeyMaterialId: materialId,
    };
  } finally {
    opened.plaintext.fill(0);
  }
}

export function generateRandom(ctx: CoreContext, input: GenerateRandomInput, caller: Caller): { Plaintext: Buffer } {
  if (input.NumberOfBytes === undefined) throw new KmsError('ValidationException', 'NumberOfBytes is required.');
  const violations = new Violations();
  violations.range('numberOfBytes', input.NumberOfBytes, 1, 1024);
  violations.throwIfAny();
  authorizeAccount(caller, 'GenerateRandom', ctx.scope.accountId);
  return { Plaintext: ctx.random.take(input.NumberOfBytes) };
}
