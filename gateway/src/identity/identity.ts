/**
 * Who may call the gateway: users (the admin and any others), each with access keys and
 * inline policies, mapped to principals `arn:aws:iam::<account>:user<path><name>`.
 *
 * Kept in `identity.json` (format: identity-document.ts), written with kms-core's durable
 * lowdb adapter: mode 0600 from creation, fsynced before any answer. Every change goes
 * through `mutate`, one at a time, on a copy that replaces the document (and the lookup
 * table every request authenticates against) only once it is on disk: so a key deactivated
 * or deleted is refused by the very next request, and an answer given survives a power cut.
 *
 * The admin's key comes from the environment (`given`: held in memory only, never written),
 * or is generated on first start. The admin user itself always exists and cannot be deleted,
 * and its last active stored key cannot be deactivated or deleted: that would lock it out.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile, Mutex, StoreFileError } from '@kmsgate/kms-core';
import { IdentityError, checkParameter } from './errors.js';
import {
  ADMIN, authenticate, checkStoredIdentity, emptyDocument, sealSecret, unsealSecret,
  type IdentityDocument, type KeyStatus, type StoredUser,
} from './identity-document.js';

export { ADMIN } from './identity-document.js';
export type { KeyStatus } from './identity-document.js';

export interface Principal {
  name: string;
  arn: string;
  accountId: string;
  accessKeyId: string;
}

export interface AccessKey {
  accessKeyId: string;
  secretAccessKey: string;
  principal: Principal;
}

export interface UserView {
  UserName: string;
  UserId: string;
  Path: string;
  Arn: string;
  CreateDate: Date;
}

export interface AccessKeyView {
  UserName: string;
  AccessKeyId: string;
  Status: KeyStatus;
  CreateDate: Date;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const USER_NAME = /^[\w+=,.@-]+$/;
const POLICY_NAME = /^[\w+=,.@-]+$/;
const ACCESS_KEY_ID = /^\w+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;
/** IAM's quotas: two keys per user; 2,048 characters of inline policy per user, whitespace not counted. */
const KEYS_PER_USER = 2;
const INLINE_POLICY_CHARS = 2048;

function base32(bytes: number): string {
  return Array.from(randomBytes(bytes), (b) => BASE32[b % 32]).join('');
}

export function generateAccessKey(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: `AKIA${base32(16)}`, secretAccessKey: randomBytes(30).toString('base64') };
}

/** IAM user ids: "AIDA" and 17 characters. */
function newUserId(): string {
  return `AIDA${base32(17)}`;
}

function noSuchUser(name: string): IdentityError {
  return new IdentityError('NoSuchEntity', `The user with name ${name} cannot be found.`);
}

export interface OpenedIdentity {
  store: IdentityStore;
  admin: AccessKey;
  /** True when this open generated the admin's key (print it once). */
  created: boolean;
}

export class IdentityStore {
  readonly #db: Low<IdentityDocument>;
  readonly #rootKey: Buffer;
  readonly #accountId: string;
  readonly #given: { accessKeyId: string; secretAccessKey: string } | undefined;
  readonly #mutex = new Mutex();
  /** accessKeyId → key, Active keys only: what requests authenticate against. */
  #active = new Map<string, AccessKey>();

  private constructor(db: Low<IdentityDocument>, opts: { rootKey: Buffer; accountId: string; given?: { accessKeyId: string; secretAccessKey: string } }) {
    this.#db = db;
    // A copy: the caller zeroes its root key when the gateway closes, and so does close().
    this.#rootKey = Buffer.from(opts.rootKey);
    this.#accountId = opts.accountId;
    this.#given = opts.given;
    this.#active = this.#index(db.data);
  }

  static async open(opts: {
    dataDir: string;
    rootKey: Buffer;
    accountId: string;
    given?: { accessKeyId: string; secretAccessKey: string };
    /** Read what is there and write nothing (another process owns the data directory). */
    readOnly?: boolean;
  }): Promise<OpenedIdentity> {
    const path = join(opts.dataDir, 'identity.json');
    const adapter = new DurableJsonFile<IdentityDocument>(path);
    const stored = await adapter.read();
    let draft: Omit<IdentityDocument, 'mac'>;
    let write = false;
    if (stored === null) {
      draft = emptyDocument(opts.rootKey);
      draft.users.push({ name: ADMIN, userId: newUserId(), path: '/', createdAt: new Date().toISOString(), accessKeys: [], policies: [] });
    } else {
      const checked = checkStoredIdentity(stored, { rootKey: opts.rootKey, path, newUserId });
      draft = checked.doc;
      write = checked.upgraded;
    }
    const admin = findUser(draft as IdentityDocument, ADMIN);
    if (!admin) throw new StoreFileError(path, 'it holds no admin user');
    let created = false;
    if (!opts.given && !admin.accessKeys.some((k) => k.status === 'Active')) {
      const key = generateAccessKey();
      admin.accessKeys.push({ accessKeyId: key.accessKeyId, sealedSecret: sealSecret(opts.rootKey, ADMIN, key.accessKeyId, key.secretAccessKey), status: 'Active', createdAt: new Date().toISOString() });
      write = created = true;
    }
    if (write && opts.readOnly) throw new StoreFileError(path, "the gateway has not finished it yet (no admin key, or the first release's format): start the gateway once first");
    const db = new Low<IdentityDocument>(adapter, authenticate(draft, opts.rootKey));
    // On disk before anyone is shown a new key: a key printed but lost would lock the admin out.
    if (write) await db.write();
    const store = new IdentityStore(db, opts);
    return { store, admin: store.adminKey()!, created };
  }

  /** The admin's key: the one from the environment, else its first active stored key. */
  adminKey(): AccessKey | undefined {
    if (this.#given) return this.#active.get(this.#given.accessKeyId);
    const admin = this.#user(ADMIN)!;
    const first = admin.accessKeys.find((k) => k.status === 'Active');
    return first && this.#active.get(first.accessKeyId);
  }

  /** An active key, or undefined (unknown, inactive or deleted: the request is refused). */
  lookup(accessKeyId: string): AccessKey | undefined {
    return this.#active.get(accessKeyId);
  }

  principalFor(user: Pick<StoredUser, 'name' | 'path'>, accessKeyId: string): Principal {
    return { name: user.name, arn: this.#arn(user), accountId: this.#accountId, accessKeyId };
  }

  getUser(name: string): UserView {
    const user = this.#user(name);
    if (!user) throw noSuchUser(name);
    return this.#view(user);
  }

  listUsers(): UserView[] {
    return this.#db.data.users.map((u) => this.#view(u)).sort((a, b) => (a.UserName < b.UserName ? -1 : 1));
  }

  listAccessKeys(userName: string): AccessKeyView[] {
    const user = this.#user(userName);
    if (!user) throw noSuchUser(userName);
    return user.accessKeys.map((k) => ({ UserName: user.name, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: new Date(k.createdAt) }));
  }

  listUserPolicies(userName: string): string[] {
    const user = this.#user(userName);
    if (!user) throw noSuchUser(userName);
    return user.policies.map((p) => p.name).sort();
  }

  getUserPolicy(userName: string, policyName: string): { UserName: string; PolicyName: string; PolicyDocument: string } {
    const user = this.#user(userName);
    if (!user) throw noSuchUser(userName);
    const policy = user.policies.find((p) => p.name === policyName);
    if (!policy) throw new IdentityError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
    return { UserName: user.name, PolicyName: policy.name, PolicyDocument: policy.document };
  }

  /** The inline policy documents of the user an access key belongs to (for the authoriser). */
  policiesOf(userName: string): string[] {
    return this.#user(userName)?.policies.map((p) => p.document) ?? [];
  }

  async createUser(name: string, path = '/'): Promise<UserView> {
    checkParameter('userName', name, USER_NAME, 1, 64);
    checkParameter('path', path, PATH, 1, 512);
    return this.#mutate((doc) => {
      if (findUser(doc, name)) throw new IdentityError('EntityAlreadyExists', `User with name ${name} already exists.`);
      const user: StoredUser = { name, userId: newUserId(), path, createdAt: new Date().toISOString(), accessKeys: [], policies: [] };
      doc.users.push(user);
      return this.#view(user);
    });
  }

  deleteUser(name: string): Promise<void> {
    return this.#mutate((doc) => {
      const user = findUser(doc, name);
      if (!user) throw noSuchUser(name);
      if (user.name === ADMIN) throw new IdentityError('DeleteConflict', 'The admin user cannot be deleted.');
      if (user.accessKeys.length > 0) throw new IdentityError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
      if (user.policies.length > 0) throw new IdentityError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
      doc.users.splice(doc.users.indexOf(user), 1);
    });
  }

  /** A new key pair; the secret is returned this once and stored only sealed. */
  createAccessKey(userName: string): Promise<AccessKeyView & { SecretAccessKey: string }> {
    return this.#mutate((doc) => {
      const user = findUser(doc, userName);
      if (!user) throw noSuchUser(userName);
      if (user.accessKeys.length >= KEYS_PER_USER) throw new IdentityError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
      const key = generateAccessKey();
      const createdAt = new Date().toISOString();
      user.accessKeys.push({ accessKeyId: key.accessKeyId, sealedSecret: sealSecret(this.#rootKey, user.name, key.accessKeyId, key.secretAccessKey), status: 'Active', createdAt });
      return { UserName: user.name, AccessKeyId: key.accessKeyId, Status: 'Active', SecretAccessKey: key.secretAccessKey, CreateDate: new Date(createdAt) };
    });
  }

  async updateAccessKey(userName: string, accessKeyId: string, status: string): Promise<void> {
    if (status !== 'Active' && status !== 'Inactive') {
      throw new IdentityError('ValidationError', `1 validation error detected: Value '${status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]`);
    }
    return this.#mutate((doc) => {
      const key = this.#keyOf(doc, userName, accessKeyId);
      if (status === 'Inactive') this.#keepAdminIn(doc, userName, accessKeyId);
      key.status = status;
    });
  }

  deleteAccessKey(userName: string, accessKeyId: string): Promise<void> {
    return this.#mutate((doc) => {
      const key = this.#keyOf(doc, userName, accessKeyId);
      this.#keepAdminIn(doc, userName, accessKeyId);
      const user = findUser(doc, userName)!;
      user.accessKeys.splice(user.accessKeys.indexOf(key), 1);
    });
  }

  /** `validate` checks the document (the one policy parser, kms-core's) before it is stored. */
  async putUserPolicy(userName: string, policyName: string, document: string, validate: (document: string) => void): Promise<void> {
    checkParameter('policyName', policyName, POLICY_NAME, 1, 128);
    checkParameter('policyDocument', document, /^[\u0009\u000A\u000D\u0020-\u00FF]+$/, 1, 131072);
    validate(document);
    return this.#mutate((doc) => {
      const user = findUser(doc, userName);
      if (!user) throw noSuchUser(userName);
      const others = user.policies.filter((p) => p.name !== policyName);
      const size = [...others.map((p) => p.document), document].reduce((n, text) => n + text.replace(/\s/g, '').length, 0);
      if (size > INLINE_POLICY_CHARS) throw new IdentityError('LimitExceeded', `Maximum policy size of ${INLINE_POLICY_CHARS} bytes exceeded for user ${user.name}`);
      user.policies = [...others, { name: policyName, document }];
    });
  }

  deleteUserPolicy(userName: string, policyName: string): Promise<void> {
    return this.#mutate((doc) => {
      const user = findUser(doc, userName);
      if (!user) throw noSuchUser(userName);
      const index = user.policies.findIndex((p) => p.name === policyName);
      if (index === -1) throw new IdentityError('NoSuchEntity', `The user policy with name ${policyName} cannot be found.`);
      user.policies.splice(index, 1);
    });
  }

  /** Waits for queued changes, then forgets the secrets. */
  async close(): Promise<void> {
    await this.#mutex.run(() => undefined);
    this.#active = new Map();
    this.#rootKey.fill(0);
  }

  #keyOf(doc: IdentityDocument, userName: string, accessKeyId: string): IdentityDocument['users'][number]['accessKeys'][number] {
    checkParameter('accessKeyId', accessKeyId, ACCESS_KEY_ID, 16, 128);
    const user = findUser(doc, userName);
    if (!user) throw noSuchUser(userName);
    const key = user.accessKeys.find((k) => k.accessKeyId === accessKeyId);
    if (!key) throw new IdentityError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    return key;
  }

  #keepAdminIn(doc: IdentityDocument, userName: string, accessKeyId: string): void {
    const user = findUser(doc, userName)!;
    if (user.name !== ADMIN) return;
    const stillActive = user.accessKeys.filter((k) => k.status === 'Active' && k.accessKeyId !== accessKeyId);
    const wasActive = user.accessKeys.some((k) => k.status === 'Active' && k.accessKeyId === accessKeyId);
    if (wasActive && stillActive.length === 0) {
      throw new IdentityError('DeleteConflict', "The admin user's last active access key cannot be deactivated or deleted; create another one first.");
    }
  }

  #mutate<T>(change: (doc: IdentityDocument) => T): Promise<T> {
    return this.#mutex.run(async () => {
      const draft = structuredClone(this.#db.data);
      const result = change(draft);
      const committed = this.#db.data;
      this.#db.data = authenticate(draft, this.#rootKey);
      try {
        await this.#db.write();
      } catch (err) {
        this.#db.data = committed;
        throw err;
      }
      this.#active = this.#index(this.#db.data);
      return result;
    });
  }

  #index(doc: IdentityDocument): Map<string, AccessKey> {
    const active = new Map<string, AccessKey>();
    for (const user of doc.users) {
      for (const key of user.accessKeys) {
        if (key.status !== 'Active') continue;
        // Reuse what is already open: unsealing every key on every change would be wasted work.
        const known = this.#active.get(key.accessKeyId);
        const secret = known?.principal.name === user.name ? known.secretAccessKey : unsealSecret(this.#rootKey, user.name, key.accessKeyId, key.sealedSecret);
        if (secret === null) {
          throw new IdentityError('ValidationError', `the secret of '${user.name}' (${key.accessKeyId}) does not open: is this the root key the data directory was created with?`);
        }
        active.set(key.accessKeyId, { accessKeyId: key.accessKeyId, secretAccessKey: secret, principal: this.principalFor(user, key.accessKeyId) });
      }
    }
    if (this.#given) {
      const admin = findUser(doc, ADMIN)!;
      active.set(this.#given.accessKeyId, { ...this.#given, principal: this.principalFor(admin, this.#given.accessKeyId) });
    }
    return active;
  }

  #user(name: string): StoredUser | undefined {
    return findUser(this.#db.data, name);
  }

  #arn(user: Pick<StoredUser, 'name' | 'path'>): string {
    return `arn:aws:iam::${this.#accountId}:user${user.path}${user.name}`;
  }

  #view(user: StoredUser): UserView {
    return { UserName: user.name, UserId: user.userId, Path: user.path, Arn: this.#arn(user), CreateDate: new Date(user.createdAt) };
  }
}

/** IAM user names are unique regardless of case. */
function findUser(doc: IdentityDocument, name: string): StoredUser | undefined {
  const lower = name.toLowerCase();
  return doc.users.find((u) => u.name.toLowerCase() === lower);
}
