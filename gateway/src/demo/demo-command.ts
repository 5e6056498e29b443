/**
 * `kmsgate demo [--step] [--json] [--endpoint URL] [--data-dir dir] [...settings]`: the
 * SSE-KMS walkthrough, played with real requests through the AWS SDK, each step printed as
 * read back from the gateway, the disk and the audit trail.
 *
 * Without --endpoint it starts an embedded gateway on a temporary data directory, with the
 * root key in a file beside (not inside) it, and removes both afterwards. With --endpoint it
 * uses a running gateway with the admin credentials given as for the other commands; disk
 * readings, the audit trail and the stolen copy need that gateway's --data-dir.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ConfigError, resolveConfig } from '../config.js';
import { startGateway } from '../gateway.js';
import { alicePolicy, bobPolicy, clientsFor, createActor, destroyActor, type Credentials, type Gatewayside } from './actors.js';
import { AuditReader } from './audit-trail.js';
import { ObservedDataKeys, type DemoRun, type Step } from './context.js';
import { humanReport, jsonReport } from './narrate.js';
import { createKey, downloadBack, upload } from './steps-envelope.js';
import { grantAndRevoke } from './steps-access.js';
import { disable, rotate } from './steps-lifecycle.js';
import { stolenCopy } from './step-stolen-copy.js';

export const STEPS: readonly Step[] = [createKey, upload, downloadBack, grantAndRevoke, rotate, disable, stolenCopy];

export interface DemoArgs {
  /** Wait for Enter between steps. */
  step: boolean;
  json: boolean;
  endpoint?: string;
}

/** Splits the demo's own flags from the settings (--data-dir, --access-key-id, ...) for config.ts. */
export function parseDemoArgs(argv: readonly string[]): { args: DemoArgs; rest: string[] } {
  const args: DemoArgs = { step: false, json: false };
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--step') args.step = true;
    else if (arg === '--json') args.json = true;
    else if (arg === '--endpoint' || arg.startsWith('--endpoint=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (!value || !/^https?:\/\/[^/]+\/?$/.test(value)) throw new ConfigError('--endpoint needs a URL such as http://127.0.0.1:9000');
      args.endpoint = value.replace(/\/$/, '');
    } else rest.push(arg);
  }
  return { args, rest };
}

interface Target {
  gw: Gatewayside;
  credentials: Credentials;
  dataDir: string | undefined;
  embedded: boolean;
  /** Names of what the demo creates, unique on a shared gateway. */
  suffix: string;
  close(): Promise<void>;
}

async function embeddedTarget(dataKeys: ObservedDataKeys): Promise<Target> {
  const scratch = await mkdtemp(join(tmpdir(), 'kmsgate-demo-'));
  try {
    // The root key lives outside the data directory, as KMSGATE_ROOT_KEY_FILE keeps it in production.
    const rootKeyFile = join(scratch, 'root-key');
    await writeFile(rootKeyFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600 });
    const gw = await startGateway({ dataDir: join(scratch, 'data'), rootKeyFile, port: 0, logLevel: 'silent', notify: () => undefined, dataKeyObserver: dataKeys });
    return {
      gw, credentials: gw.credentials, dataDir: gw.dataDir, embedded: true, suffix: '',
      close: async () => {
        await gw.close();
        await rm(scratch, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

function remoteTarget(endpoint: string, rest: readonly string[], env: NodeJS.ProcessEnv): Target {
  const cfg = resolveConfig(env, rest);
  if (!cfg.accessKeyId || !cfg.secretAccessKey) {
    throw new ConfigError('--endpoint needs the admin credentials: --access-key-id (or KMSGATE_ACCESS_KEY_ID) and KMSGATE_SECRET_ACCESS_KEY or --secret-access-key-file');
  }
  const dataDirGiven = rest.some((a) => a === '--data-dir' || a.startsWith('--data-dir=')) || !!env.KMSGATE_DATA_DIR;
  return {
    gw: { endpoint, region: cfg.region, accountId: cfg.accountId },
    credentials: { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey },
    dataDir: dataDirGiven ? resolve(cfg.dataDir) : undefined,
    embedded: false,
    suffix: `-${randomBytes(3).toString('hex')}`,
    close: async () => undefined,
  };
}

export interface DemoIo {
  write(text: string): void;
  /** Resolves when the user pressed Enter (only asked for with --step). */
  waitForEnter(prompt: string): Promise<void>;
}

export function terminalIo(): DemoIo {
  return {
    write: (text) => process.stdout.write(text),
    waitForEnter: async (prompt) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        await rl.question(prompt);
      } finally {
        rl.close();
      }
    },
  };
}

export async function runDemo(args: DemoArgs, rest: readonly string[], env: NodeJS.ProcessEnv, io: DemoIo): Promise<void> {
  const started = Date.now();
  const dataKeys = new ObservedDataKeys();
  if (!args.endpoint && rest.length > 0) throw new ConfigError(`the embedded demo takes no settings (${rest[0]}): they are for --endpoint`);
  const target = args.endpoint ? remoteTarget(args.endpoint, rest, env) : await embeddedTarget(dataKeys);
  const admin = clientsFor(target.gw, target.credentials);
  const people: DemoRun['bob'][] = [];
  try {
    const bucket = `bob-documents${target.suffix}`;
    const bob = await createActor(admin.iam, target.gw, `bob${target.suffix}`, bobPolicy(bucket));
    people.push(bob);
    const alice = await createActor(admin.iam, target.gw, `alice${target.suffix}`, alicePolicy(bucket));
    people.push(alice);
    const run: DemoRun = {
      gw: target.gw, dataDir: target.dataDir, embedded: target.embedded, admin, bob, alice, bucket,
      audit: new AuditReader(target.dataDir), dataKeys, key: { id: '', arn: '' }, documents: [],
    };
    if (!args.json) {
      io.write(
        `kmsgate demo: ${target.embedded ? 'an embedded gateway on a temporary data directory' : 'the gateway'} at ${target.gw.endpoint}\n` +
          `the people: ${bob.name} (${bob.arn}), who owns bucket ${bucket}, and ${alice.name} (${alice.arn}), who may read it\n\n`,
      );
    }
    for (const [i, step] of STEPS.entries()) {
      const report = await step(run);
      io.write(args.json ? jsonReport(report) : humanReport(report));
      if (args.step && i + 1 < STEPS.length) await io.waitForEnter(`[Enter] for step ${i + 2} `);
    }
    if (!args.json) {
      const left = target.embedded ? 'the temporary data directory is removed' : `left on the gateway: bucket ${bucket}, users ${bob.name} and ${alice.name}, key ${run.key.arn}`;
      io.write(`done: ${STEPS.length} steps in ${Date.now() - started} ms; ${left}\n`);
    }
  } finally {
    people.forEach(destroyActor);
    admin.s3.destroy();
    admin.kms.destroy();
    admin.iam.destroy();
    await target.close();
  }
}
