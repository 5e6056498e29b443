import { describe, expect, it } from '@jest/globals';
import { headerValueToText, textToHeaderValue } from './header-text.js';

/** What Node hands over for a header whose bytes on the wire are `bytes`. */
const wire = (bytes: Buffer): string => bytes.toString('latin1');

describe('header values to stored text', () => {
  it('reads the bytes sent as UTF-8', () => {
    expect(headerValueToText(wire(Buffer.from('Hello World\u00e9', 'utf8')))).toBe('Hello World\u00e9');
    expect(headerValueToText(wire(Buffer.from('\u65e5\u672c \u{1f4c8}', 'utf8')))).toBe('\u65e5\u672c \u{1f4c8}');
    expect(headerValueToText('plain ascii = fine')).toBe('plain ascii = fine');
  });

  it('keeps bytes that are not UTF-8 as latin1 characters', () => {
    expect(headerValueToText(wire(Buffer.from([0x63, 0x61, 0x66, 0xe9])))).toBe('caf\u00e9');
  });

  it('decodes RFC 2047 encoded-words, dropping the space between adjacent ones', () => {
    expect(headerValueToText('=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?=')).toBe('Hello World\u00e9');
    expect(headerValueToText('=?utf-8?q?Hello_World=C3=A9?=')).toBe('Hello World\u00e9');
    expect(headerValueToText('=?ISO-8859-1?Q?caf=E9?=')).toBe('caf\u00e9');
    expect(headerValueToText('=?UTF-8?Q?a?= =?UTF-8?Q?b?= and =?UTF-8?Q?c?=')).toBe('ab and c');
  });

  it('leaves malformed words and unknown charsets as sent', () => {
    expect(headerValueToText('=?no-such-charset?Q?x?=')).toBe('=?no-such-charset?Q?x?=');
    expect(headerValueToText('=?UTF-8?Q?=FF?=')).toBe('=?UTF-8?Q?=FF?=');
    expect(headerValueToText('=?UTF-8?X?abc?=')).toBe('=?UTF-8?X?abc?=');
  });
});

describe('stored text to header values', () => {
  it('sends printable ASCII unchanged', () => {
    expect(textToHeaderValue('a=b?c_d e\tf')).toBe('a=b?c_d e\tf');
    expect(textToHeaderValue('')).toBe('');
  });

  it('Q-encodes other text over its UTF-8 bytes', () => {
    expect(textToHeaderValue('Hello World\u00e9')).toBe('=?UTF-8?Q?Hello_World=C3=A9?=');
    expect(textToHeaderValue('\u2122 a=b?_')).toBe('=?UTF-8?Q?=E2=84=A2_a=3Db=3F=5F?=');
  });

  it('B-encodes text with control characters', () => {
    expect(textToHeaderValue('\x04mymeta')).toBe('=?UTF-8?B?BG15bWV0YQ==?=');
  });

  it('round-trips any text', () => {
    for (const text of ['Hello World\u00e9', '\u65e5\u672c\u8a9e \u{1f4c8}', '\x04w', 'x=?y?=z \u00e9', 'plain']) {
      expect(headerValueToText(textToHeaderValue(text))).toBe(text);
    }
  });
});
