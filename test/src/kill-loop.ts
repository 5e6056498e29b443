/**
 * For tests that SIGKILL `kmsgate server` and start it again, many times over one data
 * directory: the process running now and the directory, both cleaned up after each test.
 */
import { afterEach } from '@jest/globals';
import { rm } from 'node:fs/promises';
import type { GatewayProcess } from './cli-process.js';

export interface KillLoop {
  running: GatewayProcess | undefined;
  dataDir: string | undefined;
  /**
   * Set when jest is done with the test (a timeout included): the loop, which jest does not
   * stop, must then start no further gateway, or that process would outlive the run.
   */
  readonly abandoned: boolean;
}

export function useKillLoop(): KillLoop {
  const loop = { running: undefined as GatewayProcess | undefined, dataDir: undefined as string | undefined, abandoned: false };
  afterEach(async () => {
    loop.abandoned = true;
    await loop.running?.stop();
    if (loop.dataDir) await rm(loop.dataDir, { recursive: true, force: true });
  });
  return loop;
}

export type Credentials = { accessKeyId: string; secretAccessKey: string };

/** The admin access key a first start prints. */
export function adminCredentials(gateway: GatewayProcess): Credentials {
  return {
    accessKeyId: /AWS_ACCESS_KEY_ID=(\S+)/.exec(gateway.stdout)![1]!,
    secretAccessKey: /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(gateway.stdout)![1]!,
  };
}
