/**
 * The IAM Query API (2010-05-08) on the gateway's port, the subset that manages users:
 * `POST /` with a form body `Action=<Action>&Version=2010-05-08&...`, SigV4 with service `iam`
 * (told apart from S3 by the credential scope, before routing). IAM is global: a request
 * signed for us-east-1, IAM's own region, is accepted beside the gateway's region.
 *
 *   answer = <ActionResponse xmlns=NS> [<ActionResult>…</ActionResult>] <ResponseMetadata>
 *            <RequestId>uuid</RequestId></ResponseMetadata></ActionResponse>
 *   error  = <ErrorResponse xmlns=NS><Error><Type>Sender|Receiver</Type><Code/><Message/>
 *            </Error><RequestId/></ErrorResponse>
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyBodySignedRequest } from '../auth/index.js';
import type { AuthContext } from '../auth/index.js';
import { ClientGoneError, collectBody, requestSource } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import type { Logger } from '../http/logger.js';
import { toXml, type XmlObject } from '../http/xml.js';
import { mayAct } from '../identity/authorize.js';
import { IdentityError } from '../identity/errors.js';
import type { IdentityStore } from '../identity/identity.js';
import { IAM_ACTIONS } from './iam-actions.js';
import { IamWireError, iamStatus } from './iam-errors.js';

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const IAM_VERSION = '2010-05-08';
const IAM_REGION = 'us-east-1';
const MAX_IAM_REQUEST = 1024 * 1024;

/** The credential scope `<date>/<region>/iam/aws4_request`, from the Authorization header. */
function iamScopeRegion(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const match = typeof auth === 'string' ? /Credential=[^/,\s]+\/\d{8}\/([^/,\s]+)\/iam\/aws4_request/.exec(auth) : null;
  return match?.[1];
}

export function isIamRequest(req: IncomingMessage): boolean {
  return req.method === 'POST' && iamScopeRegion(req) !== undefined;
}

/** SigV4 failures in IAM's words. */
function authErrorToIam(err: S3Error): IamWireError {
  switch (err.code) {
    case 'InvalidAccessKeyId':
      return new IamWireError('InvalidClientTokenId', 'The security token included in the request is invalid.', 403);
    case 'SignatureDoesNotMatch':
      return new IamWireError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.', 403);
    case 'RequestTimeTooSkewed':
      return new IamWireError('SignatureDoesNotMatch', 'Signature expired: the request time is more than 15 minutes away from the server time.', 403);
    case 'XAmzContentSHA256Mismatch':
      return new IamWireError('IncompleteSignature', 'The payload hash does not match the request body.', 400);
    default:
      return new IamWireError('IncompleteSignature', err.message, 400);
  }
}

function send(res: ServerResponse, status: number, requestId: string, root: string, body: XmlObject): void {
  const text = toXml(root, body, { namespace: IAM_NAMESPACE });
  res.writeHead(status, { 'Content-Type': 'text/xml', 'Content-Length': Buffer.byteLength(text), 'x-amzn-RequestId': requestId });
  res.end(text);
}

async function authenticate(req: IncomingMessage, body: Buffer, authContext: AuthContext): Promise<string> {
  const region = iamScopeRegion(req) === IAM_REGION ? IAM_REGION : authContext.region;
  try {
    const auth = verifyBodySignedRequest(req, body, { ...authContext, region }, 'iam');
    if (!auth) throw new IamWireError('MissingAuthenticationToken', 'Request must contain either a valid (registered) AWS access key ID or X.509 certificate.', 403);
    return auth.accessKeyId;
  } catch (err) {
    if (err instanceof S3Error) throw authErrorToIam(err);
    throw err;
  }
}

export async function handleIamRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { requestId: string; identity: IdentityStore; authContext: AuthContext; log: Logger; access: { operation: string; code?: string } },
): Promise<void> {
  ctx.access.operation = 'iam:unknown';
  try {
    const body = await collectBody([requestSource(req)], MAX_IAM_REQUEST, () => new IamWireError('ValidationError', 'The request body is too large.', 400));
    const accessKeyId = await authenticate(req, body, ctx.authContext);
    const principal = ctx.identity.lookup(accessKeyId)!.principal;
    const params = new URLSearchParams(body.toString('utf8'));
    const action = params.get('Action');
    if (action === null) throw new IamWireError('MissingAction', 'Missing Action', 400);
    ctx.access.operation = `iam:${action}`;
    const version = params.get('Version');
    if (!Object.hasOwn(IAM_ACTIONS, action) || (version !== null && version !== IAM_VERSION)) {
      throw new IamWireError('InvalidAction', `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}`, 400);
    }
    if (!mayAct(principal)) {
      const target = params.get('UserName') ?? principal.name;
      throw new IamWireError('AccessDenied', `User: ${principal.arn} is not authorized to perform: iam:${action} on resource: arn:aws:iam::${principal.accountId}:user/${target}`, 403);
    }
    const result = await IAM_ACTIONS[action]!({ store: ctx.identity, caller: principal, params });
    send(res, 200, ctx.requestId, `${action}Response`, {
      ...(result && { [`${action}Result`]: result }),
      ResponseMetadata: { RequestId: ctx.requestId },
    });
  } catch (err) {
    if (err instanceof ClientGoneError || res.destroyed || (req.destroyed && !req.complete)) {
      res.destroy();
      return;
    }
    let wire: IamWireError;
    if (err instanceof IamWireError) wire = err;
    else if (err instanceof IdentityError) wire = new IamWireError(err.code, err.message, iamStatus(err.code));
    else {
      ctx.log.error('internal error', { operation: ctx.access.operation, error: err instanceof Error ? err.stack : String(err) });
      wire = new IamWireError('ServiceFailure', 'The request processing has failed because of an unknown error, exception or failure.', 500);
    }
    ctx.access.code = wire.code;
    if (!req.complete) res.setHeader('Connection', 'close');
    send(res, wire.status, ctx.requestId, 'ErrorResponse', {
      Error: { Type: wire.status >= 500 ? 'Receiver' : 'Sender', Code: wire.code, Message: wire.message },
      RequestId: ctx.requestId,
    });
  }
}
