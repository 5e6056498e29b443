/**
 * Known-answer vectors for what the keystore keeps at rest. The expected values were computed
 * once by an independent implementation (Python `cryptography` HKDF + AESGCM, `hmac`, and
 * `json.dumps(sort_keys=True)` for canonical JSON). If one fails, every stored keystore would
 * stop opening: bump the format version instead of editing the vector.
 */
import { describe, expect, it } from '@jest/globals';
import { deriveMacKey, deriveSealKey, documentMac, documentMacMatches, rootKeyCheck, seal, sealMaterial, unseal, unsealMaterial } from './seal.js';

// Obviously-test inputs: root key 11*32, material 00..1f, nonce 00..0b.
const rootKey = Buffer.alloc(32, 0x11);
const nonce = Buffer.from('000102030405060708090a0b', 'hex');
const material = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const binding = 'arn:aws:kms:us-east-1:111122223333:key/00112233-4455-4677-8899-aabbccddeeff';

const KAT_SEALED_MATERIAL = 'AAECAwQFBgcICQoLDq61N1B0ToRMLhHvg3Mud4AWQBtPRC8qZx4mdF99XSvpWjJyHIpHsEnYLL1oH4dq';
const KAT_ROOT_KEY_CHECK = 'cf1262d498fa66ff9e672c1fd722be3b0f809e51faa1a886d7f409a6e1267dac';
const KAT_MAC = '301af5afc7afbcbbc5803244642cba53f13247ab482777eda08d73e5cf308400';
const macBody = {
  format: 'kms-core-keystore',
  version: 2,
  rootKeyCheck: KAT_ROOT_KEY_CHECK,
  keys: {
    '00112233-4455-4677-8899-aabbccddeeff': {
      keyId: '00112233-4455-4677-8899-aabbccddeeff', state: 'Disabled', keyManager: 'AWS', description: 'é ✓ \u{1F600}',
      currentMaterialVersion: 1, materials: [],
    },
  },
  aliases: { 'alias/aws/s3': { aliasName: 'alias/aws/s3', targetKeyId: '00112233-4455-4677-8899-aabbccddeeff' } },
  ownedKeys: {},
};

describe('keystore seal known-answer vectors', () => {
  it('seals key material to the pinned bytes and opens them', () => {
    const key = deriveSealKey(rootKey);
    expect(sealMaterial(key, binding, 1, material, nonce)).toBe(KAT_SEALED_MATERIAL);
    expect(unsealMaterial(key, binding, 1, KAT_SEALED_MATERIAL)?.equals(material)).toBe(true);
  });

  it('does not open the pinned material on another key, material version or root key', () => {
    expect(unsealMaterial(deriveSealKey(rootKey), `${binding}x`, 1, KAT_SEALED_MATERIAL)).toBeNull();
    expect(unsealMaterial(deriveSealKey(rootKey), binding, 2, KAT_SEALED_MATERIAL)).toBeNull();
    expect(unsealMaterial(deriveSealKey(Buffer.alloc(32, 0x12)), binding, 1, KAT_SEALED_MATERIAL)).toBeNull();
  });

  it('pins the root-key check and the keystore MAC (code-point key order, raw UTF-8)', () => {
    expect(rootKeyCheck(rootKey)).toBe(KAT_ROOT_KEY_CHECK);
    expect(documentMac(deriveMacKey(rootKey), macBody)).toBe(KAT_MAC);
    const reordered = Object.fromEntries(Object.entries(macBody).reverse());
    expect(documentMacMatches(deriveMacKey(rootKey), reordered, KAT_MAC)).toBe(true);
  });

  it('fails the MAC when a key state, key manager or alias target changes', () => {
    const key = macBody.keys['00112233-4455-4677-8899-aabbccddeeff'];
    const edits = [
      { ...macBody, keys: { [key.keyId]: { ...key, state: 'Enabled' } } },
      { ...macBody, keys: { [key.keyId]: { ...key, keyManager: 'CUSTOMER' } } },
      { ...macBody, aliases: { 'alias/aws/s3': { aliasName: 'alias/aws/s3', targetKeyId: 'other' } } },
    ];
    for (const edited of edits) expect(documentMacMatches(deriveMacKey(rootKey), edited, KAT_MAC)).toBe(false);
    expect(documentMacMatches(deriveMacKey(rootKey), macBody, '')).toBe(false);
  });
});

describe('the AES-GCM seal', () => {
  const key = Buffer.alloc(32, 0x42);
  const aad = Buffer.from('context');

  it('round-trips, with a fresh nonce each time', () => {
    const a = seal(key, aad, Buffer.from('secret'));
    const b = seal(key, aad, Buffer.from('secret'));
    expect(a).not.toBe(b);
    expect(unseal(key, aad, a)?.toString()).toBe('secret');
  });

  it('rejects every flipped byte, a short tag, another AAD and a short input', () => {
    const sealed = Buffer.from(seal(key, aad, Buffer.from('secret')), 'base64');
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] ^= 1;
      expect(unseal(key, aad, tampered.toString('base64'))).toBeNull();
    }
    // A 4-byte tag would be accepted by a decipher without authTagLength fixed.
    expect(unseal(key, aad, sealed.subarray(0, sealed.length - 12).toString('base64'))).toBeNull();
    expect(unseal(key, Buffer.from('other'), sealed.toString('base64'))).toBeNull();
    expect(unseal(key, aad, sealed.subarray(0, 27).toString('base64'))).toBeNull();
  });
});
