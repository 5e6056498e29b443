/**
 * The Node floor the packages state is the one the code needs: node:zlib's crc32 arrived
 * in Node 20.15, so ">=20" would let an older 20.x install and then fail at the first import.
 */
import { describe, expect, it } from '@jest/globals';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFESTS = ['package.json', 'gateway/package.json', 'kms-core/package.json', 'storage/package.json', 'test/package.json'];
/** Node APIs the sources use that are younger than Node 20.0, with the release that brought them. */
const API_FLOORS: Array<{ api: string; uses: RegExp; floor: [number, number] }> = [
  { api: "node:zlib's crc32", uses: /import\s*\{[^}]*\bcrc32\b[^}]*\}\s*from\s*'node:zlib'/, floor: [20, 15] },
];

function floorOf(range: string): [number, number] {
  const match = /^>=(\d+)\.(\d+)(?:\.\d+)?$/.exec(range);
  if (!match) throw new Error(`engines.node should be a plain ">=major.minor.patch" floor, got ${range}`);
  return [Number(match[1]), Number(match[2])];
}

const atLeast = (a: [number, number], b: [number, number]): boolean => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);

async function sources(): Promise<string[]> {
  const found: string[] = [];
  for (const pkg of ['gateway', 'kms-core', 'storage']) {
    for (const entry of await readdir(join(ROOT, pkg, 'src'), { recursive: true })) {
      if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) found.push(await readFile(join(ROOT, pkg, 'src', entry), 'utf8'));
    }
  }
  return found;
}

describe('the Node floor', () => {
  it('is stated the same in every package and covers every newer API the code uses', async () => {
    const ranges = await Promise.all(MANIFESTS.map(async (m) => (JSON.parse(await readFile(join(ROOT, m), 'utf8')) as { engines?: { node?: string } }).engines?.node));
    expect(new Set(ranges).size).toBe(1);
    const floor = floorOf(ranges[0]!);
    const code = (await sources()).join('\n');
    for (const { api, uses, floor: needed } of API_FLOORS) {
      if (uses.test(code)) expect({ api, floor: atLeast(floor, needed) }).toEqual({ api, floor: true });
    }
  });

  it('is the one the README tells a newcomer', async () => {
    const range = (JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
    const [major, minor] = floorOf(range);
    expect(await readFile(join(ROOT, 'README.md'), 'utf8')).toContain(`Node.js ${major}.${minor}`);
  });
});
