// Work AWS KMS does on its own schedule: deleting keys whose waiting period has passed (with
// their aliases and every material version), automatic rotations (customer keys with rotation
// on; AWS managed keys yearly), and the expiry of imported material (the key becomes
// PendingImport). All of it is judged against the injected clock, and runs
//   - lazily, before every public operation, so no call ever sees a state that is overdue, and
//   - from a timer (KmsCoreOptions.scheduleIntervalMs), so it also happens on an idle KMS.
// The hot path pays one clock read and one comparison: the earliest due time is cached until
// the keystore changes.

import type { CoreContext } from './core-context.js';
import { rotateMaterial, rotationSchedule } from './rotation.js';
import { sealBinding } from './records.js';
import type { KeyRecord, KeystoreDocument } from './records.js';
import type { ServiceEvent } from './audit/record.js';

/** Where the service events of a run go (the audit trail). */
export type ServiceEventSink = (events: Omit<ServiceEvent, 'at'>[]) => Promise<void>;

interface Due {
  deletion?: number;
  rotation?: number;
  expiry?: number;
}

function dueTimes(key: KeyRecord): Due {
  const due: Due = {};
  if (key.state === 'PendingDeletion' && key.deletionDate !== undefined) due.deletion = Date.parse(key.deletionDate);
  const schedule = key.state === 'Enabled' ? rotationSchedule(key) : undefined;
  if (schedule) due.rotation = schedule.nextRotationAt.getTime();
  for (const m of key.materials) {
    if (m.sealed !== undefined && m.imported?.validTo !== undefined) {
      due.expiry = Math.min(due.expiry ?? Infinity, Date.parse(m.imported.validTo));
    }
  }
  return due;
}

function earliest(due: Due): number {
  return Math.min(due.deletion ?? Infinity, due.rotation ?? Infinity, due.expiry ?? Infinity);
}

interface Applied {
  /** What the material cache must forget. */
  forget: { binding: string; version?: number }[];
  events: Omit<ServiceEvent, 'at'>[];
}

/** Applies everything due at `now` to `doc`. */
function applyDue(ctx: CoreContext, doc: KeystoreDocument, now: number): Applied {
  const forget: Applied['forget'] = [];
  const events: Applied['events'] = [];
  for (const key of Object.values(doc.keys)) {
    const due = dueTimes(key);
    if (due.deletion !== undefined && due.deletion <= now) {
      delete doc.keys[key.keyId];
      for (const alias of Object.values(doc.aliases)) {
        if (alias.targetKeyId === key.keyId) delete doc.aliases[alias.aliasName];
      }
      forget.push({ binding: sealBinding(key) });
      events.push({ eventName: 'DeleteKey', keyArn: key.arn });
      continue;
    }
    if (due.expiry !== undefined && due.expiry <= now) {
      for (const m of key.materials) {
        if (m.sealed !== undefined && m.imported?.validTo !== undefined && Date.parse(m.imported.validTo) <= now) {
          delete m.sealed;
          forget.push({ binding: sealBinding(key), version: m.version });
        }
      }
      if (key.state !== 'PendingDeletion') key.state = 'PendingImport';
      events.push({ eventName: 'DeleteExpiredKeyMaterial', keyArn: key.arn });
    }
    if (due.rotation !== undefined && due.rotation <= now && key.state === 'Enabled') {
      rotateMaterial(ctx, key, 'AUTOMATIC');
      events.push({ eventName: 'RotateKey', keyArn: key.arn });
    }
  }
  return { forget, events };
}

export class Scheduler {
  readonly #ctx: CoreContext;
  readonly #record: ServiceEventSink;
  #generation = -1;
  #dueAt = -Infinity;
  #running: Promise<void> | null = null;

  constructor(ctx: CoreContext, record: ServiceEventSink) {
    this.#ctx = ctx;
    this.#record = record;
  }

  /** False only when nothing can be due yet (the check of every call). */
  mayBeDue(): boolean {
    return this.#generation !== this.#ctx.store.generation || this.#ctx.nowMs() >= this.#dueAt;
  }

  /** Runs whatever is due; resolves at once when nothing is. */
  runDue(): Promise<void> {
    if (!this.mayBeDue()) return Promise.resolve();
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<void> {
    for (;;) {
      const generation = this.#ctx.store.generation;
      const dueAt = Math.min(Infinity, ...this.#ctx.store.keys().map((k) => earliest(dueTimes(k))));
      const now = this.#ctx.now().getTime();
      if (now < dueAt) {
        this.#generation = generation;
        this.#dueAt = dueAt;
        return;
      }
      const { forget, events } = await this.#ctx.store.mutate((doc) => applyDue(this.#ctx, doc, now));
      for (const f of forget) this.#ctx.store.forgetMaterial(f.binding, f.version);
      await this.#record(events);
    }
  }
}
