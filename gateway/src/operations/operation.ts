/**
 * What an S3 operation module receives and returns. Operations return data; app.ts writes it.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { KmsCore, Caller } from '@kmsgate/kms-core';
import type { ObjectStore } from '@kmsgate/storage';
import { requireSigV4ForKms, type VerifiedAuth } from '../auth/index.js';
import type { Logger } from '../http/logger.js';
import type { Principal } from '../identity/identity.js';
import type { S3Access } from '../s3/authorize.js';
import type { XmlObject } from '../http/xml.js';
import type { ObjectIo } from '../sse/object-io.js';
import type { DataKeyObserver } from '../sse/data-key-observer.js';
import { viaS3 } from '../kms/caller.js';

export interface GatewayDeps {
  kms: KmsCore;
  store: ObjectStore;
  region: string;
  accountId: string;
  /** Set only by startGateway's `dataKeyObserver` option (the demo). */
  dataKeyObserver?: DataKeyObserver;
}

export interface OperationContext {
  requestId: string;
  principal: Principal;
  /** The principal as kms-core sees it. */
  caller: Caller;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  /** The raw request, for operations that stream a body. */
  req: IncomingMessage;
  auth: VerifiedAuth;
  /** The caller's rights, for what an operation touches beyond its route's resource (a copy source, each key of a multi-delete). */
  access: S3Access;
  deps: GatewayDeps;
  log: Logger;
}

export interface OperationResult {
  status: number;
  headers?: Record<string, string>;
  /** An XML document: root element name and body. */
  xml?: { root: string; body: XmlObject };
  /**
   * A streamed body. The operation has already authenticated what it can before returning,
   * so the status line may be sent; a later stream error destroys the connection.
   */
  stream?: Readable;
  /** A body held whole (a small object's authenticated plaintext), sent as it is. */
  body?: Buffer;
}

export type Operation = (ctx: OperationContext) => Promise<OperationResult>;


/** What the shared object read and write paths (sse/object-reader.ts, object-writer.ts) take from a request. */
export function objectIo(ctx: OperationContext): ObjectIo {
  return { kms: ctx.deps.kms, store: ctx.deps.store, caller: viaS3(ctx.caller, ctx.deps.kms.region), assertMayUseKms: () => requireSigV4ForKms(ctx.auth), dataKeyObserver: ctx.deps.dataKeyObserver };
}
