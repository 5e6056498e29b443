// Shared setup for kms-core tests: an in-memory core with a movable clock and two callers.

import { KmsError } from './errors.js';
import { KmsCore } from './kms-core.js';
import type { Caller } from './types.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';
/** Obviously-test root key bytes. */
export const TEST_ROOT_KEY = Buffer.alloc(32, 0x11);
/** An identity policy allowing every action: what an account administrator holds. */
export const ALLOW_ALL_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] });
export const alice: Caller = { arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, identityPolicies: [ALLOW_ALL_POLICY] };
/** Alice calling through S3, as the gateway's SSE-KMS path does. */
export const aliceViaS3: Caller = { ...alice, viaService: 's3.us-east-1.amazonaws.com' };
export const mallory: Caller = { arn: 'arn:aws:iam::999988887777:user/mallory', accountId: '999988887777', identityPolicies: [ALLOW_ALL_POLICY] };

export interface TestClock {
  now: () => Date;
  advanceDays(days: number): void;
}

export function testClock(start = '2025-01-01T00:00:00.000Z'): TestClock {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    advanceDays: (days) => {
      current += days * 24 * 60 * 60 * 1000;
    },
  };
}

export async function openTestCore(clock: TestClock = testClock(), keystorePath: string | null = null): Promise<KmsCore> {
  return KmsCore.open({ keystorePath, rootKey: Buffer.from(TEST_ROOT_KEY), region: REGION, accountId: ACCOUNT, now: clock.now });
}

/** A core on a fresh test clock, for a beforeEach: the clock moves time for the core. */
export async function openClockedCore(): Promise<{ clock: TestClock; core: KmsCore }> {
  const clock = testClock();
  return { clock, core: await openTestCore(clock) };
}

/** Runs `fn` and returns the KmsError it rejects with (fails if it resolves or throws something else). */
export async function kmsError(fn: () => Promise<unknown>): Promise<KmsError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof KmsError) return err;
    throw err;
  }
  throw new Error('expected a KmsError');
}
