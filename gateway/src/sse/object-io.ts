/**
 * What the shared read and write paths need of a request: the two backends, the caller the
 * KMS calls run as (Decrypt on read, GenerateDataKey on write), and the request's own rule on
 * touching SSE-KMS data. operations/operation.ts builds it from an operation's context.
 */
import type { Caller, KmsCore } from '@kmsgate/kms-core';
import type { ObjectStore } from '@kmsgate/storage';
import type { DataKeyObserver } from './data-key-observer.js';

export interface ObjectIo {
  readonly kms: KmsCore;
  readonly store: ObjectStore;
  /** Who asks: the KMS calls run as this caller. */
  readonly caller: Caller;
  /** Refuses SSE-KMS data to a request that may not use the KMS (SigV2, as S3 refuses it). */
  readonly assertMayUseKms: () => void;
  /** The demo's window on the write's data key (fingerprints only); absent in a server. */
  readonly dataKeyObserver?: DataKeyObserver;
}
