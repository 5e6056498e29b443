/**
 * The README's commands name things that exist: every `npx -y pnpm@<pinned>` runs a script
 * of the root package (or a pnpm command), and every kmsgate flag it shows is one the CLI
 * takes. (Running the quick start itself is done by hand from a fresh clone.)
 */
import { describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CLI } from '../cli-process.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PNPM_COMMANDS = new Set(['install', 'exec', 'pack', 'add']);

describe('the README', () => {
  it('runs pnpm at the pinned version, on scripts that exist', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const manifest = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string; scripts: Record<string, string> };
    const pinned = manifest.packageManager.replace(/^pnpm@/, '');
    const calls = [...readme.matchAll(/npx -y pnpm@(\S+)((?: -{1,2}[a-z-]+(?: '[^']*')?)*) ([a-z-]+)/g)];
    expect(calls.length).toBeGreaterThan(5);
    for (const [call, version, , command] of calls) {
      expect({ call, version }).toEqual({ call, version: pinned });
      expect({ call, known: PNPM_COMMANDS.has(command!) || command! in manifest.scripts }).toEqual({ call, known: true });
    }
  });

  it('shows only kmsgate flags the CLI takes, and no secret as a flag', async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const { stdout: usage } = await promisify(execFile)(process.execPath, [CLI, 'help']);
    const table = readme.slice(readme.indexOf('## Configuration'));
    const flags = [...table.matchAll(/`(--[a-z-]+)`/g)].map((m) => m[1]!);
    const refused = new Set(['--secret-access-key', '--root-key']);
    expect(flags.length).toBeGreaterThan(5);
    for (const flag of flags.filter((f) => !refused.has(f))) expect({ flag, inUsage: usage.includes(`${flag} `) }).toEqual({ flag, inUsage: true });
    // Where the README names the refused flags, it is to say they are refused.
    expect(table).toMatch(/`--secret-access-key` and `--root-key` are refused/);
    expect(readme).not.toMatch(/kmsgate server[^\n]*--(secret-access-key|root-key) /);
  });
});
