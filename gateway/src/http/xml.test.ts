import { describe, it, expect } from '@jest/globals';
import { toXml, escapeXml } from './xml.js';

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
});
