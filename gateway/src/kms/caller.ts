/**
 * The caller kms-core authorises: the principal and its identity policies, which key policies
 * that delegate to the account consult. The admin holds an implicit allow-everything policy,
 * as an account's administrator does, so a key policy can still shut it out.
 */
import type { Caller } from '@kmsgate/kms-core';
import { ADMIN, type IdentityStore, type Principal } from '../identity/identity.js';

const ADMIN_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });

export function kmsCaller(identity: IdentityStore, principal: Principal, requestId: string): Caller {
  const policies = identity.policiesOf(principal.name);
  return {
    arn: principal.arn,
    accountId: principal.accountId,
    accessKeyId: principal.accessKeyId,
    requestId,
    identityPolicies: principal.name === ADMIN ? [ADMIN_POLICY, ...policies] : policies,
  };
}

/** `kms:ViaService` for the S3 of `region`: what KMS sees when S3 calls it for SSE-KMS. */
export function viaS3(caller: Caller, region: string): Caller {
  const viaService = `s3.${region}.amazonaws.com`;
  return caller.viaService === viaService ? caller : { ...caller, viaService };
}
