/**
 * The Express application. The request lifecycle (see LIFECYCLE.md) reads top to bottom:
 * request id → KMS JSON API, CloudTrail LookupEvents, IAM Query API, the console's static page (unauthenticated
 * GET /console only) or S3 → target → CORS (a preflight ends here) → SigV4 or SigV2 →
 * route → S3 authorisation (the route's action, s3/authorize.ts) → operation → response,
 * and every failure leaves through toS3Error() and one error writer. Every request, S3 or
 * KMS, answered or abandoned, writes exactly one access line; only faults of ours add an
 * error line with a stack.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { runPipeline } from '../streams/run-pipeline.js';
import express from 'express';
import { verifyPostPolicy, verifyRequest } from '../auth/index.js';
import type { AuthContext, VerifiedAuth } from '../auth/index.js';
import { S3Error } from './errors.js';
import { toS3Error } from './error-map.js';
import type { IdentityStore } from '../identity/identity.js';
import { handleKmsRequest, isKmsRequest } from '../kms/kms-api.js';
import { handleIamRequest, isIamRequest } from '../iam/iam-api.js';
import { handleCloudTrailRequest, isCloudTrailRequest } from '../cloudtrail/cloudtrail-api.js';
import { isConsoleRequest, serveConsole } from '../console/serve.js';
import type { Logger } from './logger.js';
import type { GatewayDeps, OperationContext, OperationResult } from '../operations/operation.js';
import { sendContinue } from './expect.js';
import { commonHeaders, sendS3Error, sendXml } from './respond.js';
import { formRoute, route } from './router.js';
import { newHostId, newRequestId } from './request-ids.js';
import { parseS3Target, virtualHostBucket } from '../s3/s3-path.js';
import { answerPreflight, corsHeadersFor } from './cors-response.js';
import { S3_SERVICE, callerOf } from '../kms/caller.js';
import { assertBucketMayExist } from '../s3/bucket-name.js';
import { conditionKeys, s3Access } from '../s3/authorize.js';

export interface AppOptions {
  deps: GatewayDeps;
  identity: IdentityStore;
  log: Logger;
  now?: () => Date;
  /** Buckets are also virtual hosts of this domain (see s3-path.ts). */
  domain?: string;
  /** Accept Signature Version 2 (KMSGATE_SIGV2). */
  sigv2?: boolean;
  /** The KMS audit trail, served as CloudTrail LookupEvents (none: not served). */
  auditPath?: string;
}

/** The server's request listener. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export function createApp(opts: AppOptions): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);
  // Never a body parser: object bodies are streamed straight into the encryptor.
  app.use((req, res) => {
    void handleRequest(req, res, opts);
  });
  return (req, res) => {
    if (isSignedTransfer(req)) void handleRequest(req, res, opts);
    else app(req, res);
  };
}

/**
 * A header-signed GET, HEAD or PUT: the object transfers that make up most requests. Nothing
 * Express adds is used on them (the route table, the body streams and every response are
 * this module's own), so they skip its per-request work (router stack, request and response
 * prototypes, final handler); the rest, form uploads with their multer parser first, go
 * through the app.
 */
function isSignedTransfer(req: IncomingMessage): boolean {
  const method = req.method;
  return (method === 'GET' || method === 'PUT' || method === 'HEAD') && req.headers.authorization !== undefined;
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

/**
 * The signer of a verified request and its rights, as operations are told who asks. The
 * condition keys of a write come from `headers`: the request's, or a form's fields.
 */
function signedBy(
  opts: AppOptions,
  auth: VerifiedAuth,
  request: { requestId: string; req: IncomingMessage; query: URLSearchParams; headers?: IncomingHttpHeaders },
): Pick<OperationContext, 'auth' | 'principal' | 'caller' | 'access'> {
  const { requestId, req, query } = request;
  const principal = opts.identity.lookup(auth.accessKeyId)!.principal;
  const access = s3Access({
    principal,
    identityPolicies: () => opts.identity.policiesOf(principal.name),
    store: opts.deps.store,
    context: (action) => conditionKeys(req, query, action, request.headers),
  });
  return { auth, principal, caller: callerOf(opts.identity, principal, requestId, req, S3_SERVICE), access };
}

/**
 * What the one access line of a request says. Filled in as the request goes; written once,
 * when the response closes, whichever way it ends: sent, failed, cut, or left by the client.
 */
interface AccessRecord {
  method: string;
  operation: string;
  bucket?: string;
  /** The S3 or KMS error code answered, if any. */
  code?: string;
}

/** nginx's convention for "the client closed the connection before a response was sent". */
const CLIENT_CLOSED = 499;

function logAccessOnClose(req: IncomingMessage, res: ServerResponse, log: Logger, access: AccessRecord): void {
  const started = performance.now();
  res.once('close', () => {
    const status = res.headersSent ? res.statusCode : CLIENT_CLOSED;
    const complete = res.writableFinished;
    log.info('request', { ...access, status, ms: Math.round(performance.now() - started), ...(complete ? {} : { complete, clientClosed: req.destroyed }) });
  });
}

/** The client hung up: a socket that is gone before the gateway answered. */
function clientWentAway(req: IncomingMessage, res: ServerResponse): boolean {
  return res.destroyed || (req.destroyed && !req.complete);
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, opts: AppOptions): Promise<void> {
  const method = req.method ?? 'GET';
  const kms = isKmsRequest(req);
  const cloudTrail = !kms && opts.auditPath !== undefined && isCloudTrailRequest(req);
  const iam = !kms && !cloudTrail && isIamRequest(req);
  // KMS, CloudTrail and IAM request ids are UUIDs in x-amzn-RequestId, as those services send them.
  const requestId = kms || cloudTrail || iam ? randomUUID() : newRequestId();
  const log = opts.log.child({ requestId });
  const access: AccessRecord = { method, operation: 'unknown' };
  logAccessOnClose(req, res, log, access);
  // Whole URL and headers, for debugging clients; the logger redacts signatures and secrets.
  log.debug('request received', { method, url: req.url, headers: req.headers });
  if (kms) {
    // A KMS signature covers the hash of a body the client does not send up front.
    sendContinue(res);
    await handleKmsRequest(req, res, { requestId, deps: opts.deps, identity: opts.identity, authContext: authContext(opts), log, access });
    return;
  }
  if (iam) {
    sendContinue(res);
    await handleIamRequest(req, res, { requestId, identity: opts.identity, authContext: authContext(opts), log, access });
    return;
  }
  if (cloudTrail) {
    sendContinue(res);
    await handleCloudTrailRequest(req, res, { requestId, identity: opts.identity, auditPath: opts.auditPath!, authContext: authContext(opts), log, access });
    return;
  }
  // Only unauthenticated requests: a signed GET /console is ListObjects of a bucket `console` (console/serve.ts).
  if (isConsoleRequest(req, opts.domain)) {
    access.operation = 'Console';
    await serveConsole(req, res, { region: opts.deps.region }).catch((err: unknown) => {
      log.error('internal error', { operation: access.operation, error: err instanceof Error ? err.stack : String(err) });
      res.destroy();
    });
    return;
  }
  const hostId = newHostId();
  commonHeaders(res, requestId, hostId);
  let auth: VerifiedAuth | null = null;
  try {
    const target = parseS3Target(req.url ?? '/', { host: req.headers.host, domain: opts.domain });
    access.bucket = target.bucket || undefined;
    // A preflight carries no credentials: the bucket's CORS rules alone answer it.
    if (method === 'OPTIONS') {
      access.operation = 'PreflightRequest';
      res.writeHead(200, { ...(await answerPreflight(opts.deps.store, target, req.headers)), 'Content-Length': '0' });
      res.end();
      return;
    }
    // Before authentication, so that a page can read the error document of a refused request.
    for (const [name, value] of Object.entries(await corsHeadersFor(opts.deps.store, target.bucket, method, req.headers))) res.setHeader(name, value);
    const form = formRoute(method, target.bucket, target.key, target.query);
    if (form) {
      // A browser form: its policy signature, inside the body, says who sends it.
      access.operation = form.name;
      assertBucketMayExist(target.bucket);
      sendContinue(res);
      const context = authContext(opts);
      const result = await form.operation({
        requestId, bucket: target.bucket, key: target.key, query: target.query, headers: req.headers, req, deps: opts.deps, log, now: context.now,
        authenticate: (signature, fields) => signedBy(opts, verifyPostPolicy(signature, context, { service: 's3', sigv2: opts.sigv2 ?? true }), { requestId, req, query: target.query, headers: fields }),
      });
      await writeResult(res, result);
      return;
    }
    // headersDistinct: SigV4 joins repeated headers with ',' where Node's req.headers uses ', '.
    auth = verifyRequest(
      { method, rawPath: target.rawPath, rawQuery: target.rawQuery, headers: req.headersDistinct, virtualHostBucket: virtualHostBucket(req.headers.host, opts.domain) },
      authContext(opts),
      { service: 's3', sigv2: opts.sigv2 ?? true },
    );
    if (!auth) throw new S3Error('AccessDenied');
    const signer = signedBy(opts, auth, { requestId, req, query: target.query });
    const chosen = route(method, target.bucket, target.key, target.query, req.headers);
    access.operation = chosen.name;
    if (chosen.name !== 'CreateBucket' && target.bucket !== '') assertBucketMayExist(target.bucket);
    // The route's action on its resource, before any body is read or any data touched.
    if (chosen.on === 'account') await signer.access.require(chosen.action, { account: true });
    else if (chosen.on !== 'each-object') await signer.access.require(chosen.action, { bucket: target.bucket, key: chosen.on === 'object' ? target.key : undefined });
    // Only now may a client waiting on Expect: 100-continue send its body.
    sendContinue(res);
    const result = await chosen.operation({
      requestId,
      ...signer,
      bucket: target.bucket,
      key: target.key,
      query: target.query,
      headers: req.headers,
      req,
      deps: opts.deps,
      log,
    });
    await writeResult(res, result);
  } catch (err) {
    const mapped = toS3Error(err);
    if (mapped.integrity) log.error('integrity failure: stored object failed authentication', { operation: access.operation, url: req.url, reason: String(err) });
    // The client went away (mid-upload or mid-response): its access line says so, nobody to tell.
    if (clientWentAway(req, res)) {
      res.destroy();
      return;
    }
    access.code = mapped.error.code;
    if (mapped.internal && !mapped.integrity) log.error('internal error', { operation: access.operation, error: err instanceof Error ? err.stack : String(err) });
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
  } finally {
    // The chunk decoder wipes its copy when it runs; an operation that never read a body did not.
    auth?.streaming?.signingKey.fill(0);
  }
}

async function writeResult(res: ServerResponse, result: OperationResult): Promise<void> {
  if (result.xml) {
    sendXml(res, result.status, result.xml.root, result.xml.body, result.headers);
    return;
  }
  // Content-Length goes last: once Node has seen it, it re-reads a later Content-Disposition's
  // ISO-8859-1 text as UTF-8 (its RFC 6266 handling), which sends é as the bytes of U+FFFD.
  // So the headers are copied without it (the result's own object may be shared) and it follows.
  const headers: Record<string, string> = {};
  let length: string | undefined;
  for (const name in result.headers) {
    if (name === 'Content-Length') length = result.headers[name];
    else headers[name] = result.headers[name]!;
  }
  // S3 answers bodiless results with an explicit empty length, not chunked encoding.
  // (304 neither: its length would have to be the object's, which it does not carry.)
  if (result.body) length ??= String(result.body.length);
  else if (!result.stream && length === undefined && result.status !== 204 && result.status !== 304) length = '0';
  if (length !== undefined) headers['Content-Length'] = length;
  res.writeHead(result.status, headers);
  if (result.stream) {
    await runPipeline([result.stream, res]);
    return;
  }
  res.end(result.body);
}
