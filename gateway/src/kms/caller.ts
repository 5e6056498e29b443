/**
 * The kms-core `Caller` of a request: who signed it with their identity policies (which key
 * policies that delegate to the account consult), the request id that ties the audit record
 * to the response, and where it came from. Calls made by an S3 operation name S3 as the
 * invoking service, as AWS KMS records calls S3 makes on a user's behalf, and carry
 * `kms:ViaService`. The admin holds an implicit allow-everything policy, as an account's
 * administrator does, so a key policy can still shut it out.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '@kmsgate/kms-core';
import { ADMIN, type IdentityStore, type Principal } from '../identity/identity.js';

export const S3_SERVICE = 's3.amazonaws.com';

const ADMIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

export function callerOf(identity: IdentityStore, principal: Principal, requestId: string, req: IncomingMessage, invokedBy?: string): Caller {
  const policies = identity.policiesOf(principal.name);
  const caller: Caller = {
    arn: principal.arn,
    accountId: principal.accountId,
    accessKeyId: principal.accessKeyId,
    requestId,
    identityPolicies: principal.name === ADMIN ? [ADMIN_POLICY, ...policies] : policies,
  };
  const ip = req.socket.remoteAddress;
  if (ip) caller.sourceIp = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  const agent = req.headers['user-agent'];
  if (agent) caller.userAgent = agent;
  if (invokedBy) caller.invokedBy = invokedBy;
  return caller;
}

/** `kms:ViaService` for the S3 of `region`: what KMS sees when S3 calls it for SSE-KMS. */
export function viaS3(caller: Caller, region: string): Caller {
  const viaService = `s3.${region}.amazonaws.com`;
  return caller.viaService === viaService ? caller : { ...caller, viaService };
}
