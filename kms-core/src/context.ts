// The one canonical byte form of an encryption context: UTF-8 JSON of an object whose keys are
// sorted by Unicode code point, without whitespace. The same bytes are the KMS AAD here and the
// HKDF input and stored context in the gateway, so every party must produce them identically.
// Plain key+value concatenation would let {"ab":"c"} collide with {"a":"bc"}; JSON does not.

import { KmsError } from './errors.js';

export type EncryptionContext = Record<string, string>;

/** Code-point order; JS's default sort compares UTF-16 units, which differs above U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done === cb.done ? 0 : ca.done ? -1 : 1;
    const diff = (ca.value.codePointAt(0) ?? 0) - (cb.value.codePointAt(0) ?? 0);
    if (diff !== 0) return diff;
  }
}

export function canonicalEncryptionContext(ctx: EncryptionContext | undefined): Buffer {
  if (ctx === undefined) return Buffer.from('{}', 'utf8');
  const keys = Object.keys(ctx).sort(compareCodePoints);
  const parts: string[] = [];
  for (const key of keys) {
    const value = ctx[key];
    if (typeof value !== 'string') {
      throw new KmsError('ValidationException', `Encryption context value for '${key}' must be a string`);
    }
    parts.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return Buffer.from(`{${parts.join(',')}}`, 'utf8');
}
