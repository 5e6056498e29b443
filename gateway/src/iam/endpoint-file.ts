/**
 * Where a running gateway listens, for the `kmsgate user` command: `<dataDir>/endpoint.json`
 * = { "endpoint": "http://127.0.0.1:9000", "pid": 1234 }, written once the server listens
 * (the address may be port 0, known only then) and removed on close, before the data
 * directory's lock is released. The lock, not this file, says whether a gateway runs.
 */
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@kmsgate/kms-core';

const NAME = 'endpoint.json';

export async function writeEndpointFile(dataDir: string, endpoint: string): Promise<void> {
  await writeFileDurably(join(dataDir, NAME), JSON.stringify({ endpoint, pid: process.pid }) + '\n');
}

export async function removeEndpointFile(dataDir: string): Promise<void> {
  await unlink(join(dataDir, NAME)).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
}

/** The running gateway's endpoint, or undefined while none is written (starting, or gone). */
export async function readEndpointFile(dataDir: string): Promise<string | undefined> {
  try {
    const parsed = JSON.parse(await readFile(join(dataDir, NAME), 'utf8')) as { endpoint?: unknown };
    return typeof parsed.endpoint === 'string' ? parsed.endpoint : undefined;
  } catch {
    return undefined;
  }
}
