/**
 * The one XML serialiser. Operations return plain objects; this renders them with every
 * text node and attribute escaped, so no response is ever built from template strings.
 *
 * Characters XML 1.0 cannot carry. An S3 key may hold any Unicode character, but an XML 1.0
 * document can hold neither C0 controls other than tab, LF and CR, nor U+FFFE/U+FFFF, nor
 * unpaired surrogates, not even as character references. Amazon S3 writes such a character
 * as a numeric reference (`&#x1;`), which is ill-formed: expat, and so botocore and the AWS
 * CLI, rejects the whole document (botocore then reports the bare HTTP status), while the JS
 * SDK's lenient parser happens to decode it. S3's remedy is `encoding-type=url` on listings,
 * which botocore always sends. Our choice: the document is always well-formed; such a
 * character is written as U+FFFD (the replacement character), so every parser reads the
 * rest of the document. Operations that must return such a key exactly (listings) do so
 * percent-encoded under `encoding-type=url`, as S3 does. A carriage return is legal but
 * would be normalised to LF by every parser, so it is written as `&#13;`, as S3 writes it.
 *
 * Shape of a node: a string/number/boolean/Date is a text element; an array repeats the
 * element; an object nests; `undefined`/`null` members are omitted. In an object, the member
 * `@` holds the element's attributes (name → string) and `#text` its text, for the few S3
 * documents that need them (an ACL's `xsi:type`, GetBucketLocation's text-only root).
 */

export type XmlValue = string | number | boolean | Date | null | undefined | XmlObject | XmlValue[];
export interface XmlObject {
  [name: string]: XmlValue;
}

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';

/**
 * Whether a text needs any rewriting (markup, or a character outside XML 1.0's `Char`
 * production): most names and values do not, and one test is far cheaper than a scan (a
 * listing escapes five texts per key). Any surrogate takes the careful path, which tells
 * paired from unpaired ones (JS strings are UTF-16).
 */
const NEEDS_ESCAPE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF&<>"'\r]/;

/** What a character that needs work is written as; undefined for one written as it is. */
function replacementAt(text: string, i: number): string | undefined {
  const c = text.charCodeAt(i);
  switch (c) {
    case 0x22: return '&quot;';
    case 0x26: return '&amp;';
    case 0x27: return '&apos;';
    case 0x3c: return '&lt;';
    case 0x3e: return '&gt;';
    case 0x0d: return '&#13;';
    case 0x09: case 0x0a: return undefined;
  }
  if (c < 0x20 || c === 0xfffe || c === 0xffff) return '\uFFFD';
  if (c >= 0xd800 && c <= 0xdbff) {
    const next = text.charCodeAt(i + 1); // NaN past the end
    return next >= 0xdc00 && next <= 0xdfff ? undefined : '\uFFFD';
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const before = text.charCodeAt(i - 1);
    return before >= 0xd800 && before <= 0xdbff ? undefined : '\uFFFD';
  }
  return undefined;
}

/**
 * Every text node and attribute goes through here. One scan by hand rather than a regex
 * replacement with a callback: every listed ETag carries two quotes, and the callback
 * dispatch was most of the cost of writing a listing.
 */
export function escapeXml(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  let out = '';
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const replacement = replacementAt(text, i);
    if (replacement === undefined) continue;
    out += text.slice(from, i) + replacement;
    from = i + 1;
  }
  return out + text.slice(from);
}

const DAY_MS = 86_400_000;
/** 10000-01-01T00:00:00Z: from there on (and before 1970) toISOString's own form is used. */
const FAST_DATES_END = 253_402_300_800_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/**
 * `Date.prototype.toISOString`, computed by arithmetic for 1970..9999 because the builtin
 * was the largest single cost of rendering a listing (one date per key). The civil date
 * from a day count is the well-known era/day-of-era method (400-year eras of 146097 days,
 * years starting in March so the leap day is last); xml.test.ts checks it against the
 * builtin across the whole range.
 */
export function isoDate(date: Date): string {
  const t = date.getTime();
  if (!(t >= 0 && t < FAST_DATES_END)) return date.toISOString();
  const days = Math.floor(t / DAY_MS);
  const z = days + 719_468; // days from 0000-03-01
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  let ms = t - days * DAY_MS;
  const hours = Math.floor(ms / 3_600_000);
  ms -= hours * 3_600_000;
  const minutes = Math.floor(ms / 60_000);
  ms -= minutes * 60_000;
  const seconds = Math.floor(ms / 1000);
  ms -= seconds * 1000;
  const millis = ms < 10 ? `00${ms}` : ms < 100 ? `0${ms}` : String(ms);
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}` +
    `T${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${millis}Z`;
}

/** XML dates are ISO 8601 with milliseconds, as S3 writes them. */
function textOf(value: string | number | boolean | Date): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return isoDate(value);
  return String(value);
}

function attributesOf(value: XmlObject): string {
  const attributes = value['@'];
  if (attributes === undefined || attributes === null) return '';
  let out = '';
  for (const [name, text] of Object.entries(attributes as XmlObject)) out += ` ${name}="${escapeXml(String(text))}"`;
  return out;
}

// The document is built by string concatenation: V8 joins such strings lazily, which costs
// less than an array of a hundred thousand small pieces joined at the end.
function renderContent(value: XmlObject): string {
  let out = '';
  for (const child of Object.keys(value)) {
    const childValue = value[child];
    if (childValue === undefined || childValue === null || child === '@') continue;
    out += child === '#text' ? escapeXml(String(childValue)) : renderElement(child, childValue);
  }
  return out;
}

function renderElement(name: string, value: XmlValue): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value) out += renderElement(name, item);
    return out;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    return `<${name}${attributesOf(value)}>${renderContent(value)}</${name}>`;
  }
  return `<${name}>${escapeXml(textOf(value))}</${name}>`;
}

/** A whole document: declaration, root element (with the S3 namespace unless told otherwise). */
export function toXml(root: string, body: XmlObject, opts: { namespace?: string | null } = {}): string {
  const ns = opts.namespace === undefined ? S3_NAMESPACE : opts.namespace;
  const open = ns ? `<${root} xmlns="${escapeXml(ns)}">` : `<${root}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${renderContent(body)}</${root}>`;
}
