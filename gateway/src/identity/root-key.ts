/**
 * The root key seals everything kms-core keeps at rest (and the stored admin secret).
 * It comes from KMSGATE_ROOT_KEY (base64) or KMSGATE_ROOT_KEY_FILE; without either, one is
 * generated into the data directory with mode 0600 and a warning, because a key lying next
 * to the data it protects only protects against someone who copies part of the directory.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileDurably } from '@kmsgate/kms-core';
import { ConfigError } from '../config.js';

export const ROOT_KEY_BYTES = 32;
/** The root key a gateway generates into its data directory when given none. */
export const GENERATED_NAME = 'root.key';

export interface RootKeySource {
  rootKey?: string;
  rootKeyFile?: string;
  dataDir: string;
}

function decodeRootKey(text: string, where: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || key.length !== ROOT_KEY_BYTES) {
    key.fill(0);
    throw new ConfigError(`${where} must be the base64 of exactly ${ROOT_KEY_BYTES} bytes`);
  }
  return key;
}

/** `mayGenerate: false` for a process that must not create one (another owns the data directory). */
export async function loadRootKey(src: RootKeySource, warn: (msg: string) => void, opts: { mayGenerate?: boolean } = {}): Promise<Buffer> {
  if (src.rootKey !== undefined) return decodeRootKey(src.rootKey, 'KMSGATE_ROOT_KEY');
  if (src.rootKeyFile !== undefined) {
    return decodeRootKey(await readFile(src.rootKeyFile, 'utf8'), `the root key file ${src.rootKeyFile}`);
  }
  const path = join(src.dataDir, GENERATED_NAME);
  try {
    const key = decodeRootKey(await readFile(path, 'utf8'), `the root key file ${path}`);
    warn(`using the root key stored in the data directory (${path}); set KMSGATE_ROOT_KEY_FILE to keep it elsewhere`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (opts.mayGenerate === false) throw new ConfigError(`no root key: set KMSGATE_ROOT_KEY or KMSGATE_ROOT_KEY_FILE as for the server (${path} does not exist)`);
  const key = randomBytes(ROOT_KEY_BYTES);
  // Exclusive: never overwrite a key another process created meanwhile. Durable before anything
  // is sealed under it: a keystore that outlived its root key in a power cut is lost.
  await writeFileDurably(path, key.toString('base64') + '\n', { exclusive: true });
  warn(`generated a root key into the data directory (${path}); anyone who can read the whole data directory can decrypt it. Keep the root key elsewhere with KMSGATE_ROOT_KEY_FILE.`);
  return key;
}
