/**
 * `kmsgate user create <name> [--policy <file>] | list | delete <name>`.
 *
 * Every change to identity.json must go through one process, or one writer's document would
 * replace the other's. So: when the data directory's lock can be taken, no gateway runs, and
 * the command works on the store directly, holding the lock; when a gateway holds it, the
 * command sends the same changes to that gateway's IAM API (endpoint.json says where),
 * signed with the admin's key, and the gateway serialises them with everyone else's.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateAccessKeyCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteUserCommand, DeleteUserPolicyCommand, IAMClient,
  ListAccessKeysCommand, ListUserPoliciesCommand, ListUsersCommand, PutUserPolicyCommand,
} from '@aws-sdk/client-iam';
import { ConfigError, type GatewayConfig } from '../config.js';
import { DataDirInUseError, lockDataDir } from '../data-dir-lock.js';
import { IdentityError } from '../identity/errors.js';
import { IdentityStore } from '../identity/identity.js';
import { loadRootKey } from '../identity/root-key.js';
import { validateIdentityPolicy } from './iam-actions.js';
import { readEndpointFile } from './endpoint-file.js';

/** The IAM calls the command makes, served by the store itself or by a running gateway. */
interface IamCalls {
  createUser(name: string): Promise<{ UserName: string; Arn: string }>;
  putUserPolicy(user: string, policyName: string, document: string): Promise<void>;
  createAccessKey(user: string): Promise<{ AccessKeyId: string; SecretAccessKey: string }>;
  listUsers(): Promise<Array<{ UserName: string; Arn: string; UserId: string; CreateDate: Date }>>;
  listAccessKeys(user: string): Promise<string[]>;
  deleteAccessKey(user: string, accessKeyId: string): Promise<void>;
  listUserPolicies(user: string): Promise<string[]>;
  deleteUserPolicy(user: string, policyName: string): Promise<void>;
  deleteUser(user: string): Promise<void>;
}

function storeCalls(store: IdentityStore): IamCalls {
  return {
    createUser: (name) => store.createUser(name),
    putUserPolicy: (user, name, doc) => store.putUserPolicy(user, name, doc, validateIdentityPolicy),
    createAccessKey: (user) => store.createAccessKey(user),
    listUsers: async () => store.listUsers(),
    listAccessKeys: async (user) => store.listAccessKeys(user).map((k) => k.AccessKeyId),
    deleteAccessKey: (user, id) => store.deleteAccessKey(user, id),
    listUserPolicies: async (user) => store.listUserPolicies(user),
    deleteUserPolicy: (user, name) => store.deleteUserPolicy(user, name),
    deleteUser: (user) => store.deleteUser(user),
  };
}

function apiCalls(client: IAMClient): IamCalls {
  return {
    createUser: async (UserName) => {
      const { User } = await client.send(new CreateUserCommand({ UserName }));
      return { UserName: User!.UserName!, Arn: User!.Arn! };
    },
    putUserPolicy: async (UserName, PolicyName, PolicyDocument) => {
      await client.send(new PutUserPolicyCommand({ UserName, PolicyName, PolicyDocument }));
    },
    createAccessKey: async (UserName) => {
      const { AccessKey } = await client.send(new CreateAccessKeyCommand({ UserName }));
      return { AccessKeyId: AccessKey!.AccessKeyId!, SecretAccessKey: AccessKey!.SecretAccessKey! };
    },
    listUsers: async () => {
      const users = [];
      let Marker: string | undefined;
      do {
        const page = await client.send(new ListUsersCommand({ Marker }));
        users.push(...(page.Users ?? []).map((u) => ({ UserName: u.UserName!, Arn: u.Arn!, UserId: u.UserId!, CreateDate: u.CreateDate! })));
        Marker = page.IsTruncated ? page.Marker : undefined;
      } while (Marker);
      return users;
    },
    listAccessKeys: async (UserName) => ((await client.send(new ListAccessKeysCommand({ UserName }))).AccessKeyMetadata ?? []).map((k) => k.AccessKeyId!),
    deleteAccessKey: async (UserName, AccessKeyId) => {
      await client.send(new DeleteAccessKeyCommand({ UserName, AccessKeyId }));
    },
    listUserPolicies: async (UserName) => (await client.send(new ListUserPoliciesCommand({ UserName }))).PolicyNames ?? [],
    deleteUserPolicy: async (UserName, PolicyName) => {
      await client.send(new DeleteUserPolicyCommand({ UserName, PolicyName }));
    },
    deleteUser: async (UserName) => {
      await client.send(new DeleteUserCommand({ UserName }));
    },
  };
}

/** A policy's name from its file: `read-only.json` → `read-only`. */
function policyNameOf(file: string): string {
  return basename(file, extname(file)).replace(/[^\w+=,.@-]/g, '-').slice(0, 128) || 'policy';
}

async function createUser(calls: IamCalls, name: string, policy?: { name: string; document: string }): Promise<object> {
  const user = await calls.createUser(name);
  if (policy) await calls.putUserPolicy(name, policy.name, policy.document);
  const key = await calls.createAccessKey(name);
  return { UserName: user.UserName, Arn: user.Arn, AccessKeyId: key.AccessKeyId, SecretAccessKey: key.SecretAccessKey };
}

/** Deletes the user with its keys and policies (IAM's DeleteUser wants them gone first). */
async function deleteUser(calls: IamCalls, name: string): Promise<void> {
  for (const id of await calls.listAccessKeys(name)) await calls.deleteAccessKey(name, id);
  for (const policy of await calls.listUserPolicies(name)) await calls.deleteUserPolicy(name, policy);
  await calls.deleteUser(name);
}

function isRefused(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string }; name?: string } | null;
  return e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED';
}

/** Runs `use` against the store (no gateway running) or the running gateway's IAM API. */
async function withCalls<T>(cfg: GatewayConfig, use: (calls: IamCalls) => Promise<T>): Promise<T> {
  const dataDir = resolve(cfg.dataDir);
  const given = cfg.accessKeyId && cfg.secretAccessKey ? { accessKeyId: cfg.accessKeyId, secretAccessKey: cfg.secretAccessKey } : undefined;
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  for (let attempt = 0; attempt < 100; attempt++) {
    const lock = await lockDataDir(dataDir).catch((err: unknown) => {
      if (err instanceof DataDirInUseError) return undefined;
      throw err;
    });
    if (lock) {
      const rootKey = await loadRootKey({ rootKey: cfg.rootKey, rootKeyFile: cfg.rootKeyFile, dataDir }, () => undefined).catch(async (err: unknown) => {
        await lock.release();
        throw err;
      });
      let store: IdentityStore | undefined;
      try {
        store = (await IdentityStore.open({ dataDir, rootKey, accountId: cfg.accountId, given })).store;
        return await use(storeCalls(store));
      } finally {
        await store?.close();
        rootKey.fill(0);
        await lock.release();
      }
    }
    const endpoint = await readEndpointFile(dataDir);
    if (endpoint !== undefined) {
      const credentials = given ?? (await storedAdmin(cfg, dataDir));
      // The SDK's notice about its own future Node versions is for this project's
      // maintainers, not for someone managing users: keep the command's output clean.
      process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
      const client = new IAMClient({ endpoint, region: cfg.region, credentials, maxAttempts: 1 });
      let reached = false;
      try {
        return await use(wrapReached(apiCalls(client), () => (reached = true)));
      } catch (err) {
        // The gateway stopped between our look at the lock and the call: try the lock again.
        if (!isRefused(err) || reached) throw err;
      } finally {
        client.destroy();
      }
    }
    await sleep(50);
  }
  throw new DataDirInUseError(`the data directory ${dataDir} is in use, but no gateway answers for it`);
}

/** Marks `reached` once any call got an answer, so a later refused connection is not retried. */
function wrapReached(calls: IamCalls, reached: () => void): IamCalls {
  const wrapped = {} as Record<string, unknown>;
  for (const [name, fn] of Object.entries(calls) as Array<[string, (...args: unknown[]) => Promise<unknown>]>) {
    wrapped[name] = async (...args: unknown[]) => {
      const result = await fn(...args);
      reached();
      return result;
    };
  }
  return wrapped as unknown as IamCalls;
}

/** The admin's stored key, read without writing anything (the gateway owns the files). */
async function storedAdmin(cfg: GatewayConfig, dataDir: string): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  const rootKey = await loadRootKey({ rootKey: cfg.rootKey, rootKeyFile: cfg.rootKeyFile, dataDir }, () => undefined, { mayGenerate: false });
  try {
    const { admin, store } = await IdentityStore.open({ dataDir, rootKey, accountId: cfg.accountId, readOnly: true });
    const key = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
    await store.close();
    return key;
  } finally {
    rootKey.fill(0);
  }
}

export interface UserCommandArgs {
  verb: string;
  name?: string;
  policyFile?: string;
}

/** Splits `user <verb> [name] [--policy file]` from the settings flags that follow. */
export function parseUserArgs(argv: readonly string[]): { args: UserCommandArgs; rest: string[] } {
  const [verb, ...tail] = argv;
  if (verb !== 'create' && verb !== 'list' && verb !== 'delete') throw new ConfigError(`kmsgate user: expected create, list or delete, not '${verb ?? ''}'`);
  const rest: string[] = [];
  const args: UserCommandArgs = { verb };
  for (let i = 0; i < tail.length; i++) {
    const arg = tail[i]!;
    if (arg === '--policy' || arg.startsWith('--policy=')) {
      if (verb !== 'create') throw new ConfigError('--policy belongs to `kmsgate user create`');
      args.policyFile = arg === '--policy' ? tail[++i] : arg.slice('--policy='.length);
      if (!args.policyFile) throw new ConfigError('--policy needs a file');
    } else if (!arg.startsWith('--') && args.name === undefined && verb !== 'list') {
      args.name = arg;
    } else {
      rest.push(arg);
      if (!arg.includes('=') && i + 1 < tail.length && !tail[i + 1]!.startsWith('--')) rest.push(tail[++i]!);
    }
  }
  if (verb !== 'list' && args.name === undefined) throw new ConfigError(`kmsgate user ${verb}: the user name is missing`);
  return { args, rest };
}

/** An IAM refusal, from the store or the gateway, worded the same either way. */
export class UserCommandError extends Error {
  override readonly name = 'UserCommandError';
}

/** Runs the command; returns what to print. */
export async function runUserCommand(args: UserCommandArgs, cfg: GatewayConfig): Promise<string> {
  try {
    return await runVerb(args, cfg);
  } catch (err) {
    if (err instanceof IdentityError) throw new UserCommandError(`${err.code}: ${err.message}`);
    // The SDK's exception names end in "Exception"; `Code` is the IAM code on the wire.
    const sdk = err as { $metadata?: unknown; Code?: string; name?: string; message?: string };
    if (sdk && typeof sdk === 'object' && sdk.$metadata !== undefined) throw new UserCommandError(`${sdk.Code ?? sdk.name}: ${sdk.message}`);
    throw err;
  }
}

async function runVerb(args: UserCommandArgs, cfg: GatewayConfig): Promise<string> {
  if (args.verb === 'create') {
    let policy: { name: string; document: string } | undefined;
    if (args.policyFile !== undefined) {
      const document = await readFile(args.policyFile, 'utf8');
      // Refused before anything is created: no user is left half made by a bad file.
      validateIdentityPolicy(document);
      policy = { name: policyNameOf(args.policyFile), document };
    }
    return JSON.stringify(await withCalls(cfg, (calls) => createUser(calls, args.name!, policy)), null, 2) + '\n';
  }
  if (args.verb === 'list') {
    const users = await withCalls(cfg, (calls) => calls.listUsers());
    return JSON.stringify(users.map((u) => ({ ...u, CreateDate: u.CreateDate.toISOString() })), null, 2) + '\n';
  }
  await withCalls(cfg, (calls) => deleteUser(calls, args.name!));
  return '';
}
