// One audit record in CloudTrail shape (eventVersion 1.11) for a KMS call or a service event.
// What may never reach the file: key material, plaintext, ciphertext, import tokens, wrapped
// material. Every Buffer in a request or a response is one of those, so Buffers are dropped
// wherever they appear, and responses of the crypto and read operations are not logged at all
// (CloudTrail logs `responseElements: null` for them).

import { randomUUID } from 'node:crypto';
import { camel } from '../json-api.js';
import type { Scope } from '../key-id.js';
import type { Caller } from '../types.js';

export const EVENT_VERSION = '1.11';
export const EVENT_SOURCE = 'kms.amazonaws.com';
const AWS_INTERNAL = 'AWS Internal';

/** Members whose value is a map of caller strings: their keys are data and keep their case. */
const MAP_MEMBERS = new Set(['EncryptionContext', 'SourceEncryptionContext', 'DestinationEncryptionContext']);
/** Members that may hold secrets even when not a Buffer on some path. */
const SECRET_MEMBERS = new Set(['Plaintext', 'CiphertextBlob', 'ImportToken', 'EncryptedKeyMaterial', 'PublicKey']);

/** Crypto and read operations: readOnly in CloudTrail, and their responses are not logged. */
const READ_ONLY = /^(Encrypt|Decrypt|ReEncrypt|GenerateDataKey|GenerateRandom|Describe|List|Get)/;

export interface AuditRecord {
  eventVersion: string;
  userIdentity: Record<string, string>;
  eventTime: string;
  eventSource: string;
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  errorCode?: string;
  errorMessage?: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown>;
  serviceEventDetails?: Record<string, unknown>;
  requestID?: string;
  eventID: string;
  readOnly: boolean;
  resources: { accountId: string; type: 'AWS::KMS::Key'; ARN: string }[];
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: true;
  recipientAccountId: string;
  eventCategory: 'Management';
}

/** Request or response members as CloudTrail writes them: camelCase, ISO dates, no secrets. */
export function auditShape(value: unknown, member?: string): unknown {
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return undefined;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => auditShape(v)).filter((v) => v !== undefined);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    const keepCase = member !== undefined && MAP_MEMBERS.has(member);
    for (const [k, v] of Object.entries(value)) {
      if (!keepCase && SECRET_MEMBERS.has(k)) continue;
      const shaped = keepCase ? (typeof v === 'string' ? v : undefined) : auditShape(v, k);
      if (shaped !== undefined) out[keepCase ? k : camel(k)] = shaped;
    }
    return out;
  }
  return value;
}

function userIdentity(caller: Caller): Record<string, string> {
  const root = caller.arn.endsWith(':root');
  const identity: Record<string, string> = { type: root ? 'Root' : 'IAMUser', arn: caller.arn, accountId: caller.accountId };
  if (caller.accessKeyId) identity.accessKeyId = caller.accessKeyId;
  const name = /:user\/(?:.*\/)?([^/]+)$/.exec(caller.arn)?.[1];
  if (name) identity.userName = name;
  if (caller.invokedBy) identity.invokedBy = caller.invokedBy;
  return identity;
}

export interface ApiCallEvent {
  eventName: string;
  caller: Caller;
  input: unknown;
  /** Present when the call answered. */
  output?: unknown;
  error?: { code: string; message: string };
  keyArns: string[];
  at: Date;
}

/** CloudTrail names the algorithm of every Encrypt and Decrypt, sent or defaulted. */
const LOGS_ALGORITHM = new Set(['Encrypt', 'Decrypt']);

function requestParameters(e: ApiCallEvent): Record<string, unknown> {
  const params = (auditShape(e.input ?? {}) as Record<string, unknown> | undefined) ?? {};
  if (LOGS_ALGORITHM.has(e.eventName)) params.encryptionAlgorithm ??= 'SYMMETRIC_DEFAULT';
  return params;
}

export function apiCallRecord(scope: Scope, e: ApiCallEvent): AuditRecord {
  const record: AuditRecord = {
    eventVersion: EVENT_VERSION,
    userIdentity: userIdentity(e.caller),
    eventTime: e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: EVENT_SOURCE,
    eventName: e.eventName,
    awsRegion: scope.region,
    sourceIPAddress: e.caller.sourceIp ?? AWS_INTERNAL,
    userAgent: e.caller.userAgent ?? AWS_INTERNAL,
    requestParameters: requestParameters(e),
    responseElements: e.error || e.output === undefined || READ_ONLY.test(e.eventName) ? null : (auditShape(e.output) as Record<string, unknown>),
    requestID: e.caller.requestId,
    eventID: randomUUID(),
    readOnly: READ_ONLY.test(e.eventName),
    resources: e.keyArns.map((ARN) => ({ accountId: scope.accountId, type: 'AWS::KMS::Key' as const, ARN })),
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: scope.accountId,
    eventCategory: 'Management',
  };
  if (e.error) {
    record.errorCode = e.error.code;
    record.errorMessage = e.error.message;
  }
  return record;
}

export type ServiceEventName = 'RotateKey' | 'DeleteKey' | 'DeleteExpiredKeyMaterial';

export interface ServiceEvent {
  eventName: ServiceEventName;
  keyArn: string;
  at: Date;
}

export function serviceEventRecord(scope: Scope, e: ServiceEvent): AuditRecord {
  const record: AuditRecord = {
    eventVersion: EVENT_VERSION,
    userIdentity: { accountId: scope.accountId, invokedBy: AWS_INTERNAL },
    eventTime: e.at.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    eventSource: EVENT_SOURCE,
    eventName: e.eventName,
    awsRegion: scope.region,
    sourceIPAddress: AWS_INTERNAL,
    userAgent: AWS_INTERNAL,
    requestParameters: null,
    responseElements: null,
    eventID: randomUUID(),
    readOnly: false,
    resources: [{ accountId: scope.accountId, type: 'AWS::KMS::Key', ARN: e.keyArn }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: scope.accountId,
    eventCategory: 'Management',
  };
  if (e.eventName === 'RotateKey') record.serviceEventDetails = { keyId: e.keyArn };
  return record;
}
