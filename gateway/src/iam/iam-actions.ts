/**
 * The IAM actions served: each reads its Query parameters and returns the `<Action>Result`
 * body (or nothing), in the member names and order of the IAM API (2010-05-08). Actions that
 * take an optional UserName act on the caller's own user without one, as IAM does.
 */
import { PolicyDocumentError, parsePolicy } from '@kmsgate/kms-core';
import type { XmlObject } from '../http/xml.js';
import { IdentityError } from '../identity/errors.js';
import type { IdentityStore, Principal, UserView } from '../identity/identity.js';

export interface IamActionContext {
  store: IdentityStore;
  caller: Principal;
  params: URLSearchParams;
}

/** undefined: the action's response has no Result element. */
export type IamAction = (ctx: IamActionContext) => Promise<XmlObject | undefined>;

function required(params: URLSearchParams, name: string): string {
  const value = params.get(name);
  if (value === null) {
    const member = name[0]!.toLowerCase() + name.slice(1);
    throw new IdentityError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function userNameOr(ctx: IamActionContext): string {
  return ctx.params.get('UserName') ?? ctx.caller.name;
}

/** IAM writes dates as ISO 8601 to the second. */
export function iamDate(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function user(view: UserView): XmlObject {
  return { Path: view.Path, UserName: view.UserName, UserId: view.UserId, Arn: view.Arn, CreateDate: iamDate(view.CreateDate) };
}

/** Checks a policy with the one policy parser; its refusal is IAM's MalformedPolicyDocument. */
export function validateIdentityPolicy(document: string): void {
  try {
    parsePolicy(document, 'identity');
  } catch (err) {
    if (err instanceof PolicyDocumentError) throw new IdentityError('MalformedPolicyDocument', err.message);
    throw err;
  }
}

/** One page of a sorted list: Marker is the last item of the page before, MaxItems 1–1000. */
function page<T>(items: T[], keyOf: (item: T) => string, params: URLSearchParams): { items: T[]; IsTruncated: boolean; Marker?: string } {
  const max = Number(params.get('MaxItems') ?? '100');
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new IdentityError('ValidationError', `1 validation error detected: Value '${params.get('MaxItems')}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const marker = params.get('Marker');
  const after = marker === null ? items : items.filter((item) => keyOf(item) > Buffer.from(marker, 'base64url').toString('utf8'));
  const shown = after.slice(0, max);
  const truncated = after.length > max;
  return { items: shown, IsTruncated: truncated, ...(truncated && { Marker: Buffer.from(keyOf(shown[shown.length - 1]!), 'utf8').toString('base64url') }) };
}

export const IAM_ACTIONS: Readonly<Record<string, IamAction>> = {
  CreateUser: async ({ store, params }) => ({ User: user(await store.createUser(required(params, 'UserName'), params.get('Path') ?? '/')) }),
  GetUser: async (ctx) => ({ User: user(ctx.store.getUser(userNameOr(ctx))) }),
  ListUsers: async ({ store, params }) => {
    const prefix = params.get('PathPrefix') ?? '/';
    const listed = page(store.listUsers().filter((u) => u.Path.startsWith(prefix)), (u) => u.UserName, params);
    return { Users: { member: listed.items.map(user) }, IsTruncated: listed.IsTruncated, Marker: listed.Marker };
  },
  DeleteUser: async ({ store, params }) => {
    await store.deleteUser(required(params, 'UserName'));
    return undefined;
  },
  CreateAccessKey: async (ctx) => {
    const key = await ctx.store.createAccessKey(userNameOr(ctx));
    return { AccessKey: { UserName: key.UserName, AccessKeyId: key.AccessKeyId, Status: key.Status, SecretAccessKey: key.SecretAccessKey, CreateDate: iamDate(key.CreateDate) } };
  },
  ListAccessKeys: async (ctx) => {
    const listed = page(ctx.store.listAccessKeys(userNameOr(ctx)), (k) => k.AccessKeyId, ctx.params);
    return {
      UserName: ctx.store.getUser(userNameOr(ctx)).UserName,
      AccessKeyMetadata: { member: listed.items.map((k) => ({ UserName: k.UserName, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: iamDate(k.CreateDate) })) },
      IsTruncated: listed.IsTruncated,
      Marker: listed.Marker,
    };
  },
  UpdateAccessKey: async (ctx) => {
    await ctx.store.updateAccessKey(userNameOr(ctx), required(ctx.params, 'AccessKeyId'), required(ctx.params, 'Status'));
    return undefined;
  },
  DeleteAccessKey: async (ctx) => {
    await ctx.store.deleteAccessKey(userNameOr(ctx), required(ctx.params, 'AccessKeyId'));
    return undefined;
  },
  PutUserPolicy: async ({ store, params }) => {
    await store.putUserPolicy(required(params, 'UserName'), required(params, 'PolicyName'), required(params, 'PolicyDocument'), validateIdentityPolicy);
    return undefined;
  },
  GetUserPolicy: async ({ store, params }) => {
    const found = store.getUserPolicy(required(params, 'UserName'), required(params, 'PolicyName'));
    // IAM returns policy documents URL-encoded (RFC 3986); the AWS CLI decodes them.
    return { UserName: found.UserName, PolicyName: found.PolicyName, PolicyDocument: encodeURIComponent(found.PolicyDocument) };
  },
  ListUserPolicies: async ({ store, params }) => {
    const listed = page(store.listUserPolicies(required(params, 'UserName')), (name) => name, params);
    return { PolicyNames: { member: listed.items }, IsTruncated: listed.IsTruncated, Marker: listed.Marker };
  },
  DeleteUserPolicy: async ({ store, params }) => {
    await store.deleteUserPolicy(required(params, 'UserName'), required(params, 'PolicyName'));
    return undefined;
  },
};
