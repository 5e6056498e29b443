// The CLI gives V8 a heap growing factor of 5 (see gateway/src/heap-growth.ts), and keeps
// one given on node's command line. V8 prints the factor it used for the next old-generation
// limit after a full GC with --trace-gc-verbose.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLI } from '../cli-process.js';

// A full GC as the process exits, after the CLI's modules ran.
const GC_AT_EXIT = "data:text/javascript,process.on('exit',()=>globalThis.gc())";

async function growingFactorsOf(nodeArgs: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--trace-gc-verbose', ...nodeArgs, '--import', GC_AT_EXIT, CLI, 'help'],
    { env: { PATH: process.env.PATH }, maxBuffer: 16 * 1024 * 1024 },
  );
  return [...stdout.matchAll(/\[HeapController\] Limit: .*\(([\d.]+)\)/g)].map((m) => m[1]!);
}

describe('CLI heap growing factor', () => {
  it('is 5 unless node was given one, which is kept', async () => {
    const ours = await growingFactorsOf([]);
    expect(ours.length).toBeGreaterThan(0);
    expect(new Set(ours)).toEqual(new Set(['5.0']));
    const given = await growingFactorsOf(['--heap-growing-percent=50']);
    expect(given.length).toBeGreaterThan(0);
    expect(new Set(given)).toEqual(new Set(['1.5']));
  });
});
