import { describe, it, expect } from '@jest/globals';
import { S3Error } from './errors.js';
import { boolean, element, optional, parseOptionalXml, parseXml, repeated, required, text, xsiTyped, type XmlNode } from './xml-parse.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const schema = element({
  Object: repeated(element({ Key: required(text), VersionId: optional(text) }), { min: 1, max: 3 }),
  Quiet: optional(boolean),
});

function parse(xml: string | Buffer): ReturnType<typeof schema.read> {
  return parseXml(Buffer.isBuffer(xml) ? xml : Buffer.from(xml), 'Delete', schema);
}

function expectMalformed(read: () => unknown, code = 'MalformedXML'): void {
  let caught: unknown;
  try {
    read();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(S3Error);
  expect((caught as S3Error).code).toBe(code);
  expect((caught as S3Error).message).toBe('The XML you provided was not well-formed or did not validate against our published schema');
}

function malformed(xml: string | Buffer): void {
  expectMalformed(() => parse(xml));
}

describe('XML request parser', () => {
  it('reads a document into the typed shape of its schema', () => {
    const doc = parse(`<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="${NS}">\n  <Quiet>true</Quiet>\n  <Object><Key>a</Key></Object>\n  <Object><Key>b</Key><VersionId>null</VersionId></Object>\n</Delete>`);
    expect(doc).toEqual({ Quiet: true, Object: [{ Key: 'a', VersionId: undefined }, { Key: 'b', VersionId: 'null' }] });
  });

  it('keeps text exactly as sent, with predefined entities, character references and CDATA resolved', () => {
    const doc = parse('<Delete><Object><Key> </Key></Object><Object><Key>a&amp;b&lt;&#x263A;&#10;<![CDATA[<x>]]></Key></Object></Delete>');
    expect(doc.Object.map((o) => o.Key)).toEqual([' ', 'a&b<\u263a\n<x>']);
  });

  it('accepts a namespace prefix bound to the S3 namespace, a BOM and comments', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`<s3:Delete xmlns:s3="${NS}"><!-- c --><s3:Object><s3:Key>k</s3:Key></s3:Object></s3:Delete>`)]);
    expect(parse(body).Object[0]!.Key).toBe('k');
  });

  it('reads xsd booleans and refuses other words', () => {
    expect(parse('<Delete><Quiet> 1 </Quiet><Object><Key>k</Key></Object></Delete>').Quiet).toBe(true);
    expect(parse('<Delete><Quiet>false</Quiet><Object><Key>k</Key></Object></Delete>').Quiet).toBe(false);
    malformed('<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>');
  });

  it('refuses a billion-laughs DTD at once', () => {
    const lol = ['<!ENTITY lol "lol">'];
    for (let i = 1; i < 10; i++) lol.push(`<!ENTITY lol${i} "${`&lol${i === 1 ? '' : i - 1};`.repeat(10)}">`);
    malformed(`<?xml version="1.0"?><!DOCTYPE Delete [${lol.join('')}]><Delete><Object><Key>&lol9;</Key></Object></Delete>`);
  });

  it('refuses external entities (XXE), with or without a DOCTYPE', () => {
    malformed('<?xml version="1.0"?><!DOCTYPE Delete [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&xxe;</Key></Object></Delete>');
    malformed('<!DOCTYPE Delete SYSTEM "http://127.0.0.1/evil.dtd"><Delete><Object><Key>k</Key></Object></Delete>');
    malformed('<Delete><Object><Key>&xxe;</Key></Object></Delete>');
  });

  it('refuses what is not well-formed', () => {
    malformed('');
    malformed('<Delete><Object><Key>k</Key></Object>');
    malformed('<Delete><Object><Key>k</Object></Key></Delete>');
    malformed('<Delete><Object><Key>k</Key></Object></Delete><Delete/>');
    malformed('<Delete><Object><Key>a & b</Key></Object></Delete>');
    malformed('<Delete><Object><Key>&#0;</Key></Object></Delete>');
    malformed('<Delete><Object><Key>k</Key></Object></Delete> trailing');
    malformed(Buffer.from([0x3c, 0x44, 0xff, 0x3e]));
  });

  it('refuses other roots, unknown or misplaced elements, wrong counts, text where elements belong', () => {
    malformed('<Remove><Object><Key>k</Key></Object></Remove>');
    malformed('<Delete><Object><Key>k</Key><Colour>red</Colour></Object></Delete>');
    malformed('<Delete><Object><Key>k</Key><Key>k2</Key></Object></Delete>');
    malformed('<Delete><Object><VersionId>v</VersionId></Object></Delete>');
    malformed('<Delete></Delete>');
    malformed(`<Delete>${'<Object><Key>k</Key></Object>'.repeat(4)}</Delete>`);
    malformed('<Delete>text<Object><Key>k</Key></Object></Delete>');
    malformed('<Delete><Object><Key><b>k</b></Key></Object></Delete>');
  });

  it('refuses other namespaces, attributes, processing instructions and other encodings', () => {
    malformed('<Delete xmlns="urn:other"><Object><Key>k</Key></Object></Delete>');
    malformed('<Delete><Object id="1"><Key>k</Key></Object></Delete>');
    malformed('<Delete><?php x?><Object><Key>k</Key></Object></Delete>');
    malformed('<?xml version="1.0" encoding="ISO-8859-1"?><Delete><Object><Key>k</Key></Object></Delete>');
    malformed('<Delete><p:Object><Key>k</Key></p:Object></Delete>');
  });

  it('bounds nesting depth, whatever the schema would allow', () => {
    // A schema node that accepts any nesting, so only the parser's own limit can refuse.
    const anyDepth: XmlNode<null> = {
      read: (el) => {
        for (const child of el.children) anyDepth.read(child);
        return null;
      },
    };
    const nested = (depth: number): Buffer => Buffer.from(`${'<A>'.repeat(depth)}${'</A>'.repeat(depth)}`);
    expect(parseXml(nested(20), 'A', anyDepth)).toBeNull();
    expect(() => parseXml(nested(21), 'A', anyDepth)).toThrow(S3Error);
  });

  it('treats an empty or whitespace-only optional body as absent', () => {
    const config = element({ LocationConstraint: optional(text) });
    expect(parseOptionalXml(Buffer.alloc(0), 'CreateBucketConfiguration', config)).toBeUndefined();
    expect(parseOptionalXml(Buffer.from(' \r\n'), 'CreateBucketConfiguration', config)).toBeUndefined();
    expect(parseOptionalXml(Buffer.from('<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>'), 'CreateBucketConfiguration', config)).toEqual({ LocationConstraint: 'eu-west-1' });
  });

  describe('xsi:type, where the schema names it', () => {
    const XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"';
    const grant = element({ Grantee: required(xsiTyped(['CanonicalUser', 'Group'], element({ ID: optional(text), URI: optional(text) }))) });
    const readGrant = (xml: string): ReturnType<typeof grant.read> => parseXml(Buffer.from(xml), 'Grant', grant);

    it('reads the type and the element it types', () => {
      expect(readGrant(`<Grant xmlns="${NS}"><Grantee ${XSI} xsi:type="CanonicalUser"><ID>abc</ID></Grantee></Grant>`)).toEqual({
        Grantee: { xsiType: 'CanonicalUser', value: { ID: 'abc', URI: undefined } },
      });
      // The prefix is the document's choice; the namespace is what counts.
      expect(readGrant('<Grant><Grantee xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:type="Group"><URI>u</URI></Grantee></Grant>').Grantee.xsiType).toBe('Group');
    });

    it('refuses a missing or unknown type, and the attribute anywhere else', () => {
      expectMalformed(() => readGrant('<Grant><Grantee><ID>abc</ID></Grantee></Grant>'));
      expectMalformed(() => readGrant(`<Grant><Grantee ${XSI} xsi:type="Robot"><ID>abc</ID></Grantee></Grant>`));
      expectMalformed(() => readGrant(`<Grant ${XSI} xsi:type="CanonicalUser"><Grantee xsi:type="CanonicalUser"/></Grant>`));
      expectMalformed(() => readGrant(`<Grant><Grantee ${XSI} xsi:type="CanonicalUser"><ID xsi:type="CanonicalUser">abc</ID></Grantee></Grant>`));
      malformed(`<Delete ${XSI}><Object xsi:type="CanonicalUser"><Key>k</Key></Object></Delete>`);
    });

    it('refuses other attributes beside it, in the XSI namespace or named type in another', () => {
      expectMalformed(() => readGrant(`<Grant><Grantee ${XSI} xsi:type="CanonicalUser" xsi:nil="true"><ID>abc</ID></Grantee></Grant>`));
      expectMalformed(() => readGrant('<Grant><Grantee xmlns:x="urn:x" x:type="CanonicalUser"><ID>abc</ID></Grantee></Grant>'));
      expectMalformed(() => readGrant('<Grant><Grantee type="CanonicalUser"><ID>abc</ID></Grantee></Grant>'));
    });
  });

  describe('answered with the code the document asks for', () => {
    const policy = element({ Owner: optional(text) });
    const readPolicy = (xml: string | Buffer): unknown => parseOptionalXml(Buffer.isBuffer(xml) ? xml : Buffer.from(xml), 'AccessControlPolicy', policy, 'MalformedACLError');

    it.each([
      ['a DOCTYPE', '<!DOCTYPE a [<!ENTITY e "x">]><AccessControlPolicy><Owner>&e;</Owner></AccessControlPolicy>'],
      ['two roots', '<AccessControlPolicy/><AccessControlPolicy/>'],
      ['unbalanced tags', '<AccessControlPolicy><Owner></AccessControlPolicy>'],
      ['invalid UTF-8', Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0x3c, 0x2f, 0x61, 0x3e])],
      ['another root', '<Policy/>'],
      ['an unknown element', '<AccessControlPolicy><Oops/></AccessControlPolicy>'],
    ])('refuses %s with MalformedACLError', (_what, body) => {
      expectMalformed(() => readPolicy(body), 'MalformedACLError');
    });

    it('still reads a valid document and an absent one', () => {
      expect(readPolicy('<AccessControlPolicy><Owner>o</Owner></AccessControlPolicy>')).toEqual({ Owner: 'o' });
      expect(readPolicy('')).toBeUndefined();
    });
  });
});
