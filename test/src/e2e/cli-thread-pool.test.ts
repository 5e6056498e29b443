// The CLI sizes libuv's thread pool before the pool starts (fsyncs hold its threads), and
// keeps a size the user chose.
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI } from '../cli-process.js';

// Runs before the CLI's own modules and prints, as the process exits, what the pool was given.
const REPORT = "data:text/javascript,process.on('exit',()=>process.stderr.write('pool='+process.env.UV_THREADPOOL_SIZE))";

async function poolSizeOf(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const { stderr } = await promisify(execFile)(process.execPath, ['--import', REPORT, CLI, 'help'], { env: { PATH: process.env.PATH, ...env } });
  return /pool=(\S+)/.exec(stderr)?.[1];
}

describe('CLI thread pool', () => {
  it('gives libuv 16 threads unless told otherwise, and keeps a size the user set', async () => {
    expect(await poolSizeOf({})).toBe('16');
    expect(await poolSizeOf({ UV_THREADPOOL_SIZE: '7' })).toBe('7');
  });

  it('sets the size in the first module the CLI imports, before anything can start the pool', async () => {
    const source = await readFile(fileURLToPath(new URL('../../../gateway/src/cli.ts', import.meta.url)), 'utf8');
    expect(/^import\s.*$/m.exec(source)?.[0]).toBe("import './thread-pool.js';");
  });
});
