import { describe, it, expect } from '@jest/globals';
import { toXml, escapeXml, isoDate } from './xml.js';

const DAY = 86_400_000;

describe('xml serialiser', () => {
  it('escapes every text node', () => {
    const xml = toXml('Error', { Code: 'NoSuchKey', Key: `a<b>&"c'` }, { namespace: null });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Key>a&lt;b&gt;&amp;&quot;c&apos;</Key></Error>');
  });

  it('repeats arrays, nests objects, skips undefined and writes ISO dates', () => {
    const xml = toXml('R', {
      B: [{ Name: 'x', CreationDate: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)) }, { Name: 'y' }],
      Skip: undefined,
      Empty: '',
    });
    expect(xml).toContain('<R xmlns="http://s3.amazonaws.com/doc/2006-03-01/">');
    expect(xml).toContain('<B><Name>x</Name><CreationDate>2026-01-02T03:04:05.006Z</CreationDate></B><B><Name>y</Name></B>');
    expect(xml).not.toContain('Skip');
    expect(xml).toContain('<Empty></Empty>');
  });

  it('escapes carriage returns so they survive XML parsing', () => {
    expect(escapeXml('a\rb')).toBe('a&#13;b');
  });

  it('never writes a character XML 1.0 cannot carry, not even as a reference', () => {
    const key = 'a\u0001b\u0000c\u001fd\uFFFEe\uFFFFf\uD800g\uDC00h';
    const xml = toXml('Error', { Key: key }, { namespace: null });
    expect(xml).toContain('<Key>a\uFFFDb\uFFFDc\uFFFDd\uFFFDe\uFFFDf\uFFFDg\uFFFDh</Key>');
    expect(xml).not.toMatch(/&#x?0*[0-9a-f]{1,2};/i);
  });

  it('keeps what XML 1.0 can carry: tab, LF, paired surrogates, C1 and DEL', () => {
    const key = 'tab\tlf\n\u{1F600}\u0085\u007f\u00e9';
    expect(escapeXml(key)).toBe(key);
  });

  it('writes attributes from @ and text from #text, both escaped', () => {
    const xml = toXml('LocationConstraint', { '#text': 'eu-west-1' });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
    const grant = toXml('G', { Grantee: { '@': { 'xsi:type': 'Canonical"User' }, ID: 'a<b' } }, { namespace: null });
    expect(grant).toContain('<Grantee xsi:type="Canonical&quot;User"><ID>a&lt;b</ID></Grantee>');
  });

  it('escapes markup and unwritable characters together in one text', () => {
    expect(escapeXml('"e\u0001"&\uD800<\r\u{1F600}')).toBe('&quot;e\uFFFD&quot;&amp;\uFFFD&lt;&#13;\u{1F600}');
  });

  it('escapes random texts as the two-replacement definition does', () => {
    const notXml = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
    const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#13;' };
    const reference = (text: string): string => text.replace(notXml, '\uFFFD').replace(/[&<>"'\r]/g, (c) => entities[c]);
    const alphabet = ['a', 'é', '&', '<', '>', '"', "'", '\r', '\n', '\t', '\u0000', '\u001f', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uFFFE', '\uFFFF', '\uFFFD', '\u{1F600}'];
    let seed = 1;
    const random = (n: number): number => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n);
    for (let round = 0; round < 5000; round++) {
      let text = '';
      for (let n = random(8); n > 0; n--) text += alphabet[random(alphabet.length)];
      if (escapeXml(text) !== reference(text)) expect(escapeXml(text)).toBe(reference(text));
    }
  });

  it('writes dates exactly as toISOString does, across and beyond the computed range', () => {
    const edges = [0, 1, 999, DAY - 1, DAY, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, -62_198_755_200_000, 8.64e15, -8.64e15];
    for (const t of edges) expect(isoDate(new Date(t))).toBe(new Date(t).toISOString());
    // Every day boundary's neighbours over 1970..9999, stepping by a prime number of ms.
    for (let t = 0; t < 253_402_300_800_000; t += 7_919_999_999) {
      for (const d of [new Date(t), new Date(Math.floor(t / DAY) * DAY - 1)]) {
        if (isoDate(d) !== d.toISOString()) expect(isoDate(d)).toBe(d.toISOString());
      }
    }
  });
});

