/**
 * Bucket configuration request bodies (PutBucketEncryption, PutBucketAcl, ...): the small
 * XML document, read through the verified body, after the checksum rule that S3 applies to
 * them (Content-MD5 or an x-amz-checksum-* header is required; body.ts verifies whichever
 * came).
 *
 * LOCAL STAND-IN: `parseXmlDocument` below is this branch's own minimal parser; the shared,
 * hardened module (http/xml-parse.ts) replaces it at merge. Same rules: fast-xml-parser, a
 * DOCTYPE refused outright (no entity expansion of any kind), exactly one root element.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { S3Error, type S3ErrorCode } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { readSmallBody } from '../http/body.js';
import { parseRequestChecksum } from '../checksums/index.js';
import type { OperationContext } from '../operations/operation.js';

/** An element: its local name (namespace prefix dropped), trimmed text and child elements. */
export interface XmlElement {
  name: string;
  text: string;
  children: XmlElement[];
}

/** Configuration documents are a few KB; S3 caps most of them far below this. */
const MAX_CONFIG_BODY = 64 * 1024;

type OrderedNode = Record<string, unknown>;

function toElement(node: OrderedNode): XmlElement | string {
  if ('#text' in node) return String(node['#text']);
  const name = Object.keys(node).find((k) => k !== ':@')!;
  const element: XmlElement = { name, text: '', children: [] };
  for (const child of node[name] as OrderedNode[]) {
    const converted = toElement(child);
    if (typeof converted === 'string') element.text += converted;
    else element.children.push(converted);
  }
  return element;
}

/** LOCAL STAND-IN (see the top comment). Throws `code` for anything but one well-formed root. */
export function parseXmlDocument(bytes: Buffer, code: S3ErrorCode = 'MalformedXML'): XmlElement {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new S3Error(code);
  }
  // No DTD is ever needed by an S3 document, and refusing it removes entity expansion.
  if (text.toUpperCase().includes('<!DOCTYPE') || XMLValidator.validate(text) !== true) throw new S3Error(code);
  const parser = new XMLParser({
    preserveOrder: true, ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, trimValues: true,
    processEntities: true, htmlEntities: true, ignoreDeclaration: true, ignorePiTags: true,
  });
  const roots = (parser.parse(text) as OrderedNode[]).map(toElement).filter((n): n is XmlElement => typeof n !== 'string');
  if (roots.length !== 1) throw new S3Error(code);
  return roots[0]!;
}

/** S3 refuses these bodies without an integrity header (the SDKs send a CRC32 now, not MD5). */
export function requireBodyChecksum(headers: IncomingHttpHeaders): void {
  if (headerValue(headers, 'content-md5') !== undefined || parseRequestChecksum(headers) !== null) return;
  throw new S3Error('InvalidRequest', 'Missing required header for this request: Content-MD5');
}

/** The request's XML document; null when the body is empty. */
export async function readXmlDocument(ctx: OperationContext, opts: { checksumRequired: boolean; code?: S3ErrorCode }): Promise<XmlElement | null> {
  if (opts.checksumRequired) requireBodyChecksum(ctx.headers);
  const body = await readSmallBody(ctx, MAX_CONFIG_BODY);
  if (body.length === 0) return null;
  return parseXmlDocument(body, opts.code);
}

/**
 * Checks an element's children against a schema of allowed names, each at most once, and
 * returns them by name. Unknown or repeated children are `code` (the document does not
 * validate against S3's schema).
 */
export function childrenByName(element: XmlElement, allowed: readonly string[], code: S3ErrorCode = 'MalformedXML'): Map<string, XmlElement> {
  const out = new Map<string, XmlElement>();
  for (const child of element.children) {
    if (!allowed.includes(child.name) || out.has(child.name)) throw new S3Error(code);
    out.set(child.name, child);
  }
  return out;
}
