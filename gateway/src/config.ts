/**
 * Configuration: environment variables and the same settings as CLI flags (flags win).
 *
 *   KMSGATE_ADDRESS                 --address                  host:port to listen on   (127.0.0.1:9000)
 *   KMSGATE_DATA_DIR                --data-dir                 objects, keystore, config (./data)
 *   KMSGATE_ACCESS_KEY_ID           --access-key-id            the admin's access key    (generated on first start)
 *   KMSGATE_SECRET_ACCESS_KEY                                  the admin's secret key    (generated on first start)
 *   KMSGATE_SECRET_ACCESS_KEY_FILE  --secret-access-key-file   file holding that secret
 *   KMSGATE_ROOT_KEY                                           base64 of 32 bytes sealing the keystore
 *   KMSGATE_ROOT_KEY_FILE           --root-key-file            file holding that base64  (generated into the data dir)
 *   KMSGATE_REGION                  --region                   (us-east-1)
 *   KMSGATE_ACCOUNT_ID              --account-id               twelve digits used in ARNs (111122223333)
 *   KMSGATE_LOG                     --log                      error | info | debug     (info)
 *   KMSGATE_DOMAIN                  --domain                   serve <bucket>.<domain> virtual hosts too
 *   KMSGATE_SIGV2                   --sigv2                    on | off: accept Signature Version 2 (on)
 *
 * The two secrets have no plain flag: a command line is visible to every user of the
 * machine (ps, /proc/<pid>/cmdline), the environment and a private file are not.
 */
import { readFileSync } from 'node:fs';

export type LogLevel = 'silent' | 'error' | 'info' | 'debug';

export interface GatewayConfig {
  host: string;
  port: number;
  dataDir: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  rootKey?: string;
  rootKeyFile?: string;
  region: string;
  accountId: string;
  logLevel: LogLevel;
  domain?: string;
  /** Accept Signature Version 2 requests, presigned URLs and POST policies. */
  sigv2: boolean;
}

export const DEFAULTS = {
  address: '127.0.0.1:9000',
  dataDir: './data',
  region: 'us-east-1',
  accountId: '111122223333',
  logLevel: 'info' as LogLevel,
};

const SETTINGS = [
  ['address', 'KMSGATE_ADDRESS'],
  ['data-dir', 'KMSGATE_DATA_DIR'],
  ['access-key-id', 'KMSGATE_ACCESS_KEY_ID'],
  ['secret-access-key-file', 'KMSGATE_SECRET_ACCESS_KEY_FILE'],
  ['root-key-file', 'KMSGATE_ROOT_KEY_FILE'],
  ['region', 'KMSGATE_REGION'],
  ['account-id', 'KMSGATE_ACCOUNT_ID'],
  ['log', 'KMSGATE_LOG'],
  ['domain', 'KMSGATE_DOMAIN'],
  ['sigv2', 'KMSGATE_SIGV2'],
] as const;

type SettingName = (typeof SETTINGS)[number][0];

/** Flags that would put a secret in the process list, and where the secret goes instead. */
const REFUSED_FLAGS: Record<string, string> = {
  'secret-access-key': 'set KMSGATE_SECRET_ACCESS_KEY, or put the key in a file and pass --secret-access-key-file',
  'root-key': 'set KMSGATE_ROOT_KEY, or put the key in a file and pass --root-key-file',
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses `--name value` and `--name=value` flags; anything else is an error. */
export function parseFlags(argv: readonly string[]): Partial<Record<SettingName, string>> {
  const known = new Set<string>(SETTINGS.map(([flag]) => flag));
  const out: Partial<Record<SettingName, string>> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const match = /^--([a-z0-9-]+)(?:=(.*))?$/.exec(arg);
    const instead = match && REFUSED_FLAGS[match[1]!];
    if (instead) throw new ConfigError(`--${match[1]} is not accepted, because a command line shows in the process list: ${instead}`);
    if (!match || !known.has(match[1]!)) throw new ConfigError(`unknown option: ${arg}`);
    let value = match[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new ConfigError(`option --${match[1]} needs a value`);
    }
    out[match[1] as SettingName] = value;
  }
  return out;
}

export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65535) throw new ConfigError(`address must be host:port, got '${address}'`);
  return { host: match[1] ?? (match[2] || '127.0.0.1'), port };
}

function envSecret(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}

/** The whole file, less surrounding whitespace (an editor's final newline). */
function readSecretFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (err) {
    throw new ConfigError(`cannot read the secret access key file ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (text === '') throw new ConfigError(`the secret access key file ${path} is empty`);
  return text;
}

export function resolveConfig(env: NodeJS.ProcessEnv, argv: readonly string[] = []): GatewayConfig {
  const flags = parseFlags(argv);
  const get = (name: SettingName): string | undefined => {
    const envName = SETTINGS.find(([flag]) => flag === name)![1];
    const value = flags[name] ?? env[envName];
    return value === '' ? undefined : value;
  };
  const { host, port } = parseAddress(get('address') ?? DEFAULTS.address);
  const region = get('region') ?? DEFAULTS.region;
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) throw new ConfigError(`region looks wrong: '${region}'`);
  const accountId = get('account-id') ?? DEFAULTS.accountId;
  if (!/^\d{12}$/.test(accountId)) throw new ConfigError('account id must be twelve digits');
  const accessKeyId = get('access-key-id');
  const secretFile = get('secret-access-key-file');
  const secretAccessKey = secretFile === undefined ? envSecret(env, 'KMSGATE_SECRET_ACCESS_KEY') : readSecretFile(secretFile);
  if (secretFile !== undefined && envSecret(env, 'KMSGATE_SECRET_ACCESS_KEY') !== undefined) {
    throw new ConfigError('give the secret access key in KMSGATE_SECRET_ACCESS_KEY or in a file, not both');
  }
  const rootKey = envSecret(env, 'KMSGATE_ROOT_KEY');
  const rootKeyFile = get('root-key-file');
  if (rootKey !== undefined && rootKeyFile !== undefined) throw new ConfigError('give the root key in KMSGATE_ROOT_KEY or in a file, not both');
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw new ConfigError('give both the access key id and the secret access key, or neither');
  }
  const logLevel = (get('log') ?? DEFAULTS.logLevel) as LogLevel;
  if (!['silent', 'error', 'info', 'debug'].includes(logLevel)) throw new ConfigError(`unknown log level '${logLevel}'`);
  const domain = get('domain')?.toLowerCase();
  if (domain !== undefined && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain)) {
    throw new ConfigError(`domain must be a DNS name such as s3.localhost, got '${domain}'`);
  }
  const sigv2 = get('sigv2') ?? 'on';
  if (sigv2 !== 'on' && sigv2 !== 'off') throw new ConfigError(`sigv2 must be on or off, got '${sigv2}'`);
  return {
    host,
    port,
    dataDir: get('data-dir') ?? DEFAULTS.dataDir,
    accessKeyId,
    secretAccessKey,
    rootKey,
    rootKeyFile,
    region,
    accountId,
    logLevel,
    domain,
    sigv2: sigv2 === 'on',
  };
}
