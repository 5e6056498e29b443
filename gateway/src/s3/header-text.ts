/**
 * Non-ASCII text in S3 header values (user metadata), as Amazon S3 handles it.
 *
 * S3 allows any Unicode in metadata values. A value "is character decoded as per RFC 2047
 * before storing and encoded as per RFC 2047 ... before returning"; pure US-ASCII is
 * presented as is (S3 User Guide, UsingMetadata).
 *
 * In:  1. Node hands a header value over as latin1 (one character per byte sent). Those bytes
 *         are read as UTF-8, which is what botocore and curl send; bytes that are not valid
 *         UTF-8 stay latin1 characters.
 *      2. Encoded-words `=?charset?B|Q?text?=` are decoded (the JS SDK cannot send raw
 *         non-ASCII, so its users send these); white space between two adjacent words is
 *         dropped (RFC 2047 §6.2). A word in an unknown charset or badly formed stays as is.
 * Out: 3. Printable ASCII (and tab) goes out unchanged.
 *      4. Anything else becomes one `=?UTF-8?Q?...?=` word over the UTF-8 bytes: printable
 *         ASCII kept except `=`, `?` and `_` (RFC 2047 §4.2), space as `_`, all others `=XX`;
 *         or `=?UTF-8?B?<base64>?=` when the text holds control or format characters, which
 *         is how S3 answers them.
 */
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
const ADJACENT_WORDS = /(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g;
const PRINTABLE_ASCII = /^[\t\x20-\x7e]*$/;
const CONTROL_OR_FORMAT = /\p{C}/u;
const HEX = '0123456789ABCDEF';

function isQSafe(byte: number): boolean {
  return byte >= 0x21 && byte <= 0x7e && byte !== 0x3d && byte !== 0x3f && byte !== 0x5f;
}

function decodeQ(text: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else out.push(text.charCodeAt(i) & 0xff);
  }
  return Buffer.from(out);
}

function decodeWord(word: string, charset: string, encoding: string, text: string): string {
  const bytes = encoding.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : decodeQ(text);
  try {
    return new TextDecoder(charset, { fatal: true }).decode(bytes);
  } catch {
    return word;
  }
}

/** The stored text for a header value as Node presents it. */
export function headerValueToText(value: string): string {
  const bytes = Buffer.from(value, 'latin1');
  let text = value;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Not UTF-8: each byte stands for itself.
  }
  return text.replace(ADJACENT_WORDS, '$1').replace(ENCODED_WORD, decodeWord);
}

/** The header value S3 sends for stored text. */
export function textToHeaderValue(text: string): string {
  if (PRINTABLE_ASCII.test(text)) return text;
  const bytes = Buffer.from(text, 'utf8');
  if (CONTROL_OR_FORMAT.test(text)) return `=?UTF-8?B?${bytes.toString('base64')}?=`;
  let out = '';
  for (const byte of bytes) {
    if (byte === 0x20) out += '_';
    else if (isQSafe(byte)) out += String.fromCharCode(byte);
    else out += `=${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return `=?UTF-8?Q?${out}?=`;
}
