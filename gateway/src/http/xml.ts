/**
 * The one XML serialiser. Operations return plain objects; this renders them with every
 * text node and attribute escaped, so no response is ever built from template strings.
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

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => {
    switch (c) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return '&#13;';
    }
  });
}

/** XML dates are ISO 8601 with milliseconds, as S3 writes them. */
function textOf(value: string | number | boolean | Date): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function attributesOf(value: XmlObject): string {
  const attributes = value['@'];
  if (attributes === undefined || attributes === null) return '';
  return Object.entries(attributes as XmlObject)
    .map(([name, text]) => ` ${name}="${escapeXml(String(text))}"`)
    .join('');
}

function renderContent(value: XmlObject, out: string[]): void {
  for (const [child, childValue] of Object.entries(value)) {
    if (child === '@') continue;
    if (child === '#text') {
      if (childValue !== undefined && childValue !== null) out.push(escapeXml(String(childValue)));
      continue;
    }
    renderElement(child, childValue, out);
  }
}

function renderElement(name: string, value: XmlValue, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) renderElement(name, item, out);
    return;
  }
  if (typeof value === 'object' && !(value instanceof Date)) {
    out.push(`<${name}${attributesOf(value)}>`);
    renderContent(value, out);
    out.push(`</${name}>`);
    return;
  }
  const text = textOf(value);
  out.push(text === '' ? `<${name}></${name}>` : `<${name}>${escapeXml(text)}</${name}>`);
}

/** A whole document: declaration, root element (with the S3 namespace unless told otherwise). */
export function toXml(root: string, body: XmlObject, opts: { namespace?: string | null } = {}): string {
  const ns = opts.namespace === undefined ? S3_NAMESPACE : opts.namespace;
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>\n', ns ? `<${root} xmlns="${escapeXml(ns)}">` : `<${root}>`];
  renderContent(body, out);
  out.push(`</${root}>`);
  return out.join('');
}
