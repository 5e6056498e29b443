/**
 * Everything the product keeps at rest under the root key: the one AES-GCM seal (key material
 * in the keystore, the identity store's secrets), the keystore MAC and the root-key check.
 *
 *   seal(key, aad, plaintext)   = base64(nonce(12, random) ‖ AES-256-GCM(key, nonce, plaintext, aad) ‖ tag(16))
 *   rootSubkey(rootKey, label)  = HKDF-SHA256(ikm = rootKey, salt = "", info = label, L = 32)
 *
 * Key material (the keystore file only ever holds it sealed):
 *   1. key = rootSubkey(rootKey, "kms-core/seal/v1")
 *   2. aad = "kms-core/seal/v1" ‖ 0x00 ‖ binding ‖ 0x00 ‖ u32 BE(materialVersion)
 *            binding is the key ARN (or an owned key's internal name), so a sealed entry
 *            copied onto another key or material version does not open
 *
 * Keystore MAC (format version 2; covers key states, key managers, policies, aliases,
 * deletion dates — every field but `mac` itself):
 *   mac = hex(HMAC-SHA256(rootSubkey(rootKey, "kms-core/keystore-mac/v2"), canonicalJson(document without mac)))
 *
 * Import tokens (GetParametersForImport; the RSA private key travels only inside one):
 *   token = seal(rootSubkey(rootKey, "kms-core/import-token/v1"),
 *                aad = "kms-core/import-token/v1" ‖ 0x00 ‖ key ARN, payload JSON)
 *
 * Imported material check (tells a re-import of the same material from different material):
 *   check = hex(HMAC-SHA256(rootSubkey(rootKey, "kms-core/import-check/v1"), key ARN ‖ 0x00 ‖ material))
 *
 *   rootKeyCheck = hex(HMAC-SHA256(rootKey, "kms-core/root-key-check/v1")): stored in the
 *   keystore so a wrong root key is refused at open with a clear error, before any unseal.
 */

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import type { CanonicalJsonValue } from './canonical-json.js';

const SEAL_LABEL = 'kms-core/seal/v1';
const MAC_LABEL = 'kms-core/keystore-mac/v2';
const CHECK_LABEL = 'kms-core/root-key-check/v1';
export const IMPORT_TOKEN_LABEL = 'kms-core/import-token/v1';
export const IMPORT_CHECK_LABEL = 'kms-core/import-check/v1';
export const ROOT_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A 32-byte key for one purpose, derived from the root key; the caller zeroes it. */
export function rootSubkey(rootKey: Buffer, label: string): Buffer {
  if (rootKey.length !== ROOT_KEY_BYTES) throw new RangeError('root key must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), Buffer.from(label, 'utf8'), 32));
}

/** AES-256-GCM with a 16-byte tag: the one GCM of kms-core (seals, blobs, XAES). */
export function gcmSeal(key: Buffer, nonce: Buffer, plaintext: Buffer, aad: Buffer): { ciphertext: Buffer; tag: Buffer } {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = cipher.update(plaintext);
  cipher.final(); // GCM holds nothing back: final only computes the tag
  return { ciphertext, tag: cipher.getAuthTag() };
}

/** The plaintext, or null (and nothing released) when the tag does not verify. */
export function gcmOpen(key: Buffer, nonce: Buffer, ciphertext: Buffer, tag: Buffer, aad: Buffer): Buffer | null {
  if (tag.length !== TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plaintext = decipher.update(ciphertext);
  try {
    decipher.final();
    return plaintext;
  } catch {
    plaintext.fill(0);
    return null;
  }
}

/** `nonce` is for known-answer tests only; every real seal draws a fresh random one. */
export function seal(key: Buffer, aad: Buffer, plaintext: Buffer, nonce: Buffer = randomBytes(NONCE_BYTES)): string {
  if (nonce.length !== NONCE_BYTES) throw new RangeError('seal nonce must be 12 bytes');
  const { ciphertext, tag } = gcmSeal(key, nonce, plaintext, aad);
  return Buffer.concat([nonce, ciphertext, tag]).toString('base64');
}

/** The plaintext, or null when `sealed` does not authenticate under `key` and `aad`. */
export function unseal(key: Buffer, aad: Buffer, sealed: string): Buffer | null {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return null;
  return gcmOpen(key, bytes.subarray(0, NONCE_BYTES), bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES), bytes.subarray(bytes.length - TAG_BYTES), aad);
}

export function deriveSealKey(rootKey: Buffer): Buffer {
  return rootSubkey(rootKey, SEAL_LABEL);
}

export function deriveMacKey(rootKey: Buffer): Buffer {
  return rootSubkey(rootKey, MAC_LABEL);
}

export function rootKeyCheck(rootKey: Buffer): string {
  return createHmac('sha256', rootKey).update(CHECK_LABEL, 'utf8').digest('hex');
}

function hexEquals(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function rootKeyMatches(rootKey: Buffer, storedCheck: string): boolean {
  return hexEquals(rootKeyCheck(rootKey), storedCheck);
}

/** `body` is the document without `mac`, as JSON would store it (no undefined members). */
export function documentMac(macKey: Buffer, body: CanonicalJsonValue): string {
  return createHmac('sha256', macKey).update(canonicalJson(body)).digest('hex');
}

export function documentMacMatches(macKey: Buffer, body: CanonicalJsonValue, storedMac: string): boolean {
  return hexEquals(documentMac(macKey, body), storedMac);
}

function materialAad(binding: string, materialVersion: number): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(materialVersion);
  return Buffer.concat([Buffer.from(`${SEAL_LABEL}\0${binding}\0`, 'utf8'), version]);
}

export function sealMaterial(sealKey: Buffer, binding: string, materialVersion: number, material: Buffer, nonce?: Buffer): string {
  return seal(sealKey, materialAad(binding, materialVersion), material, nonce);
}

/** Returns the material, or null when the entry does not authenticate (wrong root key, edits). */
export function unsealMaterial(sealKey: Buffer, binding: string, materialVersion: number, sealed: string): Buffer | null {
  return unseal(sealKey, materialAad(binding, materialVersion), sealed);
}

export function importTokenAad(keyArn: string): Buffer {
  return Buffer.from(`${IMPORT_TOKEN_LABEL}\0${keyArn}`, 'utf8');
}

export function importedMaterialCheck(checkKey: Buffer, keyArn: string, material: Buffer): string {
  return createHmac('sha256', checkKey).update(`${keyArn}\0`, 'utf8').update(material).digest('hex');
}
