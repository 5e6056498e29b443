/**
 * Starting and stopping a gateway: the programmatic API (`startGateway`) that the CLI and
 * other projects' test suites use. Everything is passed in; nothing is chosen at module load.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { KmsCore } from '@kmsgate/kms-core';
import { FsObjectStore } from '@kmsgate/storage';
import { auditLogPath } from './audit/audit-command.js';
import { createApp } from './http/app.js';
import { answerExpectations } from './http/expect.js';
import { DEFAULTS, type LogLevel } from './config.js';
import { IdentityStore } from './identity/identity.js';
import { createLogger } from './http/logger.js';
import { lockDataDir } from './data-dir-lock.js';
import { loadRootKey } from './identity/root-key.js';
import { removeEndpointFile, writeEndpointFile } from './iam/endpoint-file.js';
import type { DataKeyObserver } from './sse/data-key-observer.js';

export interface StartGatewayOptions {
  dataDir: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 9000; 0 picks a free port. */
  port?: number;
  region?: string;
  accountId?: string;
  /** The admin's access key; generated into the data directory when absent. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** base64 of 32 bytes; or rootKeyFile; or generated into the data directory. */
  rootKey?: string;
  rootKeyFile?: string;
  logLevel?: LogLevel;
  /** Serve `<bucket>.<domain>` virtual-hosted-style requests beside path style. */
  domain?: string;
  /** Accept Signature Version 2 (default true); false refuses it as AWS's SigV4-only regions do. */
  sigv2?: boolean;
  /** Where warnings and the one-time credentials notice go (default: stderr). */
  notify?: (message: string) => void;
  /** The KMS's clock (key deletion windows, rotations, material expiry); tests move it forward. */
  now?: () => Date;
  /**
   * In-process only (the demo): told each single-part PUT's data key fingerprint and whether
   * the key buffer was zeroed after the write. Never given the key itself.
   */
  dataKeyObserver?: DataKeyObserver;
}

export interface RunningGateway {
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  region: string;
  accountId: string;
  dataDir: string;
  /** True when this start generated the admin credentials. */
  createdCredentials: boolean;
  close(): Promise<void>;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise(server.address() as AddressInfo);
    });
  });
}

export async function startGateway(opts: StartGatewayOptions): Promise<RunningGateway> {
  const notify = opts.notify ?? ((m: string) => process.stderr.write(`kmsgate: ${m}\n`));
  const dataDir = resolve(opts.dataDir);
  const region = opts.region ?? DEFAULTS.region;
  const accountId = opts.accountId ?? DEFAULTS.accountId;
  const host = opts.host ?? '127.0.0.1';
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  // Before anything in the directory is read or written: one process owns it.
  const lock = await lockDataDir(dataDir);
  let rootKey: Buffer;
  try {
    rootKey = await loadRootKey({ rootKey: opts.rootKey, rootKeyFile: opts.rootKeyFile, dataDir }, (m) => notify(`warning: ${m}`));
  } catch (err) {
    await lock.release();
    throw err;
  }
  let kms: KmsCore | undefined;
  let store: FsObjectStore | undefined;
  let identity: Awaited<ReturnType<typeof IdentityStore.open>> | undefined;
  try {
    identity = await IdentityStore.open({ dataDir, rootKey, accountId, given: opts.credentials });
    kms = await KmsCore.open({
      keystorePath: join(dataDir, 'kms', 'keystore.json'),
      auditPath: auditLogPath(dataDir),
      rootKey,
      region,
      accountId,
      now: opts.now,
    });
    store = await FsObjectStore.open(join(dataDir, 'objects'));
    const log = createLogger(opts.logLevel ?? 'error');
    const app = createApp({ deps: { kms, store, region, accountId, dataKeyObserver: opts.dataKeyObserver }, identity: identity.store, log, domain: opts.domain, sigv2: opts.sigv2 ?? true, auditPath: auditLogPath(dataDir) });
    const server = createServer({ requestTimeout: 0 }, app);
    answerExpectations(server, app);
    // Idle sockets are closed; active transfers of any size are not cut off.
    server.setTimeout(120_000);
    const address = await listen(server, opts.port ?? 9000, host);
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const endpoint = `http://${shownHost}:${address.port}`;
    // For `kmsgate user`: changes go through this process while it owns the data directory.
    await writeEndpointFile(dataDir, endpoint).catch((err: unknown) => {
      server.close();
      throw err;
    });
    const openKms = kms;
    const openStore = store;
    const openIdentity = identity.store;
    let closing: Promise<void> | undefined;
    return {
      endpoint,
      credentials: { accessKeyId: identity.admin.accessKeyId, secretAccessKey: identity.admin.secretAccessKey },
      region,
      accountId,
      dataDir,
      createdCredentials: identity.created,
      close: () => {
        closing ??= (async () => {
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          await openIdentity.close();
          await openKms.close();
          await openStore.close();
          rootKey.fill(0);
          await removeEndpointFile(dataDir);
          await lock.release();
        })();
        return closing;
      },
    };
  } catch (err) {
    await identity?.store.close();
    await kms?.close();
    await store?.close();
    rootKey.fill(0);
    await lock.release();
    throw err;
  }
}
