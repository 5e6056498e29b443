// The one canonical JSON writer lives in kms-core (its keystore MAC needs it too); the object
// metadata record and its tests use the same bytes by importing it from here.
export { canonicalJson, canonicalJsonString, codePointSortedKeys, compareCodePoints } from '@kmsgate/kms-core';
export type { CanonicalJsonValue } from '@kmsgate/kms-core';
