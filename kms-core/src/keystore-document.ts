// Checking a stored keystore document before anything trusts it, and computing its MAC.
// Every refusal names the file: the operator must be able to tell which one to restore.
//
// Version 1 files (the first release) carry no MAC, so nothing in them proves the key states,
// key managers or policies were not edited. They are upgraded only when the operator asks
// (`allowVersion1`): upgrading whatever version 1 file appears would let anyone who can write
// the disk turn a version 2 file back into version 1, edit it, and have the edit accepted.

import type { CanonicalJsonValue } from './canonical-json.js';
import { KmsError } from './errors.js';
import { KEYSTORE_FORMAT, KEYSTORE_VERSION } from './records.js';
import type { KeystoreDocument } from './records.js';
import { documentMac, documentMacMatches, rootKeyCheck, rootKeyMatches } from './seal.js';

export const UPGRADE_HINT =
  'if it is the file the earlier release wrote, upgrade it once with `kmsgate upgrade-keystore` (same data directory and root key)';

export function emptyDocument(rootKey: Buffer): Omit<KeystoreDocument, 'mac'> {
  return { format: KEYSTORE_FORMAT, version: KEYSTORE_VERSION, rootKeyCheck: rootKeyCheck(rootKey), keys: {}, aliases: {}, ownedKeys: {} };
}

/** The MACed body: the document as JSON will store it (no undefined members), without `mac`. */
function macBody(doc: Omit<KeystoreDocument, 'mac'> & { mac?: string }): CanonicalJsonValue {
  const { mac: _mac, ...body } = JSON.parse(JSON.stringify(doc)) as Record<string, CanonicalJsonValue>;
  return body;
}

/** Sets `doc.mac` for what `doc` holds now. */
export function authenticate(doc: Omit<KeystoreDocument, 'mac'> & { mac?: string }, macKey: Buffer): KeystoreDocument {
  doc.mac = documentMac(macKey, macBody(doc));
  return doc as KeystoreDocument;
}

function isRecordMap(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface CheckedDocument {
  doc: KeystoreDocument;
  /** True when the file is version 1 and must be written back as version 2. */
  upgraded: boolean;
}

/** Validates a stored document for `rootKey`; throws a KMSInternalException naming `where`. */
export function checkStoredDocument(
  stored: unknown,
  opts: { rootKey: Buffer; macKey: Buffer; where: string; allowVersion1: boolean },
): CheckedDocument {
  const refuse = (problem: string): KmsError =>
    new KmsError('KMSInternalException', `Refusing to open the keystore ${opts.where}: ${problem}.`);
  const doc = stored as Omit<Partial<KeystoreDocument>, 'version'> & { version?: unknown };
  if (!isRecordMap(stored) || doc.format !== KEYSTORE_FORMAT) throw refuse('it is not a kms-core keystore');
  if (doc.version !== 1 && doc.version !== KEYSTORE_VERSION) throw refuse(`its format version ${String(doc.version)} is unknown`);
  if (typeof doc.rootKeyCheck !== 'string' || !isRecordMap(doc.keys) || !isRecordMap(doc.aliases) || !isRecordMap(doc.ownedKeys)) {
    throw refuse('it is not a kms-core keystore');
  }
  if (!rootKeyMatches(opts.rootKey, doc.rootKeyCheck)) throw refuse('it was sealed under a different root key');
  if (doc.version === 1) {
    if (!opts.allowVersion1) throw refuse(`it is a version 1 keystore, whose key states are not authenticated; ${UPGRADE_HINT}`);
    if ('mac' in doc) throw refuse('it is not a kms-core keystore');
    return { doc: authenticate({ ...(doc as Omit<KeystoreDocument, 'mac'>), version: KEYSTORE_VERSION }, opts.macKey), upgraded: true };
  }
  if (typeof doc.mac !== 'string' || !documentMacMatches(opts.macKey, macBody(doc as KeystoreDocument), doc.mac)) {
    throw refuse('its contents do not authenticate under the root key (the file was edited or damaged)');
  }
  return { doc: doc as KeystoreDocument, upgraded: false };
}
