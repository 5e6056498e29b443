#!/usr/bin/env node
// Bundles the web console (gateway/console/src, Preact) into gateway/dist/console/assets:
// one script, one stylesheet and the page, which the gateway serves at /console
// (gateway/src/console/serve.ts). No inline script anywhere, so the page runs under a
// Content-Security-Policy without 'unsafe-inline' or 'unsafe-eval'.
import { copyFile, mkdir } from 'node:fs/promises';
import { build } from 'esbuild';

const here = new URL('./', import.meta.url);
const out = new URL('../dist/console/assets/', import.meta.url);
await mkdir(out, { recursive: true });
await build({
  entryPoints: [new URL('src/main.tsx', here).pathname],
  outfile: new URL('console.js', out).pathname,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(new URL('index.html', here), new URL('index.html', out));
await copyFile(new URL('console.css', here), new URL('console.css', out));
