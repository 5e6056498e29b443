// The KMS JSON protocol (awsJson1_1) minus HTTP. Each operation declares its wire members;
// input is type-checked and converted (base64 -> Buffer, epoch seconds -> Date), only declared
// members reach the typed method, and the output is converted back (Buffer -> base64, Date ->
// epoch seconds as a JSON number, void -> {}), as the AWS CLI and SDKs expect.

import { KmsError } from './errors.js';
import type { KmsCore } from './kms-core.js';
import type { Caller } from './types.js';
import { Violations } from './validate.js';

type WireType = 'string' | 'integer' | 'boolean' | 'blob' | 'timestamp' | 'stringMap' | 'stringList' | 'tags';

interface Member {
  type: WireType;
  required?: boolean;
}

type Input = Record<string, unknown>;

interface Operation {
  members: Record<string, Member>;
  run(core: KmsCore, input: Input, caller: Caller): Promise<unknown>;
}

/** The KmsCore methods that take (input, caller), which is every operation. */
type OperationMethod = {
  [K in keyof KmsCore]: KmsCore[K] extends (input: never, caller: Caller) => Promise<unknown> ? K : never;
}[keyof KmsCore];

// The cast is sound because `readInput` has checked every declared member's wire type, and
// each table entry declares the members of its method's input type.
function op(method: OperationMethod, members: Record<string, Member>): Operation {
  return { members, run: (core, input, caller) => (core[method] as (i: Input, c: Caller) => Promise<unknown>).call(core, input, caller) };
}

const S: Member = { type: 'string' };
const REQUIRED_S: Member = { type: 'string', required: true };
const INT: Member = { type: 'integer' };
const KEY_ID = REQUIRED_S;
const LIST = { Limit: INT, Marker: S };
const DATA_PLANE: Record<string, Member> = { GrantTokens: { type: 'stringList' }, DryRun: { type: 'boolean' } };
const CRYPTO_EXTRAS: Record<string, Member> = { EncryptionContext: { type: 'stringMap' }, EncryptionAlgorithm: S, ...DATA_PLANE };

const OPERATIONS: Record<string, Operation> = {
  CreateKey: {
    members: {
      Description: S,
      KeyUsage: S,
      KeySpec: S,
      CustomerMasterKeySpec: S,
      Origin: S,
      Policy: S,
      Tags: { type: 'tags' },
      BypassPolicyLockoutSafetyCheck: { type: 'boolean' },
      MultiRegion: { type: 'boolean' },
    },
    run: (core, input, caller) => {
      if (input.MultiRegion === true) throw new KmsError('UnsupportedOperationException', 'Multi-Region keys are not supported by this KMS.');
      const { CustomerMasterKeySpec, KeySpec, MultiRegion: _multiRegion, ...rest } = input;
      return core.createKey({ ...rest, KeySpec: KeySpec ?? CustomerMasterKeySpec } as Parameters<KmsCore['createKey']>[0], caller);
    },
  },
  DescribeKey: op('describeKey', { KeyId: KEY_ID, GrantTokens: { type: 'stringList' } }),
  ListKeys: op('listKeys', LIST),
  UpdateKeyDescription: op('updateKeyDescription', { KeyId: KEY_ID, Description: REQUIRED_S }),
  EnableKey: op('enableKey', { KeyId: KEY_ID }),
  DisableKey: op('disableKey', { KeyId: KEY_ID }),
  ScheduleKeyDeletion: op('scheduleKeyDeletion', { KeyId: KEY_ID, PendingWindowInDays: INT }),
  CancelKeyDeletion: op('cancelKeyDeletion', { KeyId: KEY_ID }),
  CreateAlias: op('createAlias', { AliasName: REQUIRED_S, TargetKeyId: REQUIRED_S }),
  UpdateAlias: op('updateAlias', { AliasName: REQUIRED_S, TargetKeyId: REQUIRED_S }),
  DeleteAlias: op('deleteAlias', { AliasName: REQUIRED_S }),
  ListAliases: op('listAliases', { KeyId: S, ...LIST }),
  EnableKeyRotation: op('enableKeyRotation', { KeyId: KEY_ID, RotationPeriodInDays: INT }),
  DisableKeyRotation: op('disableKeyRotation', { KeyId: KEY_ID }),
  GetKeyRotationStatus: op('getKeyRotationStatus', { KeyId: KEY_ID }),
  RotateKeyOnDemand: op('rotateKeyOnDemand', { KeyId: KEY_ID }),
  ListKeyRotations: op('listKeyRotations', { KeyId: KEY_ID, IncludeKeyMaterial: S, ...LIST }),
  GetParametersForImport: op('getParametersForImport', { KeyId: KEY_ID, WrappingAlgorithm: REQUIRED_S, WrappingKeySpec: REQUIRED_S }),
  ImportKeyMaterial: op('importKeyMaterial', {
    KeyId: KEY_ID,
    ImportToken: { type: 'blob', required: true },
    EncryptedKeyMaterial: { type: 'blob', required: true },
    ValidTo: { type: 'timestamp' },
    ExpirationModel: S,
    ImportType: S,
    KeyMaterialDescription: S,
    KeyMaterialId: S,
  }),
  DeleteImportedKeyMaterial: op('deleteImportedKeyMaterial', { KeyId: KEY_ID, KeyMaterialId: S }),
  TagResource: op('tagResource', { KeyId: KEY_ID, Tags: { type: 'tags', required: true } }),
  UntagResource: op('untagResource', { KeyId: KEY_ID, TagKeys: { type: 'stringList', required: true } }),
  ListResourceTags: op('listResourceTags', { KeyId: KEY_ID, ...LIST }),
  Encrypt: op('encrypt', { KeyId: KEY_ID, Plaintext: { type: 'blob', required: true }, ...CRYPTO_EXTRAS }),
  Decrypt: op('decrypt', { CiphertextBlob: { type: 'blob', required: true }, KeyId: S, ...CRYPTO_EXTRAS }),
  ReEncrypt: op('reEncrypt', {
    CiphertextBlob: { type: 'blob', required: true },
    SourceEncryptionContext: { type: 'stringMap' },
    SourceKeyId: S,
    DestinationKeyId: REQUIRED_S,
    DestinationEncryptionContext: { type: 'stringMap' },
    SourceEncryptionAlgorithm: S,
    DestinationEncryptionAlgorithm: S,
    ...DATA_PLANE,
  }),
  GenerateDataKey: op('generateDataKey', { KeyId: KEY_ID, KeySpec: S, NumberOfBytes: INT, ...CRYPTO_EXTRAS }),
  GenerateDataKeyWithoutPlaintext: op('generateDataKeyWithoutPlaintext', { KeyId: KEY_ID, KeySpec: S, NumberOfBytes: INT, ...CRYPTO_EXTRAS }),
  // NumberOfBytes is checked by the operation, which has AWS's own text for its absence.
  GenerateRandom: op('generateRandom', { NumberOfBytes: INT, CustomKeyStoreId: S }),
};

const ALGORITHM_MEMBERS = ['EncryptionAlgorithm', 'SourceEncryptionAlgorithm', 'DestinationEncryptionAlgorithm'];

/** A wire member's name as AWS writes it in validation messages and CloudTrail records. */
export function camel(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isTagList(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every((t: unknown) => {
      if (typeof t !== 'object' || t === null) return false;
      const tag = t as Record<string, unknown>;
      return typeof tag.TagKey === 'string' && typeof tag.TagValue === 'string';
    })
  );
}

/** Checks and converts one member; returns undefined for JSON null (treated as absent). */
function convert(member: string, type: WireType, value: unknown, violations: Violations): unknown {
  const fail = (what: string): undefined => {
    violations.add(`Value at '${camel(member)}' failed to satisfy constraint: Member must be ${what}`);
    return undefined;
  };
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : fail('a string');
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) ? value : fail('an integer');
    case 'boolean':
      return typeof value === 'boolean' ? value : fail('a boolean');
    case 'timestamp':
      return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : fail('a timestamp in epoch seconds');
    case 'blob':
      return typeof value === 'string' && BASE64.test(value) ? Buffer.from(value, 'base64') : fail('base64-encoded binary data');
    case 'stringMap':
      return isStringRecord(value) ? { ...value } : fail('a map of strings to strings');
    case 'stringList':
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? value : fail('a list of strings');
    case 'tags':
      return isTagList(value) ? value : fail('a list of tags with TagKey and TagValue strings');
  }
}

function bodyOf(raw: unknown): Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

function readInput(op: Operation, raw: unknown): Input {
  const body = bodyOf(raw);
  const violations = new Violations();
  const input: Input = {};
  for (const [name, member] of Object.entries(op.members)) {
    const value = Object.hasOwn(body, name) ? body[name] : undefined;
    if (value === undefined || value === null) {
      if (member.required) violations.required(camel(name), undefined);
      continue;
    }
    const converted = convert(name, member.type, value, violations);
    if (converted !== undefined) input[name] = converted;
  }
  violations.throwIfAny();
  for (const member of ALGORITHM_MEMBERS) {
    const algorithm = input[member];
    if (algorithm !== undefined && algorithm !== 'SYMMETRIC_DEFAULT') {
      throw new KmsError('InvalidKeyUsageException', `The encryption algorithm ${String(algorithm)} is not valid for a symmetric key.`);
    }
  }
  return input;
}

/** Buffer -> base64, Date -> epoch seconds, undefined members dropped. */
export function toWire(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return value.toString('base64');
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toWire(v);
    return out;
  }
  return value;
}

export async function dispatchJson(core: KmsCore, op: string, raw: unknown, caller: Caller): Promise<Record<string, unknown>> {
  const operation = Object.hasOwn(OPERATIONS, op) ? OPERATIONS[op] : undefined;
  if (!operation) throw new KmsError('UnknownOperationException', '');
  let input: Input | undefined;
  try {
    input = readInput(operation, raw);
    const output = await operation.run(core, input, caller);
    if (output === undefined) return {};
    const wire = toWire(output) as Record<string, unknown>;
    zeroBuffers(output);
    return wire;
  } catch (err) {
    // Refusals before the operation ran (validation, unsupported options) are audited here;
    // the trail skips those the operation already recorded.
    await core.recordRefused(op, input ?? declaredMembers(operation, raw), caller, err);
    throw err;
  } finally {
    zeroBuffers(input);
  }
}

/** What a refused request named, limited to the operation's members (the record drops secrets). */
function declaredMembers(operation: Operation, raw: unknown): Input {
  const body = bodyOf(raw);
  const out: Input = {};
  for (const name of Object.keys(operation.members)) if (Object.hasOwn(body, name)) out[name] = body[name];
  return out;
}

/** Decoded request blobs and returned plaintexts may be keys: wipe them once on the wire. */
function zeroBuffers(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  for (const member of Object.values(value)) if (Buffer.isBuffer(member)) member.fill(0);
}
