/**
 * Verifies a request of an AWS JSON or Query protocol, whose SigV4 signature covers the hash
 * of a body read in full first: the hash is computed here, never taken from the client.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { verifyRequest } from './verify.js';
import type { AuthContext, VerifiedAuth, VerifyOptions } from './types.js';
import { S3Error } from '../http/errors.js';

/** Null when the request carries no authentication; throws S3Error when it fails. */
export function verifyBodySignedRequest(req: IncomingMessage, body: Buffer, context: AuthContext, service: VerifyOptions['service']): VerifiedAuth | null {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  const sentHash = req.headers['x-amz-content-sha256'];
  if (sentHash !== undefined && sentHash !== bodyHash) throw new S3Error('XAmzContentSHA256Mismatch');
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return verifyRequest(
    {
      method: req.method ?? 'POST',
      rawPath: q === -1 ? url : url.slice(0, q),
      rawQuery: q === -1 ? '' : url.slice(q + 1),
      headers: { ...req.headersDistinct, 'x-amz-content-sha256': [bodyHash] },
    },
    context,
    { service },
  );
}
