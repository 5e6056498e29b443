/**
 * xml-parse.ts is the gateway's only reader of XML: no other module may bring an XML parser
 * or look into XML with a regular expression, where one would skip the rules that module
 * enforces (no DTD, strict schema, one error).
 */
import { describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const SRC = fileURLToPath(new URL('..', import.meta.url));
const THE_READER = join('http', 'xml-parse.ts');

async function sourceFiles(dir: string): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files;
}

/** A package that parses XML, by its name (ours, ./xml.js and ./xml-parse.js, are relative). */
function isXmlPackage(specifier: string): boolean {
  const name = specifier.toLowerCase();
  return !name.startsWith('.') && (name.includes('xml') || name.includes('sax'));
}

/**
 * Whether a pattern looks into markup: a `<` that opens a tag, an end tag, a declaration or
 * a group standing for a name. A `<` among other characters to escape (`[&<>]`) is not one.
 */
function looksIntoMarkup(pattern: string): boolean {
  for (let i = pattern.indexOf('<'); i !== -1; i = pattern.indexOf('<', i + 1)) {
    // (?<= (?<! (?<name> are lookbehinds and group names, not markup.
    if (pattern.slice(i - 2, i) === '(?') continue;
    const next = pattern[i + 1] ?? '';
    if (next === '\\' || next === '/' || next === '!' || next === '?' || next === '(' || next === '.' || next === '[') return true;
    if ((next >= 'A' && next <= 'Z') || (next >= 'a' && next <= 'z')) return true;
  }
  return false;
}

interface Finding {
  file: string;
  what: string;
}

async function findings(): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const path of await sourceFiles(SRC)) {
    const file = relative(SRC, path);
    const source = ts.createSourceFile(path, await readFile(path, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
        const specifier = node.moduleSpecifier.text;
        if (isXmlPackage(specifier) && !(file === THE_READER && specifier === 'saxes')) found.push({ file, what: `imports ${specifier}` });
      }
      if (ts.isRegularExpressionLiteral(node) && looksIntoMarkup(node.text)) found.push({ file, what: `regex ${node.text}` });
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'RegExp') {
        const first = node.arguments?.[0];
        if (first && ts.isStringLiteralLike(first) && looksIntoMarkup(first.text)) found.push({ file, what: `new RegExp(${first.text})` });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('the one XML reader', () => {
  it('tells a pattern over markup from an escaper', () => {
    expect(['<Code>([^<]+)</Code>', '<\\/Key>', '<!DOCTYPE', '<([A-Za-z]+)', '<[^>]*>'].filter(looksIntoMarkup)).toHaveLength(5);
    expect(looksIntoMarkup('[&<>"\'\\r]')).toBe(false);
    expect(looksIntoMarkup('(?<![\\uD800-\\uDBFF])[\\uDC00-\\uDFFF]')).toBe(false);
  });

  it('is xml-parse.ts: nothing else in gateway/src imports an XML parser or runs a regex over markup', async () => {
    expect(await findings()).toEqual([]);
  });

  it('saxes is the only XML package the gateway depends on', async () => {
    const manifest = JSON.parse(await readFile(join(SRC, '..', 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    const names = ['dependencies', 'devDependencies'].flatMap((field) => Object.keys(manifest[field] ?? {}));
    expect(names.filter(isXmlPackage)).toEqual(['saxes']);
  });
});
