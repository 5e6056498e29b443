// Whether one of a key's grants lets a caller perform an operation: the grantee is the caller
// (or its account root), the operation is listed, and the request's encryption context meets
// the grant's constraints. Grants take effect at once here, so a GrantToken adds nothing.

import type { GrantConstraints, GrantRecord, KeyRecord } from './records.js';
import type { Caller } from './types.js';

export function constraintsHold(constraints: GrantConstraints | undefined, context: Readonly<Record<string, string>> | undefined): boolean {
  if (!constraints) return true;
  const given = context ?? {};
  const equals = constraints.EncryptionContextEquals;
  if (equals) {
    const keys = Object.keys(given);
    if (keys.length !== Object.keys(equals).length || keys.some((k) => !Object.hasOwn(equals, k) || equals[k] !== given[k])) return false;
  }
  const subset = constraints.EncryptionContextSubset;
  if (subset) {
    for (const [k, v] of Object.entries(subset)) if (!Object.hasOwn(given, k) || given[k] !== v) return false;
  }
  return true;
}

export function isGrantee(grant: GrantRecord, caller: Caller): boolean {
  return grant.granteePrincipal === caller.arn || grant.granteePrincipal === `arn:aws:iam::${caller.accountId}:root`;
}

export function grantFor(key: KeyRecord, caller: Caller, action: string, context: Readonly<Record<string, string>> | undefined): GrantRecord | undefined {
  return key.grants?.find((g) => isGrantee(g, caller) && g.operations.includes(action) && constraintsHold(g.constraints, context));
}

export function grantAllows(key: KeyRecord, caller: Caller, action: string, context: Readonly<Record<string, string>> | undefined): boolean {
  return grantFor(key, caller, action, context) !== undefined;
}
