/**
 * Who may act, for now: the admin, and nobody else. Users other than the admin can be
 * created, hold keys and policies, and authenticate (every request's principal is the user
 * whose key signed it), but until identity policies are evaluated for S3, KMS and IAM
 * requests a user without them must not get the admin's rights by default: it is refused.
 */
import { ADMIN, type Principal } from './identity.js';

export function mayAct(principal: Principal): boolean {
  return principal.name === ADMIN;
}
