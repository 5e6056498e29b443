// Imported key material (Origin EXTERNAL): GetParametersForImport, ImportKeyMaterial,
// DeleteImportedKeyMaterial.
//
// The wrapping key pair is made per GetParametersForImport call and its private key is never
// stored anywhere: it travels only inside the ImportToken, sealed under a root subkey with the
// key ARN as AAD (seal.ts), together with the wrapping algorithm and the token's expiry (24 h).
// So a token opens only on this keystore, only for its key, only until it expires, and a
// restart does not invalidate it. The material itself is sealed like generated material; only a
// keyed check of it stays once it is deleted, so re-importing the same 32 bytes restores the
// key (and every blob it wrapped) while different material is refused.

import { constants, createDecipheriv, createPrivateKey, generateKeyPair, privateDecrypt, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { CoreContext } from './core-context.js';
import { KmsError } from './errors.js';
import { draftKey, pendingDeletion, requireOrigin } from './key-records.js';
import { validateKeyId } from './lifecycle.js';
import type { KeyRecord } from './records.js';
import { authorizedKey } from './resolve.js';
import type {
  Caller,
  GetParametersForImportInput,
  GetParametersForImportOutput,
  ImportKeyMaterialInput,
  KeyIdAndMaterialOutput,
  KeyIdInput,
  WrappingAlgorithm,
  WrappingKeySpec,
} from './types.js';
import { Violations } from './validate.js';

const generateRsaKeyPair = promisify(generateKeyPair);
const DAY_MS = 24 * 60 * 60 * 1000;
const TOKEN_LIFETIME_MS = DAY_MS;
const MAX_VALID_TO_DAYS = 365;
const MATERIAL_BYTES = 32;
/** RFC 5649's alternative initial value, what `id-aes256-wrap-pad` expects. */
const KWP_IV = Buffer.from('a65959a6', 'hex');

const ALGORITHMS = ['RSAES_PKCS1_V1_5', 'RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256', 'SM2PKE'] as const;
const SUPPORTED_ALGORITHMS: readonly string[] = ['RSAES_OAEP_SHA_1', 'RSAES_OAEP_SHA_256', 'RSA_AES_KEY_WRAP_SHA_1', 'RSA_AES_KEY_WRAP_SHA_256'];
const KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'SM2'] as const;
const MODULUS_BITS: Record<WrappingKeySpec, number> = { RSA_2048: 2048, RSA_3072: 3072, RSA_4096: 4096 };

interface TokenPayload {
  algorithm: WrappingAlgorithm;
  validTo: number;
  privateKey: string; // PKCS#8 DER, base64
}

function externalKey(ctx: CoreContext, keyId: string, action: 'GetParametersForImport' | 'ImportKeyMaterial' | 'DeleteImportedKeyMaterial', caller: Caller): KeyRecord | Promise<KeyRecord> {
  return authorizedKey(ctx, keyId, { allowAlias: false, action, caller, check: (key) => requireOrigin(key, 'EXTERNAL') });
}

export async function getParametersForImport(ctx: CoreContext, input: GetParametersForImportInput, caller: Caller): Promise<GetParametersForImportOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('wrappingAlgorithm', input.WrappingAlgorithm);
  violations.oneOf('wrappingAlgorithm', input.WrappingAlgorithm, ALGORITHMS);
  violations.required('wrappingKeySpec', input.WrappingKeySpec);
  violations.oneOf('wrappingKeySpec', input.WrappingKeySpec, KEY_SPECS);
  violations.throwIfAny();
  if (!SUPPORTED_ALGORITHMS.includes(input.WrappingAlgorithm) || !Object.hasOwn(MODULUS_BITS, input.WrappingKeySpec)) {
    throw new KmsError('UnsupportedOperationException', `${input.WrappingAlgorithm} with ${input.WrappingKeySpec} is not supported for importing key material.`);
  }
  const key = await externalKey(ctx, input.KeyId, 'GetParametersForImport', caller);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
  const pair = await generateRsaKeyPair('rsa', { modulusLength: MODULUS_BITS[input.WrappingKeySpec] });
  const validTo = ctx.now().getTime() + TOKEN_LIFETIME_MS;
  const privateDer = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
  const payload: TokenPayload = { algorithm: input.WrappingAlgorithm, validTo, privateKey: privateDer.toString('base64') };
  const plain = Buffer.from(JSON.stringify(payload), 'utf8');
  try {
    return {
      KeyId: key.arn,
      ImportToken: ctx.store.sealImportToken(key.arn, plain),
      PublicKey: pair.publicKey.export({ format: 'der', type: 'spki' }),
      ParametersValidTo: new Date(validTo),
    };
  } finally {
    plain.fill(0);
    privateDer.fill(0);
  }
}

function openToken(ctx: CoreContext, key: KeyRecord, token: Buffer): TokenPayload {
  const plain = ctx.store.openImportToken(key.arn, token);
  if (plain === null) throw new KmsError('InvalidImportTokenException', 'The import token is not valid for this KMS key.');
  try {
    const payload = JSON.parse(plain.toString('utf8')) as TokenPayload;
    if (payload.validTo <= ctx.now().getTime()) throw new KmsError('ExpiredImportTokenException', 'The import token has expired.');
    return payload;
  } finally {
    plain.fill(0);
  }
}

/** RSAES-OAEP of the material, or of an AES key that wrapped it with AES-KWP (RFC 5649). */
function unwrapMaterial(payload: TokenPayload, encrypted: Buffer): Buffer {
  const der = Buffer.from(payload.privateKey, 'base64');
  try {
    const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    const rsa = { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: payload.algorithm.endsWith('SHA_1') ? 'sha1' : 'sha256' };
    if (payload.algorithm.startsWith('RSAES_OAEP')) return privateDecrypt(rsa, encrypted);
    const modulusBytes = (key.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
    const aesKey = privateDecrypt(rsa, encrypted.subarray(0, modulusBytes));
    try {
      const kwp = createDecipheriv('id-aes256-wrap-pad', aesKey, KWP_IV);
      return Buffer.concat([kwp.update(encrypted.subarray(modulusBytes)), kwp.final()]);
    } finally {
      aesKey.fill(0);
    }
  } catch {
    throw new KmsError('InvalidCiphertextException', 'The wrapped key material could not be decrypted with the import parameters.');
  } finally {
    der.fill(0);
  }
}

function expiryOf(ctx: CoreContext, input: ImportKeyMaterialInput): { expirationModel: 'KEY_MATERIAL_EXPIRES' | 'KEY_MATERIAL_DOES_NOT_EXPIRE'; validTo?: string } {
  const model = input.ExpirationModel ?? 'KEY_MATERIAL_EXPIRES';
  if (model === 'KEY_MATERIAL_DOES_NOT_EXPIRE') {
    if (input.ValidTo !== undefined) {
      throw new KmsError('ValidationException', 'A validTo date must not be set if the ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE');
    }
    return { expirationModel: model };
  }
  if (input.ValidTo === undefined) throw new KmsError('ValidationException', 'A validTo date must be set if the ExpirationModel is KEY_MATERIAL_EXPIRES');
  const now = ctx.now().getTime();
  const at = input.ValidTo.getTime();
  if (!(at > now)) throw new KmsError('ValidationException', 'The validTo date must be in the future.');
  if (at > now + MAX_VALID_TO_DAYS * DAY_MS) {
    throw new KmsError('ValidationException', `The validTo date must be no more than ${MAX_VALID_TO_DAYS} days in the future.`);
  }
  return { expirationModel: model, validTo: input.ValidTo.toISOString() };
}

export async function importKeyMaterial(ctx: CoreContext, input: ImportKeyMaterialInput, caller: Caller): Promise<KeyIdAndMaterialOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.required('importToken', input.ImportToken);
  violations.length('importToken', input.ImportToken, 1, 6144);
  violations.required('encryptedKeyMaterial', input.EncryptedKeyMaterial);
  violations.length('encryptedKeyMaterial', input.EncryptedKeyMaterial, 1, 6144);
  violations.oneOf('expirationModel', input.ExpirationModel, ['KEY_MATERIAL_EXPIRES', 'KEY_MATERIAL_DOES_NOT_EXPIRE']);
  violations.oneOf('importType', input.ImportType, ['EXISTING_KEY_MATERIAL', 'NEW_KEY_MATERIAL']);
  violations.throwIfAny();
  const key = await externalKey(ctx, input.KeyId, 'ImportKeyMaterial', caller);
  if (key.state === 'PendingDeletion') throw pendingDeletion(key);
  if (input.ImportType === 'NEW_KEY_MATERIAL') {
    throw new KmsError('UnsupportedOperationException', 'Importing new key material for on-demand rotation is not supported by this KMS.');
  }
  const expiry = expiryOf(ctx, input);
  const material = unwrapMaterial(openToken(ctx, key, input.ImportToken), input.EncryptedKeyMaterial);
  try {
    if (material.length !== MATERIAL_BYTES) {
      throw new KmsError('IncorrectKeyMaterialException', 'The key material must be 256 bits (32 bytes) for a SYMMETRIC_DEFAULT key.');
    }
    const check = ctx.store.importedMaterialCheck(key.arn, material);
    return await ctx.store.mutate((doc) => {
      const draft = draftKey(doc, key);
      if (draft.state === 'PendingDeletion') throw pendingDeletion(draft);
      const earlier = draft.materials.find((m) => m.version === 1);
      if (earlier?.imported && earlier.imported.check !== check) {
        throw new KmsError('IncorrectKeyMaterialException', 'The key material in the request is not the same key material that was previously imported into this KMS key.');
      }
      const record = {
        version: 1,
        materialId: earlier?.materialId ?? randomBytes(32).toString('hex'),
        createdAt: earlier?.createdAt ?? ctx.now().toISOString(),
        imported: { check, ...expiry },
        sealed: ctx.store.sealImported(draft.arn, 1, material),
      };
      draft.materials = [record];
      draft.currentMaterialVersion = 1;
      if (draft.state === 'PendingImport') draft.state = 'Enabled';
      return { KeyId: draft.arn, KeyMaterialId: record.materialId };
    });
  } finally {
    material.fill(0);
  }
}

export async function deleteImportedKeyMaterial(ctx: CoreContext, input: KeyIdInput, caller: Caller): Promise<KeyIdAndMaterialOutput> {
  const violations = new Violations();
  validateKeyId(violations, input.KeyId);
  violations.throwIfAny();
  const key = await externalKey(ctx, input.KeyId, 'DeleteImportedKeyMaterial', caller);
  const materialId = await ctx.store.mutate((doc) => {
    const draft = draftKey(doc, key);
    for (const m of draft.materials) delete m.sealed;
    if (draft.state !== 'PendingDeletion') draft.state = 'PendingImport';
    return draft.materials.find((m) => m.version === draft.currentMaterialVersion)?.materialId ?? '';
  });
  ctx.store.forgetMaterial(key.arn);
  return { KeyId: key.arn, KeyMaterialId: materialId };
}
