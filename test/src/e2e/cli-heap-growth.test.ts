// The gateway raises V8's heap growing factor to 5 while one or two large bodies stream, gives
// V8 back its own choice otherwise (see gateway/src/heap-growth.ts), and leaves a factor given
// to node alone. V8 prints the factor it used for the next old-generation limit after a full GC with
// --trace-gc-verbose; the child process runs the module as the CLI does.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { CLI } from '../cli-process.js';

const MODULE = pathToFileURL(CLI.replace(/cli\.js$/, 'heap-growth.js')).href;

/**
 * The factor of each full GC: before a large body, during it, with a second and a third one
 * started, with the third ended, and after all ended.
 */
async function factorsAround(nodeArgs: string[]): Promise<string[]> {
  const script = [
    `const h = await import(${JSON.stringify(MODULE)});`,
    'h.enableLargeBodyHeapGrowth();',
    'gc();',
    'const ends = [h.largeBodyStarted()];',
    'gc();',
    'ends.push(h.largeBodyStarted(), h.largeBodyStarted());',
    'gc();',
    'ends.pop()();',
    'gc();',
    'for (const end of ends) end();',
    'gc();',
  ].join('\n');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--trace-gc-verbose', ...nodeArgs, '--input-type=module', '-e', script],
    { env: { PATH: process.env.PATH }, maxBuffer: 16 * 1024 * 1024 },
  );
  return [...stdout.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((m) => m[1]!);
}

describe('heap growing factor for large bodies', () => {
  it('is 5 only while one or two large bodies stream', async () => {
    const [before, one, three, two, after] = await factorsAround([]);
    expect(one).toBe('5.0');
    expect(two).toBe('5.0');
    for (const factor of [before, three, after]) expect(factor).not.toBe('5.0');
  });

  it('stays what node was given', async () => {
    expect(await factorsAround(['--heap-growing-percent=50'])).toEqual(['1.5', '1.5', '1.5', '1.5', '1.5']);
  });

  it('is turned on by the CLI when it serves', async () => {
    const { readFile } = await import('node:fs/promises');
    const source = await readFile(CLI.replace(/dist[/\\]cli\.js$/, 'src/cli.ts'), 'utf8');
    expect(source).toMatch(/async function server\(cfg: GatewayConfig\): Promise<void> \{\n {2}enableLargeBodyHeapGrowth\(\);/);
  });
});
