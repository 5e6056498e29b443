/**
 * Sealing of key material at rest under the root key. The keystore file only ever holds the
 * output of `sealMaterial`, never material itself.
 *
 *   1. sealKey  = HKDF-SHA256(ikm = rootKey, salt = "", info = "kms-core/seal/v1", L = 32)
 *   2. aad      = "kms-core/seal/v1" ‖ 0x00 ‖ binding ‖ 0x00 ‖ u32 BE(materialVersion)
 *                 binding is the key ARN (or an owned key's internal name), so a sealed entry
 *                 copied onto another key or material version does not open
 *   3. sealed   = base64(nonce(12, random) ‖ AES-256-GCM(sealKey, nonce, material, aad) ‖ tag(16))
 *
 *   rootKeyCheck = hex(HMAC-SHA256(rootKey, "kms-core/root-key-check/v1")): stored in the
 *   keystore so a wrong root key is refused at open with a clear error, before any unseal.
 */

import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

const SEAL_LABEL = 'kms-core/seal/v1';
const CHECK_LABEL = 'kms-core/root-key-check/v1';
export const ROOT_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function deriveSealKey(rootKey: Buffer): Buffer {
  if (rootKey.length !== ROOT_KEY_BYTES) throw new RangeError('root key must be 32 bytes');
  return Buffer.from(hkdfSync('sha256', rootKey, Buffer.alloc(0), Buffer.from(SEAL_LABEL, 'utf8'), 32));
}

export function rootKeyCheck(rootKey: Buffer): string {
  return createHmac('sha256', rootKey).update(CHECK_LABEL, 'utf8').digest('hex');
}

export function rootKeyMatches(rootKey: Buffer, storedCheck: string): boolean {
  const expected = Buffer.from(rootKeyCheck(rootKey), 'hex');
  const stored = Buffer.from(storedCheck, 'hex');
  return stored.length === expected.length && timingSafeEqual(stored, expected);
}

function sealAad(binding: string, materialVersion: number): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(materialVersion);
  return Buffer.concat([Buffer.from(`${SEAL_LABEL}\0${binding}\0`, 'utf8'), version]);
}

export function sealMaterial(sealKey: Buffer, binding: string, materialVersion: number, material: Buffer): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(sealAad(binding, materialVersion));
  const ciphertext = Buffer.concat([cipher.update(material), cipher.final()]);
  return Buffer.concat([nonce, ciphertext, cipher.getAuthTag()]).toString('base64');
}

/** Returns the material, or null when the entry does not authenticate (wrong root key, edits). */
export function unsealMaterial(sealKey: Buffer, binding: string, materialVersion: number, sealed: string): Buffer | null {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length <= NONCE_BYTES + TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', sealKey, bytes.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(sealAad(binding, materialVersion));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const material = decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES));
  try {
    decipher.final();
    return material;
  } catch {
    material.fill(0);
    return null;
  }
}
