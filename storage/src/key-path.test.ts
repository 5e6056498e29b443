import { describe, expect, it } from '@jest/globals';
import {
  CHUNK_BYTES,
  compareEntries,
  escapeBytes,
  keyPath,
  parseEntry,
  prefixStart,
  unescapeName,
  type TreeEntry,
} from './key-path.js';

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

describe('escapeBytes / unescapeName', () => {
  it('keeps the safe alphabet and escapes everything else', () => {
    expect(escapeBytes(utf8('aZ09-._~'))).toBe('aZ09-._~');
    expect(escapeBytes(utf8('a b/%\\\n'))).toBe('a%20b%2F%25%5C%0A');
    expect(escapeBytes(utf8('é'))).toBe('%C3%A9');
  });

  it('round-trips every byte value', () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    expect(unescapeName(escapeBytes(all))).toEqual(all);
  });

  it('rejects names it would never write', () => {
    expect(unescapeName('%41')).toBeNull(); // "A" must stay plain
    expect(unescapeName('%c3%a9')).toBeNull(); // lowercase hex
    expect(unescapeName('%2')).toBeNull();
    expect(unescapeName('a%')).toBeNull();
    expect(unescapeName('a b')).toBeNull();
    expect(unescapeName('é')).toBeNull();
  });
});

describe('parseEntry', () => {
  const base = utf8('a/');
  /** What parseEntry must agree with: unescapeName's rules, then the entry kind's length rule. */
  const reference = (name: string): Buffer | null => {
    const kind = name[0];
    const bytes = unescapeName(name.slice(1));
    if (!'odc'.includes(kind) || bytes === null || bytes.includes(0x2f)) return null;
    if (kind === 'c' ? bytes.length !== CHUNK_BYTES : bytes.length >= CHUNK_BYTES) return null;
    return Buffer.concat([base, bytes, kind === 'd' ? utf8('/') : Buffer.alloc(0)]);
  };

  it('agrees with unescapeName on every single byte and on malformed escapes', () => {
    const names: string[] = [];
    for (let b = 0; b < 256; b++) {
      const escaped = escapeBytes(Buffer.from([b]));
      names.push(`o${escaped}`, `dx${escaped}y`, `o%${b.toString(16).toUpperCase().padStart(2, '0')}`);
    }
    names.push('o', 'd', 'x', 'o%', 'o%4', 'o%4%41', 'o%%41', 'o%c3', 'o%2F', 'd%2F', 'oé', 'o a', `c${'a'.repeat(CHUNK_BYTES)}`);
    names.push(`c${'a'.repeat(CHUNK_BYTES - 1)}`, `o${'a'.repeat(CHUNK_BYTES)}`, `o${'%C3%A9'.repeat(CHUNK_BYTES / 2)}`);
    for (const name of names) {
      const expected = reference(name);
      const parsed = parseEntry(name, base);
      expect([name, parsed && parsed.sortPrefix]).toEqual([name, expected]);
      if (parsed) expect(parsed).toEqual({ kind: name[0], name, sortPrefix: expected });
    }
  });
});

describe('keyPath', () => {
  it('maps components to typed entries so objects and directories coexist', () => {
    expect(keyPath(utf8('a'))).toEqual({ dirs: [], record: 'oa' });
    expect(keyPath(utf8('a/'))).toEqual({ dirs: ['da'], record: 'o' });
    expect(keyPath(utf8('a/b'))).toEqual({ dirs: ['da'], record: 'ob' });
    expect(keyPath(utf8('a//b'))).toEqual({ dirs: ['da', 'd'], record: 'ob' });
    expect(keyPath(utf8('/'))).toEqual({ dirs: ['d'], record: 'o' });
    expect(keyPath(utf8('../../escape'))).toEqual({ dirs: ['d..', 'd..'], record: 'oescape' });
    expect(keyPath(utf8('.'))).toEqual({ dirs: [], record: 'o.' });
  });

  it('cuts long components into continuation directories', () => {
    const key = utf8('x'.repeat(CHUNK_BYTES * 2 + 3));
    const p = keyPath(key);
    expect(p.dirs).toEqual(['c' + 'x'.repeat(CHUNK_BYTES), 'c' + 'x'.repeat(CHUNK_BYTES)]);
    expect(p.record).toBe('oxxx');
    expect(keyPath(utf8('y'.repeat(CHUNK_BYTES)))).toEqual({
      dirs: ['c' + 'y'.repeat(CHUNK_BYTES)],
      record: 'o',
    });
  });

  it('keeps every segment a short, safe file name even for 1024-byte keys', () => {
    const keys = [
      'a'.repeat(1024),
      'a/'.repeat(512),
      '\u0001'.repeat(1024),
      '😀'.repeat(256),
      '/'.repeat(1024),
    ];
    for (const k of keys) {
      expect(utf8(k).length).toBe(1024);
      const { dirs, record } = keyPath(utf8(k));
      for (const seg of [...dirs, record]) {
        expect(Buffer.byteLength(seg)).toBeLessThan(255);
        expect(seg).toMatch(/^[cdo][A-Za-z0-9._~%-]*$/);
      }
    }
  });
});

describe('prefixStart', () => {
  it('starts at the directory of the complete components', () => {
    expect(prefixStart(utf8(''))).toEqual({ dirs: [], base: utf8('') });
    expect(prefixStart(utf8('a/b'))).toEqual({ dirs: ['da'], base: utf8('a/') });
    expect(prefixStart(utf8('a//'))).toEqual({ dirs: ['da', 'd'], base: utf8('a//') });
    const long = 'z'.repeat(CHUNK_BYTES + 1);
    expect(prefixStart(utf8(`p/${long}`))).toEqual({
      dirs: ['dp', 'c' + 'z'.repeat(CHUNK_BYTES)],
      base: utf8(`p/${'z'.repeat(CHUNK_BYTES)}`),
    });
  });
});

// An in-memory key tree built with keyPath and walked with parseEntry/compareEntries:
// checks the claim that this walk yields UTF-8 byte order, without touching a disk.
interface MemDir {
  dirs: Map<string, MemDir>;
  records: Set<string>;
}

function buildTree(keys: Buffer[]): MemDir {
  const root: MemDir = { dirs: new Map(), records: new Set() };
  for (const key of keys) {
    const { dirs, record } = keyPath(key);
    let dir = root;
    for (const seg of dirs) {
      let next = dir.dirs.get(seg);
      if (!next) {
        next = { dirs: new Map(), records: new Set() };
        dir.dirs.set(seg, next);
      }
      dir = next;
    }
    expect(dir.records.has(record)).toBe(false);
    dir.records.add(record);
  }
  return root;
}

function walk(dir: MemDir, base: Buffer, out: Buffer[]): void {
  const entries: TreeEntry[] = [];
  for (const name of [...dir.dirs.keys(), ...dir.records]) {
    const entry = parseEntry(name, base);
    expect(entry).not.toBeNull();
    entries.push(entry as TreeEntry);
  }
  entries.sort(compareEntries);
  for (const e of entries) {
    if (e.kind === 'o') out.push(e.sortPrefix);
    else walk(dir.dirs.get(e.name) as MemDir, e.sortPrefix, out);
  }
}

function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('tree walk order', () => {
  it('matches Buffer.compare order on tricky hand-picked keys', () => {
    const names = ['a', 'a/', 'a/b', 'a//b', 'a-b', 'a.b', 'a0', 'a\u0001', '/', '//', 'é', '😀', '\uFFFD', 'Z', ''];
    const keys = names.filter((n) => n.length > 0).map(utf8);
    const out: Buffer[] = [];
    walk(buildTree(keys), Buffer.alloc(0), out);
    const expected = [...keys].sort(Buffer.compare);
    expect(out.map(String)).toEqual(expected.map(String));
    // JS string order differs for astral characters; byte order puts U+FFFD first.
    expect(out.map(String).indexOf('\uFFFD')).toBeLessThan(out.map(String).indexOf('😀'));
  });

  it('matches Buffer.compare order on random keys with long shared components', () => {
    const rand = seededRandom(42);
    const alphabet = ['a', 'b', '/', '-', '.', '\u0000', 'é', '😀', '%', ' '];
    const keySet = new Map<string, Buffer>();
    for (let i = 0; i < 2000; i++) {
      let s = '';
      if (rand() < 0.5) s += 'a'.repeat(Math.floor(rand() * (CHUNK_BYTES * 2 + 4)));
      const tail = Math.floor(rand() * 8);
      for (let j = 0; j < tail; j++) s += alphabet[Math.floor(rand() * alphabet.length)];
      const b = utf8(s);
      if (b.length > 0 && b.length <= 1024) keySet.set(b.toString('hex'), b);
    }
    const keys = [...keySet.values()];
    const out: Buffer[] = [];
    walk(buildTree(keys), Buffer.alloc(0), out);
    expect(out.map((b) => b.toString('hex'))).toEqual(
      [...keys].sort(Buffer.compare).map((b) => b.toString('hex')),
    );
  });
});
