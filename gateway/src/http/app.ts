/**
 * The Express application. The request lifecycle (see LIFECYCLE.md) reads top to bottom:
 * request id → KMS JSON API or S3 → target → SigV4 → route → operation → response,
 * and every failure leaves through toS3Error() and one error writer.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import { verifySigV4 } from '../auth/index.js';
import type { AuthContext } from '../auth/index.js';
import { S3Error } from './errors.js';
import { toS3Error } from './error-map.js';
import type { IdentityStore } from '../identity/identity.js';
import { handleKmsRequest, isKmsRequest } from '../kms/kms-api.js';
import type { Logger } from './logger.js';
import type { GatewayDeps, OperationResult } from '../operations/operation.js';
import { commonHeaders, sendS3Error, sendXml } from './respond.js';
import { route } from './router.js';
import { parseS3Target } from '../s3/s3-path.js';

export interface AppOptions {
  deps: GatewayDeps;
  identity: IdentityStore;
  log: Logger;
  now?: () => Date;
}

function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

export function createApp(opts: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  // Never a body parser: object bodies are streamed straight into the encryptor.
  app.use((req, res) => {
    void handleRequest(req, res, opts);
  });
  return app;
}

function authContext(opts: AppOptions): AuthContext {
  return {
    now: (opts.now ?? (() => new Date()))(),
    region: opts.deps.region,
    lookup: (id) => {
      const key = opts.identity.lookup(id);
      return key && { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
  };
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, opts: AppOptions): Promise<void> {
  const requestId = newRequestId();
  const hostId = randomBytes(24).toString('base64');
  const log = opts.log.child({ requestId });
  commonHeaders(res, requestId, hostId);
  const method = req.method ?? 'GET';
  // Whole URL and headers, for debugging clients; the logger redacts signatures and secrets.
  log.debug('request received', { method, url: req.url, headers: req.headers });
  if (isKmsRequest(req)) {
    await handleKmsRequest(req, res, { requestId, deps: opts.deps, identity: opts.identity, authContext: authContext(opts), log });
    return;
  }
  let operationName = 'unknown';
  const started = performance.now();
  try {
    const target = parseS3Target(req.url ?? '/');
    // headersDistinct: SigV4 joins repeated headers with ',' where Node's req.headers uses ', '.
    const auth = verifySigV4({ method, rawPath: target.rawPath, rawQuery: target.rawQuery, headers: req.headersDistinct }, authContext(opts), { service: 's3' });
    if (!auth) throw new S3Error('AccessDenied');
    const principal = opts.identity.lookup(auth.accessKeyId)!.principal;
    const chosen = route(method, target.bucket, target.key, target.query, req.headers);
    operationName = chosen.name;
    const result = await chosen.operation({
      requestId,
      principal,
      caller: { arn: principal.arn, accountId: principal.accountId, accessKeyId: principal.accessKeyId, requestId },
      bucket: target.bucket,
      key: target.key,
      query: target.query,
      headers: req.headers,
      req,
      auth,
      deps: opts.deps,
      log,
    });
    await writeResult(res, result);
    log.info('request', { method, operation: operationName, bucket: target.bucket, status: result.status, ms: Math.round(performance.now() - started) });
  } catch (err) {
    const mapped = toS3Error(err);
    if (res.headersSent && !mapped.integrity && (req.destroyed || res.destroyed)) {
      // The client went away mid-response: nothing to report to anyone.
      log.info('response cut short by the client', { operation: operationName });
      res.destroy();
      return;
    }
    if (mapped.integrity) log.error('integrity failure: stored object failed authentication', { operation: operationName, url: req.url, reason: String(err) });
    else if (mapped.internal) log.error('internal error', { operation: operationName, error: err instanceof Error ? err.stack : String(err) });
    else log.info('request failed', { method, operation: operationName, status: mapped.error.status, code: mapped.error.code, ms: Math.round(performance.now() - started) });
    // The error document's extra fields (a signature mismatch's canonical request, ...).
    log.debug('error details', { code: mapped.error.code, message: mapped.error.message, ...mapped.error.fields });
    if (res.headersSent) {
      // Part of a body is out: cutting the connection is the only honest signal left.
      res.destroy(mapped.error);
      return;
    }
    // A body we stopped reading would otherwise be parsed as the next request.
    if (!req.complete) res.setHeader('Connection', 'close');
    sendS3Error(res, mapped.error, method, requestId, hostId);
  }
}

async function writeResult(res: ServerResponse, result: OperationResult): Promise<void> {
  if (result.xml) {
    sendXml(res, result.status, result.xml.root, result.xml.body, result.headers);
    return;
  }
  const headers = { ...result.headers };
  // S3 answers bodiless results with an explicit empty length, not chunked encoding.
  if (!result.stream && headers['Content-Length'] === undefined && result.status !== 204) headers['Content-Length'] = '0';
  res.writeHead(result.status, headers);
  if (result.stream) {
    await pipeline(result.stream, res);
    return;
  }
  res.end();
}
