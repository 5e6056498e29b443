/**
 * A damaged store stops the start with the file named, instead of a fresh empty store taking
 * its place (which would orphan every object encrypted under the lost keys); a keystore of the
 * first release starts only after `kmsgate upgrade-keystore`, and then still opens its data keys.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DecryptCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { startGateway } from '@kmsgate/gateway';
import { CLI, spawnGateway, type GatewayProcess } from '../cli-process.js';

interface V1Fixture {
  rootKey: string;
  disabledKeyId: string;
  encryptionContext: Record<string, string>;
  dataKeys: { keyId: string; plaintext: string; ciphertextBlob: string }[];
  keystore: unknown;
}
const v1 = JSON.parse(
  await readFile(new URL('../../../kms-core/src/testdata/keystore-v1.fixture.json', import.meta.url), 'utf8'),
) as V1Fixture;

const ENV = {
  KMSGATE_ROOT_KEY: Buffer.from(v1.rootKey, 'hex').toString('base64'),
  KMSGATE_ACCESS_KEY_ID: 'AKIASTOREREFUSAL0001',
  KMSGATE_SECRET_ACCESS_KEY: 'store-refusal-secret',
};

const dirs: string[] = [];
const running: GatewayProcess[] = [];
afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.stop();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kmsgate-refusal-'));
  dirs.push(dir);
  return dir;
}

/** Runs the CLI to completion; resolves with its exit code and output. */
async function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failure = err as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Starts once so every store exists, then stops. */
async function populated(): Promise<string> {
  const dir = await dataDir();
  const gateway = await startGateway({ dataDir: dir, port: 0, logLevel: 'silent', notify: () => undefined });
  await gateway.close();
  return dir;
}

describe('a damaged store stops the start, naming the file', () => {
  for (const file of [join('kms', 'keystore.json'), 'identity.json']) {
    it(`${file} truncated: startGateway rejects and the CLI prints the path`, async () => {
      const dir = await populated();
      const path = join(dir, file);
      const whole = await readFile(path);
      await writeFile(path, whole.subarray(0, Math.floor(whole.length / 2)));

      const rejected = await startGateway({ dataDir: dir, port: 0, logLevel: 'silent', notify: () => undefined }).then(
        () => { throw new Error('the gateway started on a truncated store'); },
        (err: unknown) => err as Error,
      );
      expect(rejected.message).toBe(
        `${path}: the file is truncated or is not valid JSON; refusing to start rather than lose what it holds (restore it from a backup)`,
      );

      const cli = await runCli(['server', '--address', '127.0.0.1:0', '--data-dir', dir], {});
      expect(cli.code).toBe(1);
      expect(cli.stderr.endsWith(`\nkmsgate: ${rejected.message}\n`)).toBe(true);
      expect((await readFile(path)).equals(whole.subarray(0, Math.floor(whole.length / 2)))).toBe(true);
    });
  }

  it('an emptied keystore is not mistaken for a new one', async () => {
    const dir = await populated();
    await writeFile(join(dir, 'kms', 'keystore.json'), '');
    const cli = await runCli(['server', '--address', '127.0.0.1:0', '--data-dir', dir], {});
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`${join(dir, 'kms', 'keystore.json')}: the file is empty`);
  });
});

describe('a keystore written by the first release', () => {
  it('is refused with the upgrade command named, and after `kmsgate upgrade-keystore` serves its old data keys', async () => {
    const dir = await dataDir();
    const path = join(dir, 'kms', 'keystore.json');
    await mkdir(join(dir, 'kms'), { recursive: true, mode: 0o700 });
    await writeFile(path, JSON.stringify(v1.keystore), { mode: 0o600 });

    const refused = await runCli(['server', '--address', '127.0.0.1:0', '--data-dir', dir], ENV);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`kmsgate: Refusing to open the keystore ${path}: it is a version 1 keystore`);
    expect(refused.stderr).toContain('`kmsgate upgrade-keystore`');

    const upgraded = await runCli(['upgrade-keystore', '--data-dir', dir], ENV);
    expect(upgraded).toMatchObject({ code: 0, stdout: 'the keystore is authenticated under the root key (format version 2)\n' });

    const gateway = await spawnGateway(dir, ENV);
    running.push(gateway);
    const kms = new KMSClient({
      endpoint: gateway.endpoint, region: 'us-east-1',
      credentials: { accessKeyId: ENV.KMSGATE_ACCESS_KEY_ID, secretAccessKey: ENV.KMSGATE_SECRET_ACCESS_KEY },
    });
    try {
      for (const dataKey of v1.dataKeys) {
        const decrypt = kms.send(new DecryptCommand({
          CiphertextBlob: Buffer.from(dataKey.ciphertextBlob, 'base64'), EncryptionContext: v1.encryptionContext,
        }));
        // The aws/s3 key's policy allows data use only through S3, not the KMS API.
        if (dataKey.keyId === 'alias/aws/s3') {
          await expect(decrypt).rejects.toMatchObject({ name: 'AccessDeniedException' });
          continue;
        }
        expect(Buffer.from((await decrypt).Plaintext!).toString('hex')).toBe(dataKey.plaintext);
      }
      const disabled = await kms.send(new DescribeKeyCommand({ KeyId: v1.disabledKeyId }));
      expect(disabled.KeyMetadata!.KeyState).toBe('Disabled');
    } finally {
      kms.destroy();
    }
  });
});
