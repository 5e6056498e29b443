/**
 * What every step of the demo works with: the gateway, the people and their clients, where the
 * disk and the audit trail can be read (if they can), and what earlier steps made.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DataKeyEvent, DataKeyObserver } from '../sse/data-key-observer.js';
import type { Actor, Gatewayside } from './actors.js';
import type { AuditReader } from './audit-trail.js';
import type { StepReport } from './narrate.js';

export interface Document {
  key: string;
  body: Buffer;
}

export interface DemoRun {
  gw: Gatewayside;
  /** The data directory, when known: disk readings and the stolen-copy step need it. */
  dataDir: string | undefined;
  /** Whether the gateway runs in this process (and so can be watched wiping data keys). */
  embedded: boolean;
  admin: { s3: S3Client; kms: KMSClient; iam: IAMClient };
  bob: Actor;
  alice: Actor;
  bucket: string;
  audit: AuditReader;
  dataKeys: ObservedDataKeys;
  /** Bob's key, made by step 1. */
  key: { id: string; arn: string };
  /** The documents Bob stored, by the step that stored them. */
  documents: Document[];
}

export type Step = (run: DemoRun) => Promise<StepReport>;

/** The observer an embedded gateway reports to: what it said, per object. */
export class ObservedDataKeys implements DataKeyObserver {
  readonly events: Array<{ kind: 'generated' | 'wiped'; bucket: string; key: string; fingerprint: string; zeroed?: boolean; length?: number }> = [];

  generated(e: DataKeyEvent): void {
    this.events.push({ kind: 'generated', bucket: e.bucket, key: e.key, fingerprint: e.fingerprint });
  }

  wiped(e: DataKeyEvent & { zeroed: boolean; length: number }): void {
    this.events.push({ kind: 'wiped', bucket: e.bucket, key: e.key, fingerprint: e.fingerprint, zeroed: e.zeroed, length: e.length });
  }

  /** The last write of bucket/key as observed, or null if none was (a gateway in another process). */
  of(bucket: string, key: string): { fingerprint: string; wipedToZeros: boolean; length: number } | null {
    const mine = this.events.filter((e) => e.bucket === bucket && e.key === key);
    const wiped = mine.filter((e) => e.kind === 'wiped').at(-1);
    if (!wiped) return null;
    return { fingerprint: wiped.fingerprint, wipedToZeros: wiped.zeroed === true, length: wiped.length ?? 0 };
  }
}
