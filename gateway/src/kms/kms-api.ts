/**
 * The AWS KMS JSON protocol (awsJson1_1) on the gateway's port: `POST /` with
 * `X-Amz-Target: TrentService.<Operation>`, SigV4 with service `kms`. The HTTP and auth
 * happen here; kms-core's `dispatchJson` owns the operation shapes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KmsError } from '@kmsgate/kms-core';
import { verifyBodySignedRequest } from '../auth/index.js';
import type { AuthContext } from '../auth/index.js';
import { ClientGoneError, collectBody, requestSource } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import type { IdentityStore } from '../identity/identity.js';
import type { Logger } from '../http/logger.js';
import { sendAwsJson } from '../http/json-protocol.js';
import type { GatewayDeps } from '../operations/operation.js';
import { callerOf } from './caller.js';

const MAX_KMS_REQUEST = 1024 * 1024;

export function isKmsRequest(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return req.method === 'POST' && typeof target === 'string' && target.startsWith('TrentService.');
}

class KmsWireError extends Error {
  constructor(readonly type: string, message: string, readonly status = 400) {
    super(message);
  }
}

/** SigV4 failures speak the AWS JSON generic errors rather than S3's. */
function authErrorToKms(err: S3Error): KmsWireError {
  switch (err.code) {
    case 'InvalidAccessKeyId':
      return new KmsWireError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'SignatureDoesNotMatch':
      return new KmsWireError('InvalidSignatureException', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.');
    case 'RequestTimeTooSkewed':
      return new KmsWireError('InvalidSignatureException', 'Signature expired: the request time is more than 15 minutes away from the server time.');
    case 'XAmzContentSHA256Mismatch':
      return new KmsWireError('InvalidSignatureException', 'The payload hash does not match the request body.');
    default:
      return new KmsWireError('IncompleteSignatureException', err.message);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return collectBody([requestSource(req)], MAX_KMS_REQUEST, () => new KmsWireError('ValidationException', 'The request body is too large.'));
}

/** kms-core names an unknown operation without a message; a client deserves to be told which. */
function wireMessage(err: KmsError | KmsWireError, operation: string): string {
  if (err.type === 'UnknownOperationException' && err.message === '') return `The operation ${operation} is not supported by this KMS.`;
  return err.message;
}


export async function handleKmsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: {
    requestId: string;
    deps: GatewayDeps;
    identity: IdentityStore;
    authContext: AuthContext;
    log: Logger;
    /** The request's access line (written by app.ts): the operation and any error code. */
    access: { operation: string; code?: string };
  },
): Promise<void> {
  const operation = String(req.headers['x-amz-target']).slice('TrentService.'.length);
  ctx.access.operation = `kms:${operation}`;
  try {
    const body = await readBody(req);
    let auth;
    try {
      // The payload hash of a KMS request is always the hash of its JSON body.
      auth = verifyBodySignedRequest(req, body, ctx.authContext, 'kms');
    } catch (err) {
      if (err instanceof S3Error) throw authErrorToKms(err);
      throw err;
    }
    if (!auth) throw new KmsWireError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const principal = ctx.identity.lookup(auth.accessKeyId)!.principal;
    const caller = callerOf(ctx.identity, principal, ctx.requestId, req);
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new KmsWireError('SerializationException', 'Start of structure or map found where not expected.');
    }
    // kms-core decides who may do what: key policies, these identity policies, grants.
    const output = await ctx.deps.kms.dispatchJson(operation, input, caller);
    sendAwsJson(res, 200, ctx.requestId, output);
  } catch (err) {
    // A client that hung up mid-body: its access line says so; there is no one to answer.
    if (err instanceof ClientGoneError || res.destroyed || (req.destroyed && !req.complete)) {
      res.destroy();
      return;
    }
    if (err instanceof KmsError || err instanceof KmsWireError) {
      const status = err instanceof KmsError ? err.httpStatus : err.status;
      ctx.access.code = err.type;
      sendAwsJson(res, status, ctx.requestId, { __type: err.type, message: wireMessage(err, operation) }, err.type);
      return;
    }
    ctx.access.code = 'KMSInternalException';
    ctx.log.error('internal error', { operation: ctx.access.operation, error: err instanceof Error ? err.stack : String(err) });
    sendAwsJson(res, 500, ctx.requestId, { __type: 'KMSInternalException', message: 'An internal error occurred.' }, 'KMSInternalException');
  }
}
