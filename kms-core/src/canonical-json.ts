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

const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * The keys of `obj` in code-point order. Code-unit order (the default sort, no allocation)
 * differs from it only where a surrogate is involved, so keys without any (every key the
 * product writes itself, and nearly every one a client sends) take the default sort; a set
 * holding one takes compareCodePoints, which also reads a lone surrogate as UTF-8 does.
 */
export function codePointSortedKeys(obj: object): string[] {
  const keys = Object.keys(obj);
  if (keys.length < 2) return keys;
  for (const key of keys) if (SURROGATE.test(key)) return keys.sort(compareCodePoints);
  return keys.sort();
}

// Concatenation rather than map/join: the object metadata MAC and the audit trail run this
// on every request.
export function canonicalJsonString(value: CanonicalJsonValue): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError('canonical JSON holds only safe integers');
    return String(value);
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i === 0 ? '' : ',') + canonicalJsonString(value[i] as CanonicalJsonValue);
    return out + ']';
  }
  const obj = value as { readonly [key: string]: CanonicalJsonValue };
  const keys = codePointSortedKeys(obj);
  let out = '{';
  for (let i = 0; i < keys.length; i++) out += (i === 0 ? '' : ',') + JSON.stringify(keys[i]) + ':' + canonicalJsonString(obj[keys[i]]);
  return out + '}';
}

export function canonicalJson(value: CanonicalJsonValue): Buffer {
  return Buffer.from(canonicalJsonString(value), 'utf8');
}
