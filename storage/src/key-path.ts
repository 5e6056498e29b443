// Maps S3 keys to paths under a bucket's key tree, and back. Pure: no I/O.
//
// Layout (relative to <bucket>/keys/), for a key given as UTF-8 bytes:
//   1. Split the key at every "/" into components c0 .. cn (empty components allowed, so
//      "a/", "a//b" and "/" are all representable).
//   2. c0 .. c(n-1) become directories, cn becomes the object record file.
//   3. A component of fewer than CHUNK_BYTES bytes is one entry: "d" + esc(c) for a
//      directory, "o" + esc(c) for an object record.
//   4. A longer component is cut into CHUNK_BYTES-byte pieces: each full piece becomes a
//      continuation directory "c" + esc(piece), and the remainder (possibly empty, always
//      shorter than CHUNK_BYTES) becomes the "d"/"o" entry inside the last one.
//   5. esc(): bytes [A-Za-z0-9._~-] stay as they are; every other byte is "%" + two
//      uppercase hex digits. The type letter means no name is ever "." or "..", and
//      3 * 63 + 1 bytes stays far below NAME_MAX (255).
//
// Ordering: within one directory, give each entry its sort prefix P (base + bytes for
// objects and continuations, base + bytes + "/" for directories). Because a direct entry
// is always shorter than a continuation piece, the key sets of two entries never
// interleave: sorting entries by P (an object before a continuation with the same P) and
// walking each subtree in turn yields keys in UTF-8 byte order. fs-listing.ts relies on it.

export const MAX_KEY_BYTES = 1024;
export const CHUNK_BYTES = 64;

export type EntryKind = 'o' | 'd' | 'c';

const SLASH = 0x2f;
const HEX = '0123456789ABCDEF';

function isPlainByte(b: number): boolean {
  return (
    (b >= 0x30 && b <= 0x39) || // 0-9
    (b >= 0x41 && b <= 0x5a) || // A-Z
    (b >= 0x61 && b <= 0x7a) || // a-z
    b === 0x2d || // -
    b === 0x2e || // .
    b === 0x5f || // _
    b === 0x7e // ~
  );
}

export function escapeBytes(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) {
    out += isPlainByte(b) ? String.fromCharCode(b) : '%' + HEX[b >> 4] + HEX[b & 15];
  }
  return out;
}

/** Strict inverse of escapeBytes: null for any name escapeBytes would not produce. */
export function unescapeName(name: string): Buffer | null {
  const out: number[] = [];
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c === 0x25) {
      // charAt, not indexing: indexOf('') would be 0 and accept a truncated escape.
      const hi = i + 1 < name.length ? HEX.indexOf(name.charAt(i + 1)) : -1;
      const lo = i + 2 < name.length ? HEX.indexOf(name.charAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) return null;
      const b = (hi << 4) | lo;
      if (isPlainByte(b)) return null; // not canonical
      out.push(b);
      i += 2;
    } else if (c < 0x80 && isPlainByte(c)) {
      out.push(c);
    } else {
      return null;
    }
  }
  return Buffer.from(out);
}

function splitComponents(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === SLASH) {
      parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  parts.push(bytes.subarray(start));
  return parts;
}

/** Path segments of one component: continuation pieces, then the "d"/"o" entry. */
function componentSegments(component: Buffer, kind: 'o' | 'd'): string[] {
  const segments: string[] = [];
  let rest = component;
  while (rest.length >= CHUNK_BYTES) {
    segments.push('c' + escapeBytes(rest.subarray(0, CHUNK_BYTES)));
    rest = rest.subarray(CHUNK_BYTES);
  }
  segments.push(kind + escapeBytes(rest));
  return segments;
}

export interface KeyPath {
  /** Directory segments below keys/, outermost first. */
  dirs: string[];
  /** File name of the object record inside the last directory. */
  record: string;
}

export function keyPath(key: Buffer): KeyPath {
  const components = splitComponents(key);
  const dirs: string[] = [];
  for (let i = 0; i < components.length - 1; i++) {
    dirs.push(...componentSegments(components[i], 'd'));
  }
  const last = componentSegments(components[components.length - 1], 'o');
  const record = last.pop() as string;
  dirs.push(...last);
  return { dirs, record };
}

/**
 * The deepest directory every key starting with `prefix` lives under, and the key bytes
 * that directory stands for, so a listing need not read the directories above it.
 */
export function prefixStart(prefix: Buffer): { dirs: string[]; base: Buffer } {
  const lastSlash = prefix.lastIndexOf(SLASH);
  const dirs: string[] = [];
  if (lastSlash >= 0) {
    for (const component of splitComponents(prefix.subarray(0, lastSlash))) {
      dirs.push(...componentSegments(component, 'd'));
    }
  }
  // Any component that starts with a tail of CHUNK_BYTES or more is itself that long,
  // so it sits inside the tail's continuation directories.
  let baseLength = lastSlash + 1;
  let tail = prefix.subarray(baseLength);
  while (tail.length >= CHUNK_BYTES) {
    dirs.push('c' + escapeBytes(tail.subarray(0, CHUNK_BYTES)));
    baseLength += CHUNK_BYTES;
    tail = tail.subarray(CHUNK_BYTES);
  }
  return { dirs, base: prefix.subarray(0, baseLength) };
}

export interface TreeEntry {
  kind: EntryKind;
  /** The file or directory name on disk. */
  name: string;
  /** Keys under this entry all start with this (objects: the key itself). */
  sortPrefix: Buffer;
}

const hexValue = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1);

/**
 * Parses one directory entry of the key tree; null for names this layout never writes.
 * Unescapes straight after `base` into one buffer: a cold listing parses every name of
 * its directories, so this allocates once per entry (the same rules as unescapeName).
 */
export function parseEntry(name: string, base: Buffer): TreeEntry | null {
  const kind = name[0];
  if (kind !== 'o' && kind !== 'd' && kind !== 'c') return null;
  let escapes = 0;
  for (let i = name.indexOf('%'); i >= 0; i = name.indexOf('%', i + 3)) escapes++;
  const out = Buffer.allocUnsafe(base.length + name.length - 1 - 2 * escapes + (kind === 'd' ? 1 : 0));
  let at = base.copy(out, 0);
  for (let i = 1; i < name.length; i++) {
    let b = name.charCodeAt(i);
    if (b === 0x25) {
      const hi = i + 1 < name.length ? hexValue(name.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < name.length ? hexValue(name.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) return null;
      b = (hi << 4) | lo;
      if (isPlainByte(b) || b === SLASH) return null;
      i += 2;
    } else if (b >= 0x80 || !isPlainByte(b)) {
      return null;
    }
    out[at++] = b;
  }
  const length = at - base.length;
  if (kind === 'c' ? length !== CHUNK_BYTES : length >= CHUNK_BYTES) return null;
  if (kind === 'd') out[at++] = SLASH;
  return { kind, name, sortPrefix: out };
}

/** Walk order of entries in one directory (see the ordering note above). */
export function compareEntries(a: TreeEntry, b: TreeEntry): number {
  const byPrefix = Buffer.compare(a.sortPrefix, b.sortPrefix);
  if (byPrefix !== 0) return byPrefix;
  return (a.kind === 'o' ? 0 : 1) - (b.kind === 'o' ? 0 : 1);
}

export function bucketDirName(bucket: string): string {
  return 'b' + escapeBytes(Buffer.from(bucket, 'utf8'));
}

export function parseBucketDirName(name: string): string | null {
  if (name[0] !== 'b') return null;
  const bytes = unescapeName(name.slice(1));
  return bytes === null || bytes.length === 0 ? null : bytes.toString('utf8');
}

/** The key bytes each directory along `dirs` stands for: [keys/ itself, after dirs[0], ...]. */
export function dirBases(dirs: readonly string[]): Buffer[] {
  const bases = [Buffer.alloc(0)];
  for (const segment of dirs) {
    const bytes = unescapeName(segment.slice(1)) ?? Buffer.alloc(0);
    const tail = segment[0] === 'd' ? Buffer.concat([bytes, Buffer.from('/')]) : bytes;
    bases.push(Buffer.concat([bases[bases.length - 1], tail]));
  }
  return bases;
}
