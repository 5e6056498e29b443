// The embedded KMS: typed AWS-shaped operations over one keystore, plus the owned-key pair
// for SSE-S3 and the JSON protocol entry point. Each operation lives in its own module; this
// class holds the context, runs scheduled work (scheduler.ts) before every public operation and
// on a timer, and closes.

import { AuditTrail } from './audit/trail.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.js';
import type { CoreContext } from './core-context.js';
import { decrypt, encrypt, generateDataKey, generateDataKeyWithoutPlaintext, generateRandom, reEncrypt } from './crypto-ops.js';
import { KmsError } from './errors.js';
import { deleteImportedKeyMaterial, getParametersForImport, importKeyMaterial } from './import.js';
import { createGrant, listGrants, listRetirableGrants, retireGrant, revokeGrant } from './grants.js';
import { dispatchJson } from './json-api.js';
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from './key-policies.js';
import { Keystore } from './keystore.js';
import {
  cancelKeyDeletion,
  createKey,
  describeKey,
  disableKey,
  enableKey,
  listKeys,
  scheduleKeyDeletion,
  updateKeyDescription,
} from './lifecycle.js';
import { decryptOwned, generateOwnedDataKey } from './owned.js';
import { RandomPool } from './random-pool.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from './rotation.js';
import { Scheduler } from './scheduler.js';
import { listResourceTags, tagResource, untagResource } from './tags.js';
import type {
  Caller,
  CreateAliasInput,
  CreateGrantInput,
  GetKeyPolicyInput,
  ListGrantsInput,
  ListGrantsOutput,
  ListKeyPoliciesOutput,
  ListRetirableGrantsInput,
  PutKeyPolicyInput,
  RetireGrantInput,
  RevokeGrantInput,
  CreateKeyInput,
  DecryptInput,
  DecryptOutput,
  DeleteAliasInput,
  EnableKeyRotationInput,
  EncryptInput,
  EncryptOutput,
  GenerateDataKeyInput,
  GenerateDataKeyOutput,
  GenerateDataKeyWithoutPlaintextOutput,
  GenerateRandomInput,
  GetKeyRotationStatusOutput,
  GetParametersForImportInput,
  GetParametersForImportOutput,
  ImportKeyMaterialInput,
  KeyIdAndMaterialOutput,
  KeyIdInput,
  KeyMetadata,
  KmsCoreOptions,
  ListAliasesInput,
  ListAliasesOutput,
  ListInput,
  ListKeyRotationsInput,
  ListKeyRotationsOutput,
  ListKeysOutput,
  ListResourceTagsInput,
  ListResourceTagsOutput,
  ReEncryptInput,
  ReEncryptOutput,
  ScheduleKeyDeletionInput,
  ScheduleKeyDeletionOutput,
  TagResourceInput,
  UntagResourceInput,
  UpdateAliasInput,
  UpdateKeyDescriptionInput,
} from './types.js';

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const ACCOUNT_PATTERN = /^\d{12}$/;
const DEFAULT_SCHEDULE_INTERVAL_MS = 60_000;

export class KmsCore {
  readonly region: string;
  readonly accountId: string;
  readonly #ctx: CoreContext;
  readonly #scheduler: Scheduler;
  readonly #audit: AuditTrail;
  readonly #timer: NodeJS.Timeout | undefined;

  private constructor(ctx: CoreContext, audit: AuditTrail, scheduleIntervalMs: number) {
    this.#ctx = ctx;
    this.region = ctx.scope.region;
    this.accountId = ctx.scope.accountId;
    this.#audit = audit;
    this.#scheduler = new Scheduler(ctx, (events) => audit.service(events));
    if (scheduleIntervalMs > 0) {
      // Failures here (a full disk, say) are not lost: the next call runs the same work and reports them.
      this.#timer = setInterval(() => this.#scheduler.runDue().catch(() => undefined), scheduleIntervalMs);
      this.#timer.unref();
    }
  }

  static async open(opts: KmsCoreOptions): Promise<KmsCore> {
    if (!REGION_PATTERN.test(opts.region)) throw new KmsError('KMSInternalException', `Invalid region '${opts.region}'`);
    if (!ACCOUNT_PATTERN.test(opts.accountId)) throw new KmsError('KMSInternalException', 'The account id must be 12 digits.');
    const injected = opts.now;
    const now = injected ?? (() => new Date());
    const nowMs = injected ? () => injected().getTime() : Date.now;
    const store = await Keystore.open({ path: opts.keystorePath, rootKey: opts.rootKey, now });
    const ctx = { store, scope: { region: opts.region, accountId: opts.accountId }, now, nowMs, random: new RandomPool() };
    const audit = await AuditTrail.open(ctx, opts.auditPath, opts.audit);
    return new KmsCore(ctx, audit, opts.scheduleIntervalMs ?? DEFAULT_SCHEDULE_INTERVAL_MS);
  }

  /** Every public operation: scheduled work first, then the call, recorded in the audit trail. */
  #public<T>(eventName: string, input: unknown, caller: Caller, run: (ctx: CoreContext) => Promise<T> | T): Promise<T> {
    // `async` on the callback turns a synchronous throw into a rejection; nothing else here is
    // async unless work is due, so the hot path has one promise layer fewer.
    const call = (): Promise<T> => this.#audit.call(eventName, input, caller, async () => run(this.#ctx));
    return this.#scheduler.mayBeDue() ? this.#scheduler.runDue().then(call) : call();
  }

  /**
   * Records a call refused before it reached an operation (a malformed request, a caller the
   * gateway turned away); a refusal the operation itself recorded is not written twice.
   */
  recordRefused(eventName: string, input: unknown, caller: Caller, err: unknown): Promise<void> {
    return this.#audit.refused(eventName, input, caller, err);
  }

  /** Runs now whatever the schedule says is due (what the timer does); for tests and operators. */
  runScheduledWork(): Promise<void> {
    return this.#scheduler.runDue();
  }

  createKey(input: CreateKeyInput, caller: Caller): Promise<{ KeyMetadata: KeyMetadata }> {
    return this.#public('CreateKey', input, caller, (ctx) => createKey(ctx, input, caller));
  }

  describeKey(input: KeyIdInput, caller: Caller): Promise<{ KeyMetadata: KeyMetadata }> {
    return this.#public('DescribeKey', input, caller, (ctx) => describeKey(ctx, input, caller));
  }

  listKeys(input: ListInput, caller: Caller): Promise<ListKeysOutput> {
    return this.#public('ListKeys', input, caller, (ctx) => listKeys(ctx, input, caller));
  }

  updateKeyDescription(input: UpdateKeyDescriptionInput, caller: Caller): Promise<void> {
    return this.#public('UpdateKeyDescription', input, caller, (ctx) => updateKeyDescription(ctx, input, caller));
  }

  enableKey(input: KeyIdInput, caller: Caller): Promise<void> {
    return this.#public('EnableKey', input, caller, (ctx) => enableKey(ctx, input, caller));
  }

  disableKey(input: KeyIdInput, caller: Caller): Promise<void> {
    return this.#public('DisableKey', input, caller, (ctx) => disableKey(ctx, input, caller));
  }

  scheduleKeyDeletion(input: ScheduleKeyDeletionInput, caller: Caller): Promise<ScheduleKeyDeletionOutput> {
    return this.#public('ScheduleKeyDeletion', input, caller, (ctx) => scheduleKeyDeletion(ctx, input, caller));
  }

  cancelKeyDeletion(input: KeyIdInput, caller: Caller): Promise<{ KeyId: string }> {
    return this.#public('CancelKeyDeletion', input, caller, (ctx) => cancelKeyDeletion(ctx, input, caller));
  }

  createAlias(input: CreateAliasInput, caller: Caller): Promise<void> {
    return this.#public('CreateAlias', input, caller, (ctx) => createAlias(ctx, input, caller));
  }

  updateAlias(input: UpdateAliasInput, caller: Caller): Promise<void> {
    return this.#public('UpdateAlias', input, caller, (ctx) => updateAlias(ctx, input, caller));
  }

  deleteAlias(input: DeleteAliasInput, caller: Caller): Promise<void> {
    return this.#public('DeleteAlias', input, caller, (ctx) => deleteAlias(ctx, input, caller));
  }

  listAliases(input: ListAliasesInput, caller: Caller): Promise<ListAliasesOutput> {
    return this.#public('ListAliases', input, caller, (ctx) => listAliases(ctx, input, caller));
  }

  enableKeyRotation(input: EnableKeyRotationInput, caller: Caller): Promise<void> {
    return this.#public('EnableKeyRotation', input, caller, (ctx) => enableKeyRotation(ctx, input, caller));
  }

  disableKeyRotation(input: KeyIdInput, caller: Caller): Promise<void> {
    return this.#public('DisableKeyRotation', input, caller, (ctx) => disableKeyRotation(ctx, input, caller));
  }

  getKeyRotationStatus(input: KeyIdInput, caller: Caller): Promise<GetKeyRotationStatusOutput> {
    return this.#public('GetKeyRotationStatus', input, caller, (ctx) => getKeyRotationStatus(ctx, input, caller));
  }

  rotateKeyOnDemand(input: KeyIdInput, caller: Caller): Promise<{ KeyId: string }> {
    return this.#public('RotateKeyOnDemand', input, caller, (ctx) => rotateKeyOnDemand(ctx, input, caller));
  }

  listKeyRotations(input: ListKeyRotationsInput, caller: Caller): Promise<ListKeyRotationsOutput> {
    return this.#public('ListKeyRotations', input, caller, (ctx) => listKeyRotations(ctx, input, caller));
  }

  getParametersForImport(input: GetParametersForImportInput, caller: Caller): Promise<GetParametersForImportOutput> {
    return this.#public('GetParametersForImport', input, caller, (ctx) => getParametersForImport(ctx, input, caller));
  }

  importKeyMaterial(input: ImportKeyMaterialInput, caller: Caller): Promise<KeyIdAndMaterialOutput> {
    return this.#public('ImportKeyMaterial', input, caller, (ctx) => importKeyMaterial(ctx, input, caller));
  }

  deleteImportedKeyMaterial(input: KeyIdInput, caller: Caller): Promise<KeyIdAndMaterialOutput> {
    return this.#public('DeleteImportedKeyMaterial', input, caller, (ctx) => deleteImportedKeyMaterial(ctx, input, caller));
  }

  tagResource(input: TagResourceInput, caller: Caller): Promise<void> {
    return this.#public('TagResource', input, caller, (ctx) => tagResource(ctx, input, caller));
  }

  untagResource(input: UntagResourceInput, caller: Caller): Promise<void> {
    return this.#public('UntagResource', input, caller, (ctx) => untagResource(ctx, input, caller));
  }

  listResourceTags(input: ListResourceTagsInput, caller: Caller): Promise<ListResourceTagsOutput> {
    return this.#public('ListResourceTags', input, caller, (ctx) => listResourceTags(ctx, input, caller));
  }

  putKeyPolicy(input: PutKeyPolicyInput, caller: Caller): Promise<void> {
    return this.#public('PutKeyPolicy', input, caller, (ctx) => putKeyPolicy(ctx, input, caller));
  }

  getKeyPolicy(input: GetKeyPolicyInput, caller: Caller): Promise<{ Policy: string; PolicyName: string }> {
    return this.#public('GetKeyPolicy', input, caller, (ctx) => getKeyPolicy(ctx, input, caller));
  }

  listKeyPolicies(input: KeyIdInput & ListInput, caller: Caller): Promise<ListKeyPoliciesOutput> {
    return this.#public('ListKeyPolicies', input, caller, (ctx) => listKeyPolicies(ctx, input, caller));
  }

  createGrant(input: CreateGrantInput, caller: Caller): Promise<{ GrantToken: string; GrantId: string }> {
    return this.#public('CreateGrant', input, caller, (ctx) => createGrant(ctx, input, caller));
  }

  listGrants(input: ListGrantsInput, caller: Caller): Promise<ListGrantsOutput> {
    return this.#public('ListGrants', input, caller, (ctx) => listGrants(ctx, input, caller));
  }

  listRetirableGrants(input: ListRetirableGrantsInput, caller: Caller): Promise<ListGrantsOutput> {
    return this.#public('ListRetirableGrants', input, caller, (ctx) => listRetirableGrants(ctx, input, caller));
  }

  retireGrant(input: RetireGrantInput, caller: Caller): Promise<void> {
    return this.#public('RetireGrant', input, caller, (ctx) => retireGrant(ctx, input, caller));
  }

  revokeGrant(input: RevokeGrantInput, caller: Caller): Promise<void> {
    return this.#public('RevokeGrant', input, caller, (ctx) => revokeGrant(ctx, input, caller));
  }

  encrypt(input: EncryptInput, caller: Caller): Promise<EncryptOutput> {
    return this.#public('Encrypt', input, caller, (ctx) => encrypt(ctx, input, caller));
  }

  decrypt(input: DecryptInput, caller: Caller): Promise<DecryptOutput> {
    return this.#public('Decrypt', input, caller, (ctx) => decrypt(ctx, input, caller));
  }

  reEncrypt(input: ReEncryptInput, caller: Caller): Promise<ReEncryptOutput> {
    return this.#public('ReEncrypt', input, caller, (ctx) => reEncrypt(ctx, input, caller));
  }

  generateDataKey(input: GenerateDataKeyInput, caller: Caller): Promise<GenerateDataKeyOutput> {
    return this.#public('GenerateDataKey', input, caller, (ctx) => generateDataKey(ctx, input, caller));
  }

  generateDataKeyWithoutPlaintext(input: GenerateDataKeyInput, caller: Caller): Promise<GenerateDataKeyWithoutPlaintextOutput> {
    return this.#public('GenerateDataKeyWithoutPlaintext', input, caller, (ctx) => generateDataKeyWithoutPlaintext(ctx, input, caller));
  }

  generateRandom(input: GenerateRandomInput, caller: Caller): Promise<{ Plaintext: Buffer }> {
    return this.#public('GenerateRandom', input, caller, (ctx) => generateRandom(ctx, input, caller));
  }

  /**
   * A 32-byte data key under the AWS owned key for `purpose` (SSE-S3); the caller zeroes `plaintext`.
   * Not audited: an AWS owned key belongs to the service, not to the account, so AWS KMS writes
   * no record of its use to the account's trail (S3's own events show SSE-S3), and no KMS API
   * call can name it. The owned pair therefore bypasses the recording seam on purpose.
   */
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

  /** Stops the timer, waits for pending keystore writes, then zeroes every key held in memory. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#ctx.store.close();
    await this.#audit.close();
    this.#ctx.random.close();
  }
}
