// The audit trail as kms-core uses it: one call per public operation (answered or refused) and
// one per service event, each awaited so that a call answers only once its record is on disk.
// Without a path (in-memory KMS for tests and benches) records go nowhere.

import { parseBlob } from '../blob.js';
import type { CoreContext } from '../core-context.js';
import { KmsError } from '../errors.js';
import { keyArn, parseKeyRef } from '../key-id.js';
import type { Caller } from '../types.js';
import { apiCallRecord, serviceEventRecord } from './record.js';
import type { ServiceEvent } from './record.js';
import { AuditWriter } from './writer.js';
import type { AuditWriterOptions } from './writer.js';

const KEY_ARN = /^arn:aws[a-zA-Z-]*:kms:[^:]*:\d{12}:key\/.+$/;
const KEY_INPUTS = ['KeyId', 'TargetKeyId', 'SourceKeyId', 'DestinationKeyId'];
const KEY_OUTPUTS = ['SourceKeyId', 'KeyId'];

function member(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, name) ? (value as Record<string, unknown>)[name] : undefined;
}

export class AuditTrail {
  readonly #writer: AuditWriter | null;
  readonly #ctx: CoreContext;
  /** Refusals already written, so an outer layer that sees the same error does not log it again. */
  readonly #recorded = new WeakSet<object>();

  private constructor(ctx: CoreContext, writer: AuditWriter | null) {
    this.#ctx = ctx;
    this.#writer = writer;
  }

  static async open(ctx: CoreContext, path: string | null | undefined, opts: AuditWriterOptions = {}): Promise<AuditTrail> {
    return new AuditTrail(ctx, path ? await AuditWriter.open(path, opts) : null);
  }

  /** Runs `run` and records it, answered or refused; the record is durable before the answer. */
  call<T>(eventName: string, input: unknown, caller: Caller, run: () => Promise<T>): Promise<T> {
    // Without a trail the call is the operation itself: no further async layer on the hot path.
    return this.#writer ? this.#callRecorded(eventName, input, caller, run, this.#writer) : run();
  }

  async #callRecorded<T>(eventName: string, input: unknown, caller: Caller, run: () => Promise<T>, writer: AuditWriter): Promise<T> {
    let output: T;
    try {
      output = await run();
    } catch (err) {
      await this.refused(eventName, input, caller, err);
      throw err;
    }
    await writer.append(
      apiCallRecord(this.#ctx.scope, { eventName, caller, input, output, keyArns: this.#keyArns(input, output), at: this.#ctx.now() }),
    );
    return output;
  }

  /** Records a call refused before (or while) it ran. Internal errors keep their text out. */
  async refused(eventName: string, input: unknown, caller: Caller, err: unknown): Promise<void> {
    if (!this.#writer) return;
    if (typeof err === 'object' && err !== null) {
      if (this.#recorded.has(err)) return;
      this.#recorded.add(err);
    }
    const error = err instanceof KmsError ? { code: err.type, message: err.message } : errorOf(err);
    await this.#writer.append(apiCallRecord(this.#ctx.scope, { eventName, caller, input, error, keyArns: this.#keyArns(input, undefined), at: this.#ctx.now() }));
  }

  async service(events: Omit<ServiceEvent, 'at'>[]): Promise<void> {
    if (!this.#writer) return;
    const at = this.#ctx.now();
    await Promise.all(events.map((e) => this.#writer!.append(serviceEventRecord(this.#ctx.scope, { ...e, at }))));
  }

  close(): Promise<void> {
    return this.#writer?.close() ?? Promise.resolve();
  }

  /** The key ARNs a call touched: from its answer when it has one, else resolved from its input. */
  #keyArns(input: unknown, output: unknown): string[] {
    const arns = new Set<string>();
    const metadataArn = member(member(output, 'KeyMetadata'), 'Arn');
    for (const v of [metadataArn, ...KEY_OUTPUTS.map((m) => member(output, m))]) if (typeof v === 'string' && KEY_ARN.test(v)) arns.add(v);
    if (arns.size > 0) return [...arns];
    for (const name of KEY_INPUTS) {
      const v = member(input, name);
      const arn = typeof v === 'string' ? this.#resolve(v) : undefined;
      if (arn) arns.add(arn);
    }
    const blob = member(input, 'CiphertextBlob');
    if (arns.size === 0 && Buffer.isBuffer(blob)) {
      try {
        arns.add(keyArn(this.#ctx.scope, parseBlob(blob).keyUuid));
      } catch {
        // Not a blob of ours: the record names no key, as CloudTrail's does for such a call.
      }
    }
    return [...arns];
  }

  #resolve(value: string): string | undefined {
    try {
      const ref = parseKeyRef(value, this.#ctx.scope, { allowAlias: true });
      if (ref.kind === 'key') return ref.arn;
      const target = ref.accountId === this.#ctx.scope.accountId ? this.#ctx.store.alias(ref.aliasName)?.targetKeyId : undefined;
      return target ? keyArn(this.#ctx.scope, target) : undefined;
    } catch {
      return undefined;
    }
  }
}

function errorOf(err: unknown): { code: string; message: string } {
  const type = member(err, 'type');
  if (typeof type === 'string' && err instanceof Error) return { code: type, message: err.message };
  return { code: 'KMSInternalException', message: 'An internal error occurred.' };
}
