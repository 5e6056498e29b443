// The KMS JSON protocol (awsJson1_1) minus HTTP. Each operation declares its wire members;
// input is type-checked and converted (base64 -> Buffer), only declared members reach the
// typed method, and the output is converted back (Buffer -> base64, Date -> epoch seconds as a
// JSON number, void -> {}), as the AWS CLI and SDKs expect.

import { KmsError } from './errors.js';
import type { KmsCore } from './kms-core.js';
import type {
  Caller,
  CreateAliasInput,
  CreateKeyInput,
  DecryptInput,
  EncryptInput,
  GenerateDataKeyInput,
  KeyIdInput,
  ListAliasesInput,
  ListInput,
  ScheduleKeyDeletionInput,
} from './types.js';
import { Violations } from './validate.js';

type WireType = 'string' | 'integer' | 'boolean' | 'blob' | 'stringMap' | 'stringList' | 'tags';

interface Member {
  type: WireType;
  required?: boolean;
}

type Input = Record<string, unknown>;

interface Operation {
  members: Record<string, Member>;
  run(core: KmsCore, input: Input, caller: Caller): Promise<unknown>;
}

const KEY_ID: Member = { type: 'string', required: true };
const CRYPTO_EXTRAS: Record<string, Member> = {
  EncryptionContext: { type: 'stringMap' },
  GrantTokens: { type: 'stringList' },
  DryRun: { type: 'boolean' },
  EncryptionAlgorithm: { type: 'string' },
};

// Casts below are sound because `readInput` has checked every declared member's wire type.
const OPERATIONS: Record<string, Operation> = {
  CreateKey: {
    members: {
      Description: { type: 'string' },
      KeyUsage: { type: 'string' },
      KeySpec: { type: 'string' },
      CustomerMasterKeySpec: { type: 'string' },
      Origin: { type: 'string' },
      Policy: { type: 'string' },
      Tags: { type: 'tags' },
      BypassPolicyLockoutSafetyCheck: { type: 'boolean' },
      MultiRegion: { type: 'boolean' },
    },
    run: (core, input, caller) => {
      if (input.MultiRegion === true) throw new KmsError('UnsupportedOperationException', 'Multi-Region keys are not supported by this KMS.');
      const { CustomerMasterKeySpec, KeySpec, ...rest } = input;
      return core.createKey({ ...rest, KeySpec: KeySpec ?? CustomerMasterKeySpec } as CreateKeyInput, caller);
    },
  },
  DescribeKey: { members: { KeyId: KEY_ID, GrantTokens: { type: 'stringList' } }, run: (core, i, c) => core.describeKey(i as unknown as KeyIdInput, c) },
  ListKeys: { members: { Limit: { type: 'integer' }, Marker: { type: 'string' } }, run: (core, i, c) => core.listKeys(i as ListInput, c) },
  EnableKey: { members: { KeyId: KEY_ID }, run: (core, i, c) => core.enableKey(i as unknown as KeyIdInput, c) },
  DisableKey: { members: { KeyId: KEY_ID }, run: (core, i, c) => core.disableKey(i as unknown as KeyIdInput, c) },
  ScheduleKeyDeletion: {
    members: { KeyId: KEY_ID, PendingWindowInDays: { type: 'integer' } },
    run: (core, i, c) => core.scheduleKeyDeletion(i as unknown as ScheduleKeyDeletionInput, c),
  },
  CancelKeyDeletion: { members: { KeyId: KEY_ID }, run: (core, i, c) => core.cancelKeyDeletion(i as unknown as KeyIdInput, c) },
  CreateAlias: {
    members: { AliasName: { type: 'string', required: true }, TargetKeyId: { type: 'string', required: true } },
    run: (core, i, c) => core.createAlias(i as unknown as CreateAliasInput, c),
  },
  ListAliases: {
    members: { KeyId: { type: 'string' }, Limit: { type: 'integer' }, Marker: { type: 'string' } },
    run: (core, i, c) => core.listAliases(i as ListAliasesInput, c),
  },
  Encrypt: {
    members: { KeyId: KEY_ID, Plaintext: { type: 'blob', required: true }, ...CRYPTO_EXTRAS },
    run: (core, i, c) => core.encrypt(i as unknown as EncryptInput, c),
  },
  Decrypt: {
    members: { CiphertextBlob: { type: 'blob', required: true }, KeyId: { type: 'string' }, ...CRYPTO_EXTRAS },
    run: (core, i, c) => core.decrypt(i as unknown as DecryptInput, c),
  },
  GenerateDataKey: {
    members: { KeyId: KEY_ID, KeySpec: { type: 'string' }, NumberOfBytes: { type: 'integer' }, ...CRYPTO_EXTRAS },
    run: (core, i, c) => core.generateDataKey(i as unknown as GenerateDataKeyInput, c),
  },
};

function camel(member: string): string {
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

function readInput(op: Operation, raw: unknown): Input {
  const body: Record<string, unknown> = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
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
  if (input.DryRun === true) {
    throw new KmsError('UnsupportedOperationException', 'DryRun is not supported by this KMS.');
  }
  if (input.EncryptionAlgorithm !== undefined && input.EncryptionAlgorithm !== 'SYMMETRIC_DEFAULT') {
    throw new KmsError('InvalidKeyUsageException', `The encryption algorithm ${String(input.EncryptionAlgorithm)} is not valid for a symmetric key.`);
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
  const input = readInput(operation, raw);
  try {
    const output = await operation.run(core, input, caller);
    if (output === undefined) return {};
    const wire = toWire(output) as Record<string, unknown>;
    zeroBuffers(output);
    return wire;
  } finally {
    zeroBuffers(input);
  }
}

/** Decoded request blobs and returned plaintexts may be keys: wipe them once on the wire. */
function zeroBuffers(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  for (const member of Object.values(value)) if (Buffer.isBuffer(member)) member.fill(0);
}
