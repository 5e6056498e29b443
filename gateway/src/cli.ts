#!/usr/bin/env node
/**
 * kmsgate command line:
 *   kmsgate server [--address host:port] [--data-dir dir] [...]   start the gateway
 *   kmsgate credentials [--data-dir dir] [--root-key-file f]        print the stored admin key
 *   kmsgate upgrade-keystore [--data-dir dir] [--root-key-file f]   authenticate a first-release keystore
 *   kmsgate user create <name> [--policy file] | list | delete <name>   manage users (see iam/user-command.ts)
 *   kmsgate audit [--key k] [--user u] [--event e] [--error [code]] [--since t] [--until t] [--json]
 *   kmsgate demo [--step] [--json] [--endpoint URL [--data-dir dir] [...]]   the SSE-KMS walkthrough (demo/)
 * Settings come from KMSGATE_* variables and the same flags (see config.ts).
 */
import { join, resolve } from 'node:path';
import { upgradeKeystore } from '@kmsgate/kms-core';
import { ConfigError, resolveConfig, type GatewayConfig } from './config.js';
import { startGateway } from './gateway.js';
import { enableLargeBodyHeapGrowth } from './heap-growth.js';
import { IdentityStore } from './identity/identity.js';
import { loadRootKey } from './identity/root-key.js';

const USAGE = `usage: kmsgate <command> [options]

commands:
  server        start the S3 + KMS gateway
  credentials   print the admin credentials stored in the data directory
  upgrade-keystore
                authenticate a keystore written by the first release under the
                root key (run once, only on the file that release wrote)
  user create <name> [--policy file]
                create a user with an access key (printed as JSON) and, from the
                file, an inline IAM policy; through the running gateway if one
                uses the data directory, else on the data directory itself
  user list     the users, as JSON
  user delete <name>
                delete a user with its access keys and policies
  audit [--key id] [--user name] [--event name] [--error [code]]
        [--since time] [--until time] [--json]
                the KMS audit trail (current and rotated files), filtered, as a
                table or as CloudTrail-shaped JSON lines
  demo [--step] [--json] [--endpoint URL [--data-dir dir]]
                play the SSE-KMS walkthrough (Bob's key, an encrypted upload, Alice
                refused then granted, rotation, a disabled key, a stolen disk) on an
                embedded gateway, or on the running one at URL with the admin
                credentials as below; --step waits for Enter between steps, --json
                prints one JSON line per step
  help          this text

options (each also read from the environment variable in brackets):
  --address host:port            listen address             [KMSGATE_ADDRESS, default 127.0.0.1:9000]
  --data-dir dir                 data directory             [KMSGATE_DATA_DIR, default ./data]
  --access-key-id id             admin access key id        [KMSGATE_ACCESS_KEY_ID]
  --secret-access-key-file path  file with the admin secret [KMSGATE_SECRET_ACCESS_KEY_FILE]
  --root-key-file path           file with the root key     [KMSGATE_ROOT_KEY_FILE]
  --region name                  region in ARNs             [KMSGATE_REGION, default us-east-1]
  --account-id digits            account id in ARNs         [KMSGATE_ACCOUNT_ID, default 111122223333]
  --log level                    silent|error|info|debug    [KMSGATE_LOG, default info]
  --domain name                  also serve <bucket>.<name> virtual hosts [KMSGATE_DOMAIN]
  --sigv2 on|off                 accept Signature Version 2 [KMSGATE_SIGV2, default on]

The secrets themselves are never flags (a command line shows in the process list): give
them in KMSGATE_SECRET_ACCESS_KEY and KMSGATE_ROOT_KEY (base64 of 32 bytes), or in files.
`;

async function server(cfg: GatewayConfig): Promise<void> {
  enableLargeBodyHeapGrowth();
  const gateway = await startGateway({
    host: cfg.host,
    port: cfg.port,
    dataDir: cfg.dataDir,
    region: cfg.region,
    accountId: cfg.accountId,
    credentials: cfg.accessKeyId && cfg.secretAccessKey ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } : undefined,
    rootKey: cfg.rootKey,
    rootKeyFile: cfg.rootKeyFile,
    logLevel: cfg.logLevel,
    domain: cfg.domain,
    sigv2: cfg.sigv2,
  });
  const out = process.stdout;
  out.write(`kmsgate listening on ${gateway.endpoint} (region ${gateway.region}, data in ${gateway.dataDir})\n`);
  if (gateway.createdCredentials) {
    out.write(
      'Created the admin credentials (shown once; `kmsgate credentials` prints them again):\n' +
        `  AWS_ACCESS_KEY_ID=${gateway.credentials.accessKeyId}\n` +
        `  AWS_SECRET_ACCESS_KEY=${gateway.credentials.secretAccessKey}\n`,
    );
  } else {
    out.write(`admin access key id: ${gateway.credentials.accessKeyId}\n`);
  }
  const stop = (): void => {
    void gateway.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

async function credentials(cfg: GatewayConfig): Promise<void> {
  const dataDir = resolve(cfg.dataDir);
  const rootKey = await loadRootKey({ rootKey: cfg.rootKey, rootKeyFile: cfg.rootKeyFile, dataDir }, () => undefined);
  // Read only: a running gateway may own the file, and one writer at a time keeps every change.
  const { admin, store } = await IdentityStore.open({ dataDir, rootKey, accountId: cfg.accountId, readOnly: true });
  await store.close();
  rootKey.fill(0);
  process.stdout.write(`AWS_ACCESS_KEY_ID=${admin.accessKeyId}\nAWS_SECRET_ACCESS_KEY=${admin.secretAccessKey}\n`);
}

async function upgrade(cfg: GatewayConfig): Promise<void> {
  const dataDir = resolve(cfg.dataDir);
  const rootKey = await loadRootKey({ rootKey: cfg.rootKey, rootKeyFile: cfg.rootKeyFile, dataDir }, () => undefined);
  try {
    await upgradeKeystore(join(dataDir, 'kms', 'keystore.json'), rootKey);
  } finally {
    rootKey.fill(0);
  }
  process.stdout.write('the keystore is authenticated under the root key (format version 2)\n');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  // The user and demo commands load the AWS SDK clients they drive; imported here, not at the top,
  // so that `server` never holds them (tens of MiB of resident memory it would not use).
  if (command === 'user') {
    const { parseUserArgs, runUserCommand } = await import('./iam/user-command.js');
    const { args, rest: settings } = parseUserArgs(rest);
    process.stdout.write(await runUserCommand(args, resolveConfig(process.env, settings)));
    return;
  }
  if (command === 'audit') {
    const { parseAuditArgs, runAuditCommand } = await import('./audit/audit-command.js');
    const { args, rest: settings } = parseAuditArgs(rest);
    process.stdout.write(await runAuditCommand(args, resolveConfig(process.env, settings).dataDir));
    return;
  }
  if (command === 'demo') {
    const { parseDemoArgs, runDemo, terminalIo } = await import('./demo/demo-command.js');
    const { args, rest: settings } = parseDemoArgs(rest);
    return runDemo(args, settings, process.env, terminalIo());
  }
  const cfg = resolveConfig(process.env, rest);
  if (command === 'server') return server(cfg);
  if (command === 'credentials') return credentials(cfg);
  if (command === 'upgrade-keystore') return upgrade(cfg);
  throw new ConfigError(`unknown command '${command}'`);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`kmsgate: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`kmsgate: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
