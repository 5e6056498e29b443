// What every operation module needs: the keystore, the account/region this KMS serves, a clock,
// and the random pool of the hot path.

import type { Keystore } from './keystore.js';
import type { Scope } from './key-id.js';
import type { RandomPool } from './random-pool.js';

export interface CoreContext {
  store: Keystore;
  scope: Scope;
  now: () => Date;
  /** `now()` in epoch milliseconds, without a Date where no clock was injected (the hot path reads it every call). */
  nowMs: () => number;
  random: RandomPool;
}
