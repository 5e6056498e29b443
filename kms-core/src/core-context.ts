// What every operation module needs: the keystore, the account/region this KMS serves, a clock.

import type { Keystore } from './keystore.js';
import type { Scope } from './key-id.js';

export interface CoreContext {
  store: Keystore;
  scope: Scope;
  now: () => Date;
}
