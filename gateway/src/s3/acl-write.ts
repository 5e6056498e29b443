/**
 * PutBucketAcl / PutObjectAcl under BucketOwnerEnforced: a write is accepted only when it
 * states what already holds (the owner alone has FULL_CONTROL), by canned ACL or by an
 * AccessControlPolicy document; see acl.ts.
 */
import { S3Error } from '../http/errors.js';
import { MAX_CONFIGURATION_BYTES, readSmallBody } from '../http/body.js';
import { element, optional, parseOptionalXml, repeated, required, text, xsiTyped } from '../http/xml-parse.js';
import type { OperationContext } from '../operations/operation.js';
import { hasAclHeaders, ownerId, refuseAclHeaders } from './acl.js';

/** The grantee types of S3's ACL schema; the abstract Grantee must name one with xsi:type. */
const GRANTEE_TYPES = ['CanonicalUser', 'AmazonCustomerByEmail', 'Group'] as const;

const grant = element({
  Grantee: required(
    xsiTyped(GRANTEE_TYPES, element({ ID: optional(text), DisplayName: optional(text), URI: optional(text), EmailAddress: optional(text) })),
  ),
  Permission: required(text),
});
const accessControlPolicy = element({
  Owner: optional(element({ ID: optional(text), DisplayName: optional(text) })),
  // Any count parses (the body limit bounds it): more than one grant is refused as unsupported, not as malformed.
  AccessControlList: required(element({ Grant: repeated(grant, { max: Number.POSITIVE_INFINITY }) })),
});
type AccessControlPolicy = ReturnType<typeof accessControlPolicy.read>;

/** Whether the policy grants the owner FULL_CONTROL and nothing to anyone else. */
function isOwnerOnlyPolicy(policy: AccessControlPolicy, owner: string): boolean {
  // Whitespace around a value (a pretty-printed document) is not part of it.
  if (policy.Owner && policy.Owner.ID?.trim() !== owner) return false;
  const grants = policy.AccessControlList.Grant;
  if (grants.length !== 1) return false;
  const { Grantee: grantee, Permission: permission } = grants[0]!;
  const who = grantee.value;
  return (
    permission.trim() === 'FULL_CONTROL' &&
    grantee.xsiType === 'CanonicalUser' &&
    who.ID?.trim() === owner &&
    who.URI === undefined &&
    who.EmailAddress === undefined
  );
}

export async function acceptOwnerOnlyAclWrite(ctx: OperationContext): Promise<void> {
  refuseAclHeaders(ctx.headers);
  // Body checksums are verified when sent, not demanded: S3's rule for ACL writes is not recorded.
  const body = await readSmallBody(ctx, MAX_CONFIGURATION_BYTES);
  const policy = parseOptionalXml(body, 'AccessControlPolicy', accessControlPolicy, 'MalformedACLError');
  if (policy === undefined) {
    if (!hasAclHeaders(ctx.headers)) throw new S3Error('MissingSecurityHeader', undefined, { MissingHeaderName: 'x-amz-acl' });
    return;
  }
  if (!isOwnerOnlyPolicy(policy, ownerId(ctx.deps.accountId))) throw new S3Error('AccessControlListNotSupported');
}
