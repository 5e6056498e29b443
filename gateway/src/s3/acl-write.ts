/**
 * PutBucketAcl / PutObjectAcl under BucketOwnerEnforced: a write is accepted only when it
 * states what already holds (the owner alone has FULL_CONTROL), by canned ACL or by an
 * AccessControlPolicy document; see acl.ts.
 */
import { S3Error } from '../http/errors.js';
import type { OperationContext } from '../operations/operation.js';
import { hasAclHeaders, ownerId, refuseAclHeaders } from './acl.js';
import { childrenByName, readXmlDocument, type XmlElement } from './config-document.js';

function isOwnerOnlyPolicy(doc: XmlElement, owner: string): boolean {
  const parts = childrenByName(doc, ['Owner', 'AccessControlList'], 'MalformedACLError');
  const list = parts.get('AccessControlList');
  if (!list) throw new S3Error('MalformedACLError');
  const declaredOwner = parts.get('Owner');
  if (declaredOwner) {
    const id = childrenByName(declaredOwner, ['ID', 'DisplayName'], 'MalformedACLError').get('ID');
    if (id?.text !== owner) return false;
  }
  if (list.children.some((c) => c.name !== 'Grant')) throw new S3Error('MalformedACLError');
  if (list.children.length !== 1) return false;
  const grant = childrenByName(list.children[0]!, ['Grantee', 'Permission'], 'MalformedACLError');
  const grantee = grant.get('Grantee');
  if (!grantee || !grant.get('Permission')) throw new S3Error('MalformedACLError');
  const who = childrenByName(grantee, ['ID', 'DisplayName', 'URI', 'EmailAddress'], 'MalformedACLError');
  return grant.get('Permission')!.text === 'FULL_CONTROL' && who.size === (who.has('DisplayName') ? 2 : 1) && who.get('ID')?.text === owner;
}

export async function acceptOwnerOnlyAclWrite(ctx: OperationContext): Promise<void> {
  refuseAclHeaders(ctx.headers);
  // Body checksums are verified when sent, not demanded: S3's rule for ACL writes is not recorded.
  const doc = await readXmlDocument(ctx, { checksumRequired: false, code: 'MalformedACLError' });
  if (doc === null) {
    if (!hasAclHeaders(ctx.headers)) throw new S3Error('MissingSecurityHeader', undefined, { MissingHeaderName: 'x-amz-acl' });
    return;
  }
  if (doc.name !== 'AccessControlPolicy') throw new S3Error('MalformedACLError');
  if (!isOwnerOnlyPolicy(doc, ownerId(ctx.deps.accountId))) throw new S3Error('AccessControlListNotSupported');
}
