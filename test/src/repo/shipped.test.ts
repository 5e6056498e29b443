/**
 * What the packages ship: each package is built afresh into a scratch directory (so stale
 * files in a developer's dist/ cannot hide or fake anything) and its output is scanned.
 * Tests, fixtures, test signers, stream helpers and the storage contract suite stay out,
 * and no shipped module imports jest or a `./testing` entry.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** In dependency order, so each build finds the declarations of the ones before it. */
const PACKAGES = ['kms-core', 'storage', 'gateway', 'test'] as const;
const PRODUCTION = new Set<string>(['kms-core', 'storage', 'gateway']);

const FORBIDDEN: Array<[string, RegExp]> = [
  ['a test file', /\.test\.(js|d\.ts)$/],
  ["kms-core's test fixtures", /(^|\/)test-fixtures\./],
  ["the object format's test helpers", /(^|\/)sse\/testing\//],
  ['the test signer', /(^|\/)auth\/test-signer\./],
  ['the storage contract suite', /^storage\/contract[^/]*\.(js|d\.ts)$/],
];

let out: string;
const shipped = new Map<string, string[]>();

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name)));
}

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'kmsgate-shipped-'));
  for (const pkg of PACKAGES) {
    // --noCheck: the type check is the build's and tsconfig.test.json's job; this is about which files are emitted.
    await promisify(execFile)(process.execPath, [TSC, '-p', join(ROOT, pkg, 'tsconfig.json'), '--outDir', join(out, pkg), '--tsBuildInfoFile', join(out, `${pkg}.tsbuildinfo`), '--noCheck'], { cwd: ROOT });
    shipped.set(pkg, await filesUnder(join(out, pkg)));
  }
}, 180_000);

afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

describe('what the packages build into dist', () => {
  it('is their code, and the entry points are there', () => {
    for (const pkg of PACKAGES) expect(shipped.get(pkg)).toContain('index.js');
    expect(shipped.get('gateway')).toContain('cli.js');
    expect(shipped.get('test')).toContain('bench/bench.js');
  });

  it('holds no test, fixture, test helper or contract suite', () => {
    const found: string[] = [];
    for (const [pkg, files] of shipped) {
      for (const file of files) {
        for (const [what, pattern] of FORBIDDEN) if (pattern.test(`${pkg}/${file}`) || pattern.test(file)) found.push(`${pkg}/dist/${file} (${what})`);
      }
    }
    expect(found).toEqual([]);
  });

  it('imports neither jest nor a testing entry from production code', async () => {
    const found: string[] = [];
    for (const pkg of PRODUCTION) {
      for (const file of shipped.get(pkg)!.filter((f) => f.endsWith('.js'))) {
        const text = await readFile(join(out, pkg, file), 'utf8');
        if (/from ['"](@jest\/globals|jest|@kmsgate\/[a-z-]+\/testing)['"]/.test(text)) found.push(`${pkg}/dist/${file}`);
      }
    }
    expect(found).toEqual([]);
  });
});
