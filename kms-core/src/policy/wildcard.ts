/**
 * Matching of policy patterns against request values, as IAM does it:
 *   - `*` is any run of characters (none included), `?` exactly one; nothing else is special.
 *   - Actions match case-insensitively; resources, ARNs and strings case-sensitively.
 *   - An ARN pattern is matched field by field for its first five `:`-separated fields
 *     (arn, partition, service, region, account), so a `*` in the region never eats the
 *     account; the rest (the resource part, which may hold `:` and `/`) is one field.
 *   - Policy variables `${name}` (Version 2012-10-17 only) are replaced by the request's value
 *     for that condition key; `${*}`, `${?}`, `${$}` stand for the literal characters, and
 *     `${name, 'default'}` gives a value for a key the request lacks. A pattern naming a key
 *     the request lacks, with no default, matches nothing.
 */

/** A pattern character sequence: literal text, or the wildcards as themselves. */
type Piece = { literal: string } | { any: true } | { one: true };

function pieces(pattern: string): Piece[] {
  const out: Piece[] = [];
  let text = '';
  for (const ch of pattern) {
    if (ch === '*' || ch === '?') {
      if (text !== '') out.push({ literal: text });
      text = '';
      out.push(ch === '*' ? { any: true } : { one: true });
    } else {
      text += ch;
    }
  }
  if (text !== '') out.push({ literal: text });
  return out;
}

/** One pattern position: a literal code point, or a wildcard. */
type Token = { ch: string } | { wild: '*' | '?' };

function tokens(pattern: Piece[]): Token[] {
  const out: Token[] = [];
  for (const p of pattern) {
    if ('literal' in p) for (const ch of p.literal) out.push({ ch });
    else out.push({ wild: 'any' in p ? '*' : '?' });
  }
  return out;
}

/**
 * Glob match in linear-ish time (the two-pointer algorithm: on a mismatch, retry from the
 * last `*` one character further), over code points. Literals from a resolved variable are
 * tokens of their own, so a `*` inside a user name never acts as a wildcard.
 */
function globMatch(pattern: Piece[], value: string[]): boolean {
  const pat = tokens(pattern);
  const isStar = (i: number): boolean => { const t = pat[i]; return t !== undefined && 'wild' in t && t.wild === '*'; };
  let pi = 0;
  let vi = 0;
  let star = -1;
  let mark = 0;
  while (vi < value.length) {
    const t = pat[pi];
    if (t !== undefined && ('wild' in t ? t.wild === '?' : t.ch === value[vi])) {
      pi++;
      vi++;
    } else if (isStar(pi)) {
      star = pi++;
      mark = vi;
    } else if (star !== -1) {
      pi = star + 1;
      vi = ++mark;
    } else {
      return false;
    }
  }
  while (isStar(pi)) pi++;
  return pi === pat.length;
}

export interface MatchOptions {
  ignoreCase?: boolean;
  /** Condition-key lookup for policy variables; absent = variables are literal text. */
  variables?: (key: string) => string | undefined;
}

/** The text `${inner}` stands for, or undefined when it names a key the request lacks. */
export function variableValue(inner: string, variables: (key: string) => string | undefined): string | undefined {
  if (inner === '*' || inner === '?' || inner === '$') return inner;
  const withDefault = /^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$/.exec(inner);
  return variables(withDefault ? withDefault[1]! : inner.trim()) ?? withDefault?.[2];
}

/**
 * The pattern's pieces with variables resolved, or null when a variable names a key the
 * request does not have.
 */
function resolve(pattern: string, opts: MatchOptions): Piece[] | null {
  if (!opts.variables || !pattern.includes('${')) return pieces(pattern);
  const out: Piece[] = [];
  let rest = pattern;
  while (rest !== '') {
    const start = rest.indexOf('${');
    const end = start === -1 ? -1 : rest.indexOf('}', start);
    if (start === -1 || end === -1) {
      out.push(...pieces(rest));
      break;
    }
    out.push(...pieces(rest.slice(0, start)));
    const inner = rest.slice(start + 2, end);
    rest = rest.slice(end + 1);
    const value = variableValue(inner, opts.variables);
    if (value === undefined) return null;
    out.push({ literal: value });
  }
  return out;
}

function fold(text: string, ignoreCase: boolean | undefined): string {
  return ignoreCase ? text.toLowerCase() : text;
}

function foldPieces(list: Piece[], ignoreCase: boolean | undefined): Piece[] {
  return ignoreCase ? list.map((p) => ('literal' in p ? { literal: p.literal.toLowerCase() } : p)) : list;
}

// Most patterns in real policies are "*", plain text ("kms:Decrypt", a key ARN) or text then one
// trailing "*" ("kms:GenerateDataKey*", "arn:aws:s3:::bucket/*"), and every KMS and S3 call
// matches several of them: those are decided by comparison, without tokenising either side.
// Text holding surrogates goes the general way, which compares whole code points.
type Shape = { kind: 'any' } | { kind: 'exact' | 'prefix'; text: string } | { kind: 'glob' };

const SHAPES_LIMIT = 4096;
const shapes = [new Map<string, Shape>(), new Map<string, Shape>()];
const SURROGATE = /[\uD800-\uDFFF]/;

function shapeOf(pattern: string, ignoreCase: boolean): Shape {
  const cache = shapes[ignoreCase ? 1 : 0]!;
  let shape = cache.get(pattern);
  if (shape === undefined) {
    const star = pattern.indexOf('*');
    if (pattern === '*') shape = { kind: 'any' };
    else if (pattern.includes('?') || SURROGATE.test(pattern)) shape = { kind: 'glob' };
    else if (star === -1) shape = { kind: 'exact', text: fold(pattern, ignoreCase) };
    else if (star === pattern.length - 1) shape = { kind: 'prefix', text: fold(pattern.slice(0, -1), ignoreCase) };
    else shape = { kind: 'glob' };
    if (cache.size >= SHAPES_LIMIT) cache.clear();
    cache.set(pattern, shape);
  }
  return shape;
}

/** `value` matches the wildcard `pattern` (see the top comment). */
export function wildcardMatch(pattern: string, value: string, opts: MatchOptions = {}): boolean {
  if (!opts.variables || !pattern.includes('${')) {
    const shape = shapeOf(pattern, opts.ignoreCase === true);
    if (shape.kind === 'any') return true;
    if (shape.kind === 'exact') return fold(value, opts.ignoreCase) === shape.text;
    if (shape.kind === 'prefix') return fold(value, opts.ignoreCase).startsWith(shape.text);
  }
  const resolved = resolve(pattern, opts);
  if (resolved === null) return false;
  return globMatch(foldPieces(resolved, opts.ignoreCase), Array.from(fold(value, opts.ignoreCase)));
}

/** Splits an ARN into its five leading fields and the resource part; null when it is not one. */
function arnFields(text: string): string[] | null {
  const parts = text.split(':');
  if (parts.length < 6) return null;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

/** ARN matching, field by field; a pattern that is not an ARN (e.g. "*") matches as a whole. */
export function arnMatch(pattern: string, arn: string, opts: MatchOptions = {}): boolean {
  // Without wildcards or variables, field-by-field equality is equality of the whole text.
  if ((!opts.variables || !pattern.includes('${')) && shapeOf(pattern, opts.ignoreCase === true).kind === 'exact') {
    return fold(arn, opts.ignoreCase) === fold(pattern, opts.ignoreCase);
  }
  const p = arnFields(pattern);
  const a = arnFields(arn);
  if (p === null || a === null) return wildcardMatch(pattern, arn, opts);
  return p.every((field, i) => wildcardMatch(field, a[i]!, opts));
}
