// The embedded KMS: typed AWS-shaped operations over one keystore, plus the owned-key pair
// for SSE-S3 and the JSON protocol entry point. Each method lives in its own module; this class
// holds the context, applies lazy key deletion before every public operation, and closes.

import { createAlias, listAliases } from './aliases.js';
import type { CoreContext } from './core-context.js';
import { decrypt, encrypt, generateDataKey } from './crypto-ops.js';
import { KmsError } from './errors.js';
import { dispatchJson } from './json-api.js';
import { Keystore } from './keystore.js';
import { cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion } from './lifecycle.js';
import { decryptOwned, generateOwnedDataKey } from './owned.js';
import { sweepExpiredKeys } from './resolve.js';
import type {
  Caller,
  CreateAliasInput,
  CreateKeyInput,
  DecryptInput,
  DecryptOutput,
  EncryptInput,
  EncryptOutput,
  GenerateDataKeyInput,
  GenerateDataKeyOutput,
  KeyIdInput,
  KeyMetadata,
  KmsCoreOptions,
  ListAliasesInput,
  ListAliasesOutput,
  ListInput,
  ListKeysOutput,
  ScheduleKeyDeletionInput,
  ScheduleKeyDeletionOutput,
} from './types.js';

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_PATTERN = /^\d{12}$/;

export class KmsCore {
  readonly region: string;
  readonly accountId: string;
  readonly #ctx: CoreContext;

  private constructor(ctx: CoreContext) {
    this.#ctx = ctx;
    this.region = ctx.scope.region;
    this.accountId = ctx.scope.accountId;
  }

  static async open(opts: KmsCoreOptions): Promise<KmsCore> {
    if (!REGION_PATTERN.test(opts.region)) throw new KmsError('KMSInternalException', `Invalid region '${opts.region}'`);
    if (!ACCOUNT_PATTERN.test(opts.accountId)) throw new KmsError('KMSInternalException', 'The account id must be 12 digits.');
    const now = opts.now ?? (() => new Date());
    const store = await Keystore.open({ path: opts.keystorePath, rootKey: opts.rootKey, now });
    return new KmsCore({ store, scope: { region: opts.region, accountId: opts.accountId }, now });
  }

  async #public<T>(run: (ctx: CoreContext) => Promise<T>): Promise<T> {
    await sweepExpiredKeys(this.#ctx);
    return run(this.#ctx);
  }

  createKey(input: CreateKeyInput, caller: Caller): Promise<{ KeyMetadata: KeyMetadata }> {
    return this.#public((ctx) => createKey(ctx, input, caller));
  }

  describeKey(input: KeyIdInput, caller: Caller): Promise<{ KeyMetadata: KeyMetadata }> {
    return this.#public((ctx) => describeKey(ctx, input, caller));
  }

  listKeys(input: ListInput, caller: Caller): Promise<ListKeysOutput> {
    return this.#public((ctx) => listKeys(ctx, input, caller));
  }

  enableKey(input: KeyIdInput, caller: Caller): Promise<void> {
    return this.#public((ctx) => enableKey(ctx, input, caller));
  }

  disableKey(input: KeyIdInput, caller: Caller): Promise<void> {
    return this.#public((ctx) => disableKey(ctx, input, caller));
  }

  scheduleKeyDeletion(input: ScheduleKeyDeletionInput, caller: Caller): Promise<ScheduleKeyDeletionOutput> {
    return this.#public((ctx) => scheduleKeyDeletion(ctx, input, caller));
  }

  cancelKeyDeletion(input: KeyIdInput, caller: Caller): Promise<{ KeyId: string }> {
    return this.#public((ctx) => cancelKeyDeletion(ctx, input, caller));
  }

  createAlias(input: CreateAliasInput, caller: Caller): Promise<void> {
    return this.#public((ctx) => createAlias(ctx, input, caller));
  }

  listAliases(input: ListAliasesInput, caller: Caller): Promise<ListAliasesOutput> {
    return this.#public((ctx) => listAliases(ctx, input, caller));
  }

  encrypt(input: EncryptInput, caller: Caller): Promise<EncryptOutput> {
    return this.#public((ctx) => encrypt(ctx, input, caller));
  }

  decrypt(input: DecryptInput, caller: Caller): Promise<DecryptOutput> {
    return this.#public((ctx) => decrypt(ctx, input, caller));
  }

  generateDataKey(input: GenerateDataKeyInput, caller: Caller): Promise<GenerateDataKeyOutput> {
    return this.#public((ctx) => generateDataKey(ctx, input, caller));
  }

  /** A 32-byte data key under the AWS owned key for `purpose` (SSE-S3); the caller zeroes `plaintext`. */
  generateOwnedDataKey(purpose: string, encryptionContext: Record<string, string>): Promise<{ plaintext: Buffer; ciphertextBlob: Buffer }> {
    return generateOwnedDataKey(this.#ctx, purpose, encryptionContext);
  }

  decryptOwned(purpose: string, ciphertextBlob: Buffer, encryptionContext: Record<string, string>): Promise<Buffer> {
    return decryptOwned(this.#ctx, purpose, ciphertextBlob, encryptionContext);
  }

  /** The KMS JSON protocol without HTTP: `op` is the name after "TrentService.". */
  dispatchJson(op: string, input: unknown, caller: Caller): Promise<Record<string, unknown>> {
    return dispatchJson(this, op, input, caller);
  }

  /** Waits for pending keystore writes, then zeroes every key held in memory. */
  close(): Promise<void> {
    return this.#ctx.store.close();
  }
}
