/**
 * Reads S3 XML responses in tests with an independent, strict parser (saxes), so raw
 * HTTP tests look at elements, never at the text with regular expressions.
 */
import { SaxesParser } from 'saxes';

export interface XmlTree {
  name: string;
  text: string;
  children: XmlTree[];
}

export function readXml(source: string): XmlTree {
  const parser = new SaxesParser();
  const stack: XmlTree[] = [];
  let root: XmlTree | undefined;
  parser.on('opentag', (tag) => {
    const el: XmlTree = { name: tag.name, text: '', children: [] };
    const parent = stack.at(-1);
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
  });
  parser.on('closetag', () => stack.pop());
  parser.on('text', (t) => {
    const current = stack.at(-1);
    if (current) current.text += t;
  });
  parser.write(source).close();
  if (!root) throw new Error('no root element');
  return root;
}

/** The text of the first child named `name`, or undefined. */
export function childText(el: XmlTree, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text;
}

/** Code and Message of an S3 error document. */
export function s3ErrorOf(source: string): { code?: string; message?: string } {
  const doc = readXml(source);
  return { code: childText(doc, 'Code'), message: childText(doc, 'Message') };
}
