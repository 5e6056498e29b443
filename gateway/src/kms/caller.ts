/**
 * The kms-core `Caller` of a request: who signed it, the request id that ties the audit
 * record to the response, and where it came from. Calls made by an S3 operation name S3 as
 * the invoking service, as AWS KMS records calls S3 makes on a user's behalf.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '@kmsgate/kms-core';
import type { Principal } from '../identity/identity.js';

export const S3_SERVICE = 's3.amazonaws.com';

export function callerOf(principal: Principal, requestId: string, req: IncomingMessage, invokedBy?: string): Caller {
  const caller: Caller = { arn: principal.arn, accountId: principal.accountId, accessKeyId: principal.accessKeyId, requestId };
  const ip = req.socket.remoteAddress;
  if (ip) caller.sourceIp = ip.startsWith('::ffff:') ? ip.slice('::ffff:'.length) : ip;
  const agent = req.headers['user-agent'];
  if (agent) caller.userAgent = agent;
  if (invokedBy) caller.invokedBy = invokedBy;
  return caller;
}
