/**
 * PostObject: `POST /<bucket>` with a multipart/form-data body, the browser form upload.
 * The form authenticates itself: its policy's signature, not an Authorization header, says
 * who sends it, so this operation receives no principal and finds it in the form.
 *
 * 1. Not multipart/form-data → 412 PreconditionFailed (Condition names the enclosure type).
 * 2. The form is read (form-storage.ts); when its file part begins, with every field before
 *    it in hand: the key, the signature (form-auth.ts, auth/verify.ts), the policy
 *    (post-policy.ts), s3:PutObject on the key for the signer (its identity policy and the
 *    bucket policy, the form's SSE fields as condition keys), then the fields as PutObject's headers: ACL, system and user
 *    metadata, SSE (the form's x-amz-server-side-encryption* fields, else the bucket
 *    default), Content-MD5 and x-amz-checksum-* fields.
 * 3. The file streams through the one write path (sse/object-writer.ts) with no declared
 *    length; content-length-range (and S3's 5 GiB) is enforced as it streams, and a file
 *    outside it is EntityTooSmall/EntityTooLarge with its whole size, once it was read.
 * 4. The answer the form asks for (post-response.ts).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import type { PostPolicyV2, PostPolicyV4 } from '../auth/index.js';
import { MAX_SINGLE_PUT, contentChecks } from '../http/body.js';
import { S3Error } from '../http/errors.js';
import { headerValue } from '../http/headers.js';
import { objectIo, type OperationContext, type OperationResult } from '../operations/operation.js';
import { refuseAclHeaders } from '../s3/acl.js';
import { sseForNewObject } from '../s3/bucket-encryption.js';
import { newObjectSseHeaders, userMetadataOf } from '../s3/object-headers.js';
import { systemMetadataOf } from '../s3/system-metadata.js';
import { checksumsOf, writeEncryptedObject, type WrittenObject } from '../sse/index.js';
import { parseRequestChecksum } from '../checksums/index.js';
import { formKey, formSignature } from './form-auth.js';
import type { PostForm } from './form-fields.js';
import { readPostForm, type FilePart } from './form-storage.js';
import { checkPostPolicy, parsePostPolicy, type LengthRange } from './post-policy.js';
import { postAnswer } from './post-response.js';

/** Who signed the form, as the operations that authenticate by header are told. */
export type FormSigner = Pick<OperationContext, 'auth' | 'principal' | 'caller' | 'access'>;

export interface FormContext extends Omit<OperationContext, 'auth' | 'principal' | 'caller' | 'access'> {
  /**
   * Verifies the form's signature over its policy (throws the S3 error when it fails); the
   * signer's rights take their write condition keys from the form's `fields`.
   */
  authenticate(signature: PostPolicyV2 | PostPolicyV4, fields: IncomingHttpHeaders): FormSigner;
  now: Date;
}

export type FormOperation = (ctx: FormContext) => Promise<OperationResult>;

const NOT_A_FORM = 'Bucket POST must be of the enclosure-type multipart/form-data';

/**
 * Passes the file through while it is within `range`; past the maximum it passes nothing
 * more but still counts, so the answer can say how large the file was.
 */
function sizeCheck(range: LengthRange): Transform {
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      size += chunk.length;
      done(null, size > range.max ? undefined : chunk);
    },
    flush(done: TransformCallback) {
      if (size > range.max) return done(new S3Error('EntityTooLarge', undefined, { ProposedSize: size, MaxSizeAllowed: range.max }));
      if (size < range.min) return done(new S3Error('EntityTooSmall', undefined, { ProposedSize: size, MinSizeAllowed: range.min }));
      done();
    },
  });
}

/** The bucket's URL as this request reached it: virtual-hosted when the path does not name it. */
function bucketUrl(ctx: FormContext): string {
  const scheme = 'encrypted' in ctx.req.socket ? 'https' : 'http';
  const path = (ctx.req.url ?? '/').split('?')[0];
  const base = `${scheme}://${ctx.headers.host ?? 'localhost'}`;
  return path === '/' ? base : `${base}/${ctx.bucket}`;
}

interface Stored {
  key: string;
  written: WrittenObject;
  headers: Record<string, string>;
  form: PostForm;
}

async function storeFile(ctx: FormContext, form: PostForm, file: FilePart): Promise<Stored> {
  const key = formKey(form);
  const signature = formSignature(form);
  const headers = form.asHeaders();
  const signer = ctx.authenticate(signature, headers);
  const range = checkPostPolicy(parsePostPolicy(signature.policy), form, ctx.bucket, ctx.now);
  // A form is a PutObject of its key, authorised as one.
  await signer.access.require('s3:PutObject', { bucket: ctx.bucket, key });
  refuseAclHeaders(headers);
  const system = systemMetadataOf(headers);
  const userMetadata = userMetadataOf(headers);
  const checks = contentChecks(headers, parseRequestChecksum(headers));
  const sse = await sseForNewObject(ctx.deps.store, ctx.bucket, headers);
  const allowed = { min: range?.min ?? 0, max: Math.min(range?.max ?? MAX_SINGLE_PUT, MAX_SINGLE_PUT) };
  const written = await writeEncryptedObject({
    ...objectIo({ ...ctx, ...signer }),
    bucket: ctx.bucket,
    key,
    sse,
    length: null,
    plaintext: () => [file.stream, sizeCheck(allowed), ...checks.stages],
    checksums: () => checksumsOf(checks.checksum()),
    attributes: { ...system, userMetadata },
  });
  const answerHeaders: Record<string, string> = newObjectSseHeaders(written, headers);
  for (const [algorithm, value] of Object.entries(written.checksums)) answerHeaders[`x-amz-checksum-${algorithm.toLowerCase()}`] = value;
  answerHeaders['x-amz-checksum-type'] = 'FULL_OBJECT';
  return { key, written, headers: answerHeaders, form };
}

export const PostObject: FormOperation = async (ctx) => {
  const type = headerValue(ctx.headers, 'content-type') ?? '';
  if (!/^multipart\/form-data\s*(;|$)/i.test(type)) throw new S3Error('PreconditionFailed', undefined, { Condition: NOT_A_FORM });
  let stored: Stored | undefined;
  await readPostForm(ctx.req, async (form, file) => {
    stored = await storeFile(ctx, form, file);
  });
  const { key, written, headers, form } = stored!;
  return postAnswer({
    bucket: ctx.bucket,
    key,
    written,
    bucketUrl: bucketUrl(ctx),
    headers,
    redirect: form.value('success_action_redirect') ?? form.value('redirect'),
    status: form.value('success_action_status'),
  });
};
