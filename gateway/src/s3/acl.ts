/**
 * ACLs as Amazon S3 has them for every new bucket since April 2023: Object Ownership
 * `BucketOwnerEnforced`, so ACLs are disabled. The owner holds FULL_CONTROL of everything
 * and that is all an ACL read reports. A write may only state exactly that: the `private`
 * or `bucket-owner-full-control` canned ACL, or an AccessControlPolicy granting the owner
 * alone FULL_CONTROL. Anything else (public-read, a grant header, other grantees) is
 * refused, never accepted and ignored: AccessControlListNotSupported on objects and ACL
 * writes, InvalidBucketAclWithObjectOwnership on CreateBucket.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { S3Error, type S3ErrorCode } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import type { XmlObject } from '../http/xml.js';

export const OBJECT_OWNERSHIP = 'BucketOwnerEnforced';

const CANNED_ACL = 'x-amz-acl';
/** Canned ACLs that grant nothing beyond the owner's FULL_CONTROL. */
const OWNER_ONLY_CANNED = new Set(['private', 'bucket-owner-full-control']);
const GRANT_HEADERS = ['x-amz-grant-full-control', 'x-amz-grant-read', 'x-amz-grant-read-acp', 'x-amz-grant-write', 'x-amz-grant-write-acp'];

/** Whether the request's ACL headers would grant anyone anything beyond the owner. */
function aclHeadersGrantMore(headers: IncomingHttpHeaders): boolean {
  const canned = headerValue(headers, CANNED_ACL);
  if (canned !== undefined && !OWNER_ONLY_CANNED.has(canned)) return true;
  return GRANT_HEADERS.some((name) => headers[name] !== undefined);
}

export function hasAclHeaders(headers: IncomingHttpHeaders): boolean {
  return headers[CANNED_ACL] !== undefined || GRANT_HEADERS.some((name) => headers[name] !== undefined);
}

/** For writes of objects and ACLs. */
export function refuseAclHeaders(headers: IncomingHttpHeaders, code: S3ErrorCode = 'AccessControlListNotSupported'): void {
  if (aclHeadersGrantMore(headers)) throw new S3Error(code);
}

/** The canonical user the gateway's account stands for (the same ID ListBuckets reports). */
export function ownerId(accountId: string): string {
  return accountId;
}

/** GetBucketAcl / GetObjectAcl: the owner with FULL_CONTROL, in S3's element order. */
export function ownerOnlyAcl(accountId: string): XmlObject {
  const id = ownerId(accountId);
  return {
    Owner: { ID: id },
    AccessControlList: {
      Grant: {
        Grantee: { '@': { 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', 'xsi:type': 'CanonicalUser' }, ID: id },
        Permission: 'FULL_CONTROL',
      },
    },
  };
}

const OWNERSHIP_HEADER = 'x-amz-object-ownership';
const OWNERSHIPS = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];

/**
 * CreateBucket's ACL and ownership headers. Ownership other than BucketOwnerEnforced would
 * turn ACLs on, which this gateway does not serve; an ACL granting more than the owner's
 * FULL_CONTROL is what S3 refuses under BucketOwnerEnforced.
 */
export function checkCreateBucketAcl(headers: IncomingHttpHeaders): void {
  const ownership = headerValue(headers, OWNERSHIP_HEADER);
  if (ownership !== undefined && !OWNERSHIPS.includes(ownership)) {
    throw new S3Error('InvalidArgument', `Invalid x-amz-object-ownership header: ${ownership}`, { ArgumentName: OWNERSHIP_HEADER, ArgumentValue: ownership });
  }
  if (ownership !== undefined && ownership !== OBJECT_OWNERSHIP) {
    throw new S3Error('NotImplemented', 'Object Ownership other than BucketOwnerEnforced (ACLs enabled) is not implemented by this gateway.', { Header: OWNERSHIP_HEADER });
  }
  refuseAclHeaders(headers, 'InvalidBucketAclWithObjectOwnership');
}
