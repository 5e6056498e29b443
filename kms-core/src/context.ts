// The one canonical byte form of an encryption context: UTF-8 JSON of an object whose keys are
// sorted by Unicode code point, without whitespace. The same bytes are the KMS AAD here and the
// HKDF input and stored context in the gateway, so every party must produce them identically.
// Plain key+value concatenation would let {"ab":"c"} collide with {"a":"bc"}; JSON does not.

import { codePointSortedKeys } from './canonical-json.js';
import { KmsError } from './errors.js';

export type EncryptionContext = Record<string, string>;

export function canonicalEncryptionContext(ctx: EncryptionContext | undefined): Buffer {
  return Buffer.from(canonicalEncryptionContextText(ctx), 'utf8');
}

/** The same canonical form as text, for writing straight into a larger buffer (a blob's AAD). */
export function canonicalEncryptionContextText(ctx: EncryptionContext | undefined): string {
  if (ctx === undefined) return '{}';
  const keys = codePointSortedKeys(ctx);
  // Built by concatenation: this runs twice per GenerateDataKey+Decrypt pair.
  let json = '{';
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = ctx[key];
    if (typeof value !== 'string') {
      throw new KmsError('ValidationException', `Encryption context value for '${key}' must be a string`);
    }
    json += (i === 0 ? '' : ',') + JSON.stringify(key) + ':' + JSON.stringify(value);
  }
  return json + '}';
}
