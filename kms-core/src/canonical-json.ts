/**
 * Canonical JSON: UTF-8, object keys sorted by Unicode code point, no whitespace.
 *
 * Code-point order equals the byte order of the keys' UTF-8 encodings, so keys are
 * compared as UTF-8 bytes; JavaScript's default sort compares UTF-16 code units, which
 * puts astral characters (surrogate pairs) before U+E000…U+FFFF and would disagree
 * with any other implementation. Strings are escaped as JSON.stringify does.
 * Only what the product stores is accepted: strings, safe integers, booleans, null,
 * arrays and plain objects.
 */
export type CanonicalJsonValue =
  | string
  | number
  | boolean
  | null
  | readonly CanonicalJsonValue[]
  | { readonly [key: string]: CanonicalJsonValue };

export function compareCodePoints(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function canonicalJsonString(value: CanonicalJsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON holds only safe integers');
    return String(value);
  }
  if (Array.isArray(value)) return `[${value.map((v: CanonicalJsonValue) => canonicalJsonString(v)).join(',')}]`;
  const obj = value as { readonly [key: string]: CanonicalJsonValue };
  const keys = Object.keys(obj).sort(compareCodePoints);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJsonString(obj[k])}`).join(',')}}`;
}

export function canonicalJson(value: CanonicalJsonValue): Buffer {
  return Buffer.from(canonicalJsonString(value), 'utf8');
}
