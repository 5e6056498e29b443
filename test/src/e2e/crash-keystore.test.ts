/**
 * What a 200 from CreateKey reports as written survives the process dying at any moment:
 * the real `kmsgate server` is SIGKILLed at random points while clients create keys over the
 * KMS JSON API, many times over one data directory. After every restart the store loads, and
 * every key whose CreateKey answered 200 is listed and encrypts and decrypts.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { spawnGateway, type GatewayProcess } from '../cli-process.js';
import { adminCredentials, useKillLoop, type Credentials } from '../kill-loop.js';

const KILLS = 15;
const WORKERS = 4;
const MAX_KEYS_PER_LIFE = 10;

const loop = useKillLoop();

function client(gateway: GatewayProcess, credentials: Credentials): KMSClient {
  // One attempt: a retried CreateKey could answer for a key the killed process never stored.
  return new KMSClient({ endpoint: gateway.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
}

async function listedKeyIds(kms: KMSClient): Promise<Set<string>> {
  const ids = new Set<string>();
  let marker: string | undefined;
  do {
    const page = await kms.send(new ListKeysCommand({ Limit: 1000, Marker: marker }));
    for (const key of page.Keys ?? []) ids.add(key.KeyId!);
    marker = page.Truncated ? page.NextMarker : undefined;
  } while (marker !== undefined);
  return ids;
}

async function expectUsable(kms: KMSClient, keyId: string): Promise<void> {
  const plaintext = Buffer.from(`survives ${keyId}`);
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: plaintext }));
  const { Plaintext, KeyId } = await kms.send(new DecryptCommand({ CiphertextBlob }));
  expect(KeyId).toMatch(new RegExp(`key/${keyId}$`));
  expect(Buffer.from(Plaintext!).equals(plaintext)).toBe(true);
}

/** Creates keys from several clients at once until the process dies; returns the ones answered 200. */
async function createUntilKilled(gateway: GatewayProcess, kms: KMSClient): Promise<string[]> {
  const acknowledged: string[] = [];
  const killAfter = 1 + Math.floor(Math.random() * MAX_KEYS_PER_LIFE);
  const exited = new Promise((done) => gateway.child.once('exit', done));
  let dead = false;
  const kill = (): void => {
    if (dead) return;
    dead = true;
    gateway.child.kill('SIGKILL');
  };
  const worker = async (): Promise<void> => {
    while (!dead) {
      try {
        const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'crash test' }));
        acknowledged.push(KeyMetadata!.KeyId!);
        // The kill lands while the other workers' writes are at random stages.
        if (acknowledged.length >= killAfter) setTimeout(kill, Math.floor(Math.random() * 4));
      } catch (err) {
        if (!dead) throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  await exited;
  return acknowledged;
}

describe('keystore under SIGKILL', () => {
  it(`keeps every acknowledged key across ${KILLS} kills at random points`, async () => {
    const dataDir = (loop.dataDir = await mkdtemp(join(tmpdir(), 'kmsgate-crash-')));
    let running = (loop.running = await spawnGateway(dataDir));
    const credentials = adminCredentials(running);
    const acknowledged: string[] = [];
    let lastLife: string[] = [];
    for (let life = 0; life <= KILLS; life++) {
      if (life > 0) running = loop.running = await spawnGateway(dataDir); // rejects if the store does not load
      if (loop.abandoned) return void (await running.stop());
      const kms = client(running, credentials);
      const listed = await listedKeyIds(kms);
      for (const keyId of acknowledged) expect(listed.has(keyId)).toBe(true);
      for (const keyId of lastLife) await expectUsable(kms, keyId);
      if (life === KILLS) {
        for (const keyId of acknowledged) await expectUsable(kms, keyId);
        kms.destroy();
        break;
      }
      lastLife = await createUntilKilled(running, kms);
      kms.destroy();
      acknowledged.push(...lastLife);
    }
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILLS);
  }, 300_000);
});
