// Encrypt, Decrypt and GenerateDataKey on customer and AWS managed keys. The key that wraps a
// blob is named inside it, so Decrypt finds it (and authorises against it) without a KeyId.
// Output KeyId is always the key ARN.

import { randomBytes } from 'node:crypto';
import { authorize } from './authorize.js';
import { NONCE_BYTES, WRAP_SALT_BYTES, openBlob, parseBlob, sealBlob } from './blob.js';
import type { ParsedBlob } from './blob.js';
import { canonicalEncryptionContext } from './context.js';
import type { CoreContext } from './core-context.js';
import { KmsError, invalidCiphertext } from './errors.js';
import { requireUsable } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import { currentMaterial, sealBinding } from './records.js';
import type { KeyRecord, OwnedKeyRecord } from './records.js';
import { resolveKey } from './resolve.js';
import type {
  Caller,
  DecryptInput,
  DecryptOutput,
  EncryptInput,
  EncryptOutput,
  EncryptionContextInput,
  GenerateDataKeyInput,
  GenerateDataKeyOutput,
} from './types.js';
import { Violations } from './validate.js';

const DATA_KEY_SPECS = ['AES_256', 'AES_128'] as const;

function validateContext(violations: Violations, ctx: EncryptionContextInput | undefined): void {
  if (ctx === undefined) return;
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    violations.add("Value at 'encryptionContext' failed to satisfy constraint: Member must be a map of strings");
    return;
  }
  for (const [k, v] of Object.entries(ctx)) {
    if (typeof v !== 'string') violations.add(`Value at 'encryptionContext' failed to satisfy constraint: Value of '${k}' must be a string`);
  }
}

/** Wraps `plaintext` under the current material of `holder`; returns the blob and material id. */
export function wrapWithKey(
  ctx: CoreContext,
  holder: KeyRecord | OwnedKeyRecord,
  plaintext: Buffer,
  encryptionContext: EncryptionContextInput | undefined,
): { blob: Buffer; materialId: string } {
  const record = currentMaterial(holder);
  const material = ctx.store.material(sealBinding(holder), record);
  const blob = sealBlob({
    material,
    header: { keyUuid: holder.keyId, materialVersion: record.version, wrapSalt: randomBytes(WRAP_SALT_BYTES), nonce: randomBytes(NONCE_BYTES) },
    plaintext,
    context: canonicalEncryptionContext(encryptionContext),
  });
  return { blob, materialId: record.materialId };
}

/** Opens a parsed blob with the material version it names; unknown versions are invalid ciphertext. */
export function unwrapWithKey(
  ctx: CoreContext,
  holder: KeyRecord | OwnedKeyRecord,
  parsed: ParsedBlob,
  encryptionContext: EncryptionContextInput | undefined,
): { plaintext: Buffer; materialId: string } {
  const record = holder.materials.find((m) => m.version === parsed.header.materialVersion);
  if (!record) throw invalidCiphertext();
  const material = ctx.store.material(sealBinding(holder), record);
  return { plaintext: openBlob(parsed, material, canonicalEncryptionContext(encryptionContext)), materialId: record.materialId };
}

export async function encrypt(ctx: CoreContext, input: EncryptInput, caller: Caller): Promise<EncryptOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('plaintext', input.Plaintext);
  violations.length('plaintext', input.Plaintext, 1, 4096, true);
  validateContext(violations, input.EncryptionContext);
  violations.throwIfAny();
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: true });
  authorize(caller, 'Encrypt', key);
  requireUsable(key);
  const { blob } = wrapWithKey(ctx, key, input.Plaintext, input.EncryptionContext);
  return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' };
}

export async function generateDataKey(ctx: CoreContext, input: GenerateDataKeyInput, caller: Caller): Promise<GenerateDataKeyOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.oneOf('keySpec', input.KeySpec, DATA_KEY_SPECS);
  violations.range('numberOfBytes', input.NumberOfBytes, 1, 1024);
  validateContext(violations, input.EncryptionContext);
  violations.throwIfAny();
  if ((input.KeySpec === undefined) === (input.NumberOfBytes === undefined)) {
    throw new KmsError('ValidationException', 'Please specify either number of bytes or key spec.');
  }
  const length = input.NumberOfBytes ?? (input.KeySpec === 'AES_128' ? 16 : 32);
  const key = await resolveKey(ctx, input.KeyId, { allowAlias: true });
  authorize(caller, 'GenerateDataKey', key);
  requireUsable(key);
  // Fresh Buffer handed to the caller, who owns (and zeroes) it.
  const plaintext = randomBytes(length);
  const { blob, materialId } = wrapWithKey(ctx, key, plaintext, input.EncryptionContext);
  return { Plaintext: plaintext, CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: materialId };
}

const CIPHERTEXT_ACCESS_DENIED =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';

export async function decrypt(ctx: CoreContext, input: DecryptInput, caller: Caller): Promise<DecryptOutput> {
  const violations = new Violations();
  violations.required('ciphertextBlob', input.CiphertextBlob);
  violations.length('ciphertextBlob', input.CiphertextBlob, 1, 6144);
  if (input.KeyId !== undefined) validateKeyId(violations, input.KeyId);
  validateContext(violations, input.EncryptionContext);
  violations.throwIfAny();
  const requested = input.KeyId === undefined ? undefined : await resolveKey(ctx, input.KeyId, { allowAlias: true });
  const parsed = parseBlob(input.CiphertextBlob);
  // Owned keys live elsewhere in the keystore, so their blobs look like an unknown key here.
  const key = ctx.store.key(parsed.header.keyUuid);
  if (!key) throw new KmsError('AccessDeniedException', CIPHERTEXT_ACCESS_DENIED);
  if (requested && requested.keyId !== key.keyId) {
    throw new KmsError('IncorrectKeyException', 'The key ID in the request does not identify a CMK that can perform this operation.');
  }
  authorize(caller, 'Decrypt', key);
  requireUsable(key);
  const { plaintext, materialId } = unwrapWithKey(ctx, key, parsed, input.EncryptionContext);
  return { Plaintext: plaintext, KeyId: key.arn, EncryptionAlgorithm: 'SYMMETRIC_DEFAULT', KeyMaterialId: materialId };
}
