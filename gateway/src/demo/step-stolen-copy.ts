/**
 * Step 7: someone copies the data directory (objects, metadata, keystore, audit trail) but not
 * the root key kept outside it, and starts a gateway on the copy. The keystore's key material
 * and the admin's secret are sealed under the root key, so the copy opens nothing: the error
 * is shown as the gateway gives it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsCore } from '@kmsgate/kms-core';
import { auditLogPath } from '../audit/audit-command.js';
import { startGateway } from '../gateway.js';
import type { Step } from './context.js';
import { copyDataDir } from './disk.js';

async function countFiles(dir: string): Promise<number> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).length;
}

/** The message an attempt failed with, the copy's temporary path shortened to "<copy>"; null if it succeeded. */
async function refusalOf(copy: string, attempt: () => Promise<void>): Promise<string | null> {
  try {
    await attempt();
    return null;
  } catch (err) {
    return (err instanceof Error ? err.message : String(err)).split(copy).join('<copy>');
  }
}

export const stolenCopy: Step = async (run) => {
  if (run.dataDir === undefined) {
    return {
      step: 7,
      title: 'Someone copies the data directory',
      lines: ['skipped: the data directory of the running gateway was not given (--data-dir)'],
      facts: { skipped: true },
      audit: [],
    };
  }
  const copy = await mkdtemp(join(tmpdir(), 'kmsgate-stolen-'));
  try {
    const { rootKeyInDataDir } = await copyDataDir(run.dataDir, copy);
    const files = await countFiles(copy);
    const gateway = await refusalOf(copy, async () => {
      const opened = await startGateway({ dataDir: copy, port: 0, logLevel: 'silent', region: run.gw.region, notify: () => undefined });
      await opened.close();
    });
    // The KMS keystore alone, under a root key of the thief's own: the key material is what would open the wrapped data keys.
    const guessedRootKey = randomBytes(32);
    const keystore = await refusalOf(copy, async () => {
      const kms = await KmsCore.open({ keystorePath: join(copy, 'kms', 'keystore.json'), auditPath: auditLogPath(copy), rootKey: guessedRootKey, region: run.gw.region, accountId: run.gw.accountId });
      await kms.close();
    });
    guessedRootKey.fill(0);
    const lines = [
      `copied ${files} files: every object's ciphertext and metadata record, the keystore, the identity store, the audit trail`,
      rootKeyInDataDir
        ? 'the root key lay in the data directory (root.key): it was left out here, but a thief who copied it would open everything; keep it elsewhere (KMSGATE_ROOT_KEY_FILE)'
        : 'the root key was never in the data directory: the copy has none',
      'a gateway started on the copy (it makes itself a new root key, as any start without one does):',
      gateway === null ? '  it OPENED: the data directory holds what opens it' : `  refused: ${gateway}`,
      "the copy's KMS keystore opened under any other root key:",
      keystore === null ? '  it OPENED' : `  refused: ${keystore}`,
      'the wrapped data keys need the KMS key material, which is sealed under the root key: no object opens',
    ];
    return {
      step: 7, title: 'Someone copies the data directory', lines,
      facts: { filesCopied: files, rootKeyInDataDir, gatewayOpened: gateway === null, gatewayRefusal: gateway, keystoreOpened: keystore === null, keystoreRefusal: keystore },
      audit: [],
    };
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
};
