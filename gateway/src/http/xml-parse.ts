/**
 * The one reader of XML request bodies (DeleteObjects, CreateBucketConfiguration,
 * ServerSideEncryptionConfiguration, AccessControlPolicy and every document after them). It is strict on purpose: a request body is untrusted
 * input, and S3 answers anything it does not expect with MalformedXML.
 *
 * Rules, in the order they are applied:
 * 1. The body must be UTF-8 (a BOM is allowed); an XML declaration may only name UTF-8.
 * 2. It must be well-formed XML 1.0, checked by saxes, a strict streaming parser.
 * 3. A DOCTYPE is refused the moment it is seen. saxes never reads a DTD's declarations, so
 *    no entity can be defined (billion laughs) and none can point outside (XXE); only the
 *    five predefined entities and character references exist.
 * 4. Processing instructions (other than the declaration) and attributes (other than
 *    namespace declarations and xsi:type) are refused; comments are skipped; CDATA counts
 *    as text. xsi:type is kept only where the schema names it (`xsiTyped`, the ACL Grantee)
 *    and refused on every other element.
 * 5. Elements are in no namespace or in the S3 namespace, at most MAX_DEPTH deep.
 * 6. The root element must be the one the operation names, and the tree must match the
 *    operation's schema: known children only, each within its count, text elements holding
 *    no elements, container elements holding no text but whitespace.
 * Every failure is the same S3 error, MalformedXML (MalformedACLError for ACL documents, as
 * the caller asks): the client learns nothing about which rule it broke, as with S3.
 *
 * A schema is built from `element`, `text`, `boolean` and `xsiTyped` nodes and `required`, `optional`
 * and `repeated` fields; the parsed value is typed from it.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { S3Error } from './errors.js';

const S3_NAMESPACE = 'http://s3.amazonaws.com/doc/2006-03-01/';
const XMLNS_NAMESPACE = 'http://www.w3.org/2000/xmlns/';
const XSI_NAMESPACE = 'http://www.w3.org/2001/XMLSchema-instance';
/** Deeper than any S3 document; bounds the work a hostile body can cause. */
const MAX_DEPTH = 20;
const XML_WHITESPACE = new Set([' ', '\t', '\r', '\n']);

/** An element as read, before the schema looks at it. */
interface RawElement {
  name: string;
  children: RawElement[];
  text: string;
  /** The xsi:type attribute, if sent; only an `xsiTyped` node accepts one. */
  xsiType: string | undefined;
}

/** A schema node: turns a raw element into a typed value or throws MalformedXML. */
export interface XmlNode<T> {
  readonly read: (el: RawElement) => T;
}

/** How many times a child element may appear, and how its values become one field. */
export interface XmlField<T> {
  readonly node: XmlNode<unknown>;
  readonly min: number;
  readonly max: number;
  readonly collect: (values: unknown[]) => T;
}

type FieldValues<F extends Record<string, XmlField<unknown>>> = { [K in keyof F]: F[K] extends XmlField<infer T> ? T : never };

export function malformedXml(): S3Error {
  return new S3Error('MalformedXML');
}

/** The errors a body that fails these rules may be answered with. */
export type MalformedCode = 'MalformedXML' | 'MalformedACLError';

/** Elements not declared `xsiTyped` carry no xsi:type. */
function refuseXsiType(el: RawElement): void {
  if (el.xsiType !== undefined) throw malformedXml();
}

function isWhitespace(text: string): boolean {
  for (const c of text) if (!XML_WHITESPACE.has(c)) return false;
  return true;
}

/** A text-only element; its text is kept exactly as sent (a key may be a single space). */
export const text: XmlNode<string> = {
  read: (el) => {
    refuseXsiType(el);
    if (el.children.length > 0) throw malformedXml();
    return el.text;
  },
};

/** xsd:boolean: true, false, 1 or 0, surrounding whitespace allowed. */
export const boolean: XmlNode<boolean> = {
  read: (el) => {
    const value = text.read(el).trim();
    if (value === 'true' || value === '1') return true;
    if (value === 'false' || value === '0') return false;
    throw malformedXml();
  },
};

export function required<T>(node: XmlNode<T>): XmlField<T> {
  return { node, min: 1, max: 1, collect: (values) => values[0] as T };
}

export function optional<T>(node: XmlNode<T>): XmlField<T | undefined> {
  return { node, min: 0, max: 1, collect: (values) => values[0] as T | undefined };
}

export function repeated<T>(node: XmlNode<T>, counts: { min?: number; max: number }): XmlField<T[]> {
  return { node, min: counts.min ?? 0, max: counts.max, collect: (values) => values as T[] };
}

/** An element whose children are the named fields, in any order. */
export function element<F extends Record<string, XmlField<unknown>>>(fields: F): XmlNode<FieldValues<F>> {
  return {
    read: (el) => {
      refuseXsiType(el);
      if (!isWhitespace(el.text)) throw malformedXml();
      const values = new Map<string, unknown[]>();
      for (const child of el.children) {
        if (!Object.hasOwn(fields, child.name)) throw malformedXml();
        const field = fields[child.name]!;
        const list = values.get(child.name) ?? [];
        if (list.length === field.max) throw malformedXml();
        list.push(field.node.read(child));
        values.set(child.name, list);
      }
      const result: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(fields)) {
        const list = values.get(name) ?? [];
        if (list.length < field.min) throw malformedXml();
        result[name] = field.collect(list);
      }
      return result as FieldValues<F>;
    },
  };
}

/**
 * An element whose xsi:type attribute is required and one of `types` (the abstract Grantee
 * of an ACL); the element itself is read by `node`. The value is compared as written: S3
 * documents name the type without a prefix.
 */
export function xsiTyped<T, K extends string>(types: readonly K[], node: XmlNode<T>): XmlNode<{ xsiType: K; value: T }> {
  return {
    read: (el) => {
      const xsiType = types.find((t) => t === el.xsiType);
      if (xsiType === undefined) throw malformedXml();
      return { xsiType, value: node.read({ ...el, xsiType: undefined }) };
    },
  };
}

function decodeUtf8(body: Buffer): string {
  try {
    // fatal: invalid UTF-8 is an error, not U+FFFD; a leading BOM is dropped.
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw malformedXml();
  }
}

function readTree(source: string): RawElement {
  const parser = new SaxesParser({ xmlns: true, position: false });
  const stack: RawElement[] = [];
  let root: RawElement | undefined;
  parser.on('xmldecl', (decl) => {
    if (decl.encoding !== undefined && decl.encoding.toLowerCase() !== 'utf-8') throw malformedXml();
  });
  parser.on('doctype', () => {
    throw malformedXml();
  });
  parser.on('processinginstruction', () => {
    throw malformedXml();
  });
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (tag.uri !== '' && tag.uri !== S3_NAMESPACE) throw malformedXml();
    let xsiType: string | undefined;
    for (const attr of Object.values(tag.attributes)) {
      if (attr.uri === XSI_NAMESPACE && attr.local === 'type') xsiType = attr.value;
      else if (attr.uri !== XMLNS_NAMESPACE) throw malformedXml();
    }
    if (stack.length === MAX_DEPTH) throw malformedXml();
    const el: RawElement = { name: tag.local, children: [], text: '', xsiType };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => {
    stack.pop();
  });
  const addText = (t: string): void => {
    const current = stack.at(-1);
    // Outside the root only whitespace is well-formed, and saxes checks that itself.
    if (current) current.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  parser.on('error', () => {
    throw malformedXml();
  });
  try {
    parser.write(source).close();
  } catch (err) {
    if (err instanceof S3Error) throw err;
    throw malformedXml();
  }
  if (!root) throw malformedXml();
  return root;
}

function parseSource<T>(source: string, root: string, node: XmlNode<T>): T {
  const tree = readTree(source);
  if (tree.name !== root) throw malformedXml();
  return node.read(tree);
}

/** Runs `parse`, answering its MalformedXML with `code`. */
function answeredWith<T>(code: MalformedCode, parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (code !== 'MalformedXML' && err instanceof S3Error && err.code === 'MalformedXML') throw new S3Error(code);
    throw err;
  }
}

/** Parses a required XML body whose root element must be `root`. */
export function parseXml<T>(body: Buffer, root: string, node: XmlNode<T>, code: MalformedCode = 'MalformedXML'): T {
  return answeredWith(code, () => parseSource(decodeUtf8(body), root, node));
}

/** As parseXml, for bodies that may be left out: empty or whitespace only gives undefined. */
export function parseOptionalXml<T>(body: Buffer, root: string, node: XmlNode<T>, code: MalformedCode = 'MalformedXML'): T | undefined {
  return answeredWith(code, () => {
    const source = decodeUtf8(body);
    return isWhitespace(source) ? undefined : parseSource(source, root, node);
  });
}
