import { describe, expect, it } from '@jest/globals';
import { canonicalJsonString, codePointSortedKeys, compareCodePoints, type CanonicalJsonValue } from './canonical-json.js';

/** The canonical form written the plain way: every key set through compareCodePoints. */
function reference(value: CanonicalJsonValue): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  const obj = value as Record<string, CanonicalJsonValue>;
  return `{${Object.keys(obj).sort(compareCodePoints).map((k) => `${JSON.stringify(k)}:${reference(obj[k])}`).join(',')}}`;
}

// Each kind of character whose UTF-16 and code-point orders could disagree, and plain ones.
const PIECES = ['a', 'B', '9', '10', '_', '~', 'é', 'ÿ', 'Ā', '中', '\uD7FF', '\uE000', '\uFFFD', '\uFFFF', '😀', '\u{10000}', '\u{10FFFF}', '\uD800', '\uDC00', '"', '\\', '\n'];

function randomKey(rand: () => number): string {
  let key = '';
  const n = 1 + Math.floor(rand() * 3);
  for (let i = 0; i < n; i++) key += PIECES[Math.floor(rand() * PIECES.length)];
  return key;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('canonical JSON key order', () => {
  it('puts an astral key after U+E000..U+FFFF, as code points order them', () => {
    expect(canonicalJsonString({ '\uFFFF': 1, '😀': 2, '\uE000': 3, z: 4 })).toBe('{"z":4,"\uE000":3,"\uFFFF":1,"😀":2}');
    expect(codePointSortedKeys({ b: 1, a: 2, é: 3, '10': 4, '9': 5 })).toEqual(['10', '9', 'a', 'b', 'é']);
  });

  it('gives the bytes of the compareCodePoints order for ASCII, BMP, astral and lone-surrogate keys', () => {
    const rand = seeded(7);
    for (let round = 0; round < 500; round++) {
      const asciiOnly = round % 3 === 0;
      const obj: Record<string, CanonicalJsonValue> = {};
      const n = Math.floor(rand() * 8);
      for (let i = 0; i < n; i++) {
        const key = asciiOnly ? String.fromCharCode(0x20 + Math.floor(rand() * 95)) + String(i) : randomKey(rand);
        obj[key] = i % 3 === 0 ? { [randomKey(rand)]: 'x', [randomKey(rand)]: [1, null, true] } : randomKey(rand);
      }
      expect(canonicalJsonString(obj)).toBe(reference(obj));
    }
  });
});
