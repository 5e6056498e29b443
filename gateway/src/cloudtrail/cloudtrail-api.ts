/**
 * The CloudTrail API (awsJson1_1, 2013-11-01) on the gateway's port, LookupEvents only: the
 * KMS audit trail as AWS exposes a trail, so the console, the SDK and the CLI read it the same
 * way and under the same rule: `POST /` with `X-Amz-Target: CloudTrail_20131101.<Operation>`,
 * SigV4 with service `cloudtrail`, authorised as `cloudtrail:LookupEvents` by the caller's
 * identity policies (the admin, as the account's owner, may).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { evaluateAccess, parsePolicy, readAuditTrail } from '@kmsgate/kms-core';
import type { AuthContext } from '../auth/index.js';
import { ClientGoneError, collectBody, requestSource } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import type { Logger } from '../http/logger.js';
import { sendAwsJson } from '../http/json-protocol.js';
import { ADMIN, type IdentityStore, type Principal } from '../identity/identity.js';
import { verifyBodySignedRequest } from '../auth/index.js';
import { CloudTrailError, lookupEvents } from './lookup-events.js';

// Today's SDKs send the short target; botocore's older CloudTrail model (the AWS CLI v2.9)
// sends it under its full namespace, which CloudTrail accepts as well.
const TARGET = /^(?:com\.amazonaws\.cloudtrail\.v20131101\.)?CloudTrail_20131101\.(\w+)$/;
const MAX_REQUEST = 64 * 1024;

function operationOf(req: IncomingMessage): string | undefined {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' ? TARGET.exec(target)?.[1] : undefined;
}

export function isCloudTrailRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && operationOf(req) !== undefined;
}


/** SigV4 failures in the AWS JSON protocols' generic words. */
function authError(err: S3Error): CloudTrailError {
  switch (err.code) {
    case 'InvalidAccessKeyId':
      return new CloudTrailError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'SignatureDoesNotMatch':
    case 'RequestTimeTooSkewed':
      return new CloudTrailError('InvalidSignatureException', err.message);
    default:
      return new CloudTrailError('IncompleteSignatureException', err.message);
  }
}

function mayLookUp(identity: IdentityStore, principal: Principal): boolean {
  if (principal.name === ADMIN) return true;
  const decision = evaluateAccess({
    request: { principal: { arn: principal.arn, accountId: principal.accountId }, action: 'cloudtrail:LookupEvents', resource: '*', context: {} },
    identityPolicies: identity.policiesOf(principal.name).map((text) => parsePolicy(text, 'identity')),
  });
  return decision === 'Allow';
}

export async function handleCloudTrailRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { requestId: string; identity: IdentityStore; auditPath: string; authContext: AuthContext; log: Logger; access: { operation: string; code?: string } },
): Promise<void> {
  const operation = operationOf(req)!;
  ctx.access.operation = `cloudtrail:${operation}`;
  try {
    const body = await collectBody([requestSource(req)], MAX_REQUEST, () => new CloudTrailError('ValidationException', 'The request body is too large.'));
    let accessKeyId: string;
    try {
      const auth = verifyBodySignedRequest(req, body, ctx.authContext, 'cloudtrail');
      if (!auth) throw new CloudTrailError('MissingAuthenticationTokenException', 'Missing Authentication Token');
      accessKeyId = auth.accessKeyId;
    } catch (err) {
      throw err instanceof S3Error ? authError(err) : err;
    }
    const principal = ctx.identity.lookup(accessKeyId)!.principal;
    if (operation !== 'LookupEvents') throw new CloudTrailError('UnknownOperationException', `The operation ${operation} is not supported by this gateway.`);
    if (!mayLookUp(ctx.identity, principal)) {
      throw new CloudTrailError('AccessDeniedException', `User: ${principal.arn} is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action`);
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      throw new CloudTrailError('SerializationException', 'Start of structure or map found where not expected.');
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new CloudTrailError('SerializationException', 'Start of structure or map found where not expected.');
    sendAwsJson(res, 200, ctx.requestId, lookupEvents(await readAuditTrail(ctx.auditPath), input as Record<string, unknown>));
  } catch (err) {
    if (err instanceof ClientGoneError || res.destroyed || (req.destroyed && !req.complete)) {
      res.destroy();
      return;
    }
    if (err instanceof CloudTrailError) {
      ctx.access.code = err.type;
      sendAwsJson(res, err.status, ctx.requestId, { __type: err.type, message: err.message }, err.type);
      return;
    }
    ctx.access.code = 'InternalFailure';
    ctx.log.error('internal error', { operation: ctx.access.operation, error: err instanceof Error ? err.stack : String(err) });
    sendAwsJson(res, 500, ctx.requestId, { __type: 'InternalFailure', message: 'An internal error occurred.' }, 'InternalFailure');
  }
}
