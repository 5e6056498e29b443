import { describe, expect, it } from '@jest/globals';
import { parseXmlDocument } from './config-document.js';

describe('configuration documents (local stand-in parser)', () => {
  it('gives one root with local names, trimmed text and children in order', () => {
    const doc = parseXmlDocument(Buffer.from('<?xml version="1.0"?>\n<x:A xmlns:x="urn:x"><B> t&amp;u </B><C/><B>2</B></x:A>'));
    expect(doc).toEqual({ name: 'A', text: '', children: [
      { name: 'B', text: 't&u', children: [] }, { name: 'C', text: '', children: [] }, { name: 'B', text: '2', children: [] },
    ] });
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'],
    ['two roots', '<a/><b/>'],
    ['unbalanced tags', '<a><b></a>'],
    ['invalid UTF-8', Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])],
  ])('refuses %s', (_what, body) => {
    expect(() => parseXmlDocument(Buffer.isBuffer(body) ? body : Buffer.from(body), 'MalformedACLError')).toThrow(expect.objectContaining({ code: 'MalformedACLError' }));
  });
});
