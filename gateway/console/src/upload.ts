// Upload through S3's browser-form path (POST Object): the form's policy is written and signed
// here with the user's key (SigV4 POST policy), then the form goes to the bucket as any
// browser form would, so the gateway authorises it as a PutObject of its key by this user.
import { ApiError, Session, objectPath, textOf, xmlOf } from './api.js';

export interface UploadRequest {
  bucket: string;
  key: string;
  file: Blob;
  /** A KMS key id, ARN or alias for SSE-KMS; undefined: the bucket's default encryption. */
  kmsKeyId?: string;
}

function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export async function uploadObject(session: Session, up: UploadRequest): Promise<{ etag: string }> {
  const now = new Date();
  const date = amzDate(now);
  const fields: Record<string, string> = {
    key: up.key,
    'x-amz-algorithm': 'AWS4-HMAC-SHA256',
    'x-amz-credential': `${session.login.accessKeyId}/${date.slice(0, 8)}/${session.login.region}/s3/aws4_request`,
    'x-amz-date': date,
    success_action_status: '201',
  };
  if (up.kmsKeyId !== undefined) {
    fields['x-amz-server-side-encryption'] = 'aws:kms';
    fields['x-amz-server-side-encryption-aws-kms-key-id'] = up.kmsKeyId;
  }
  const policy = {
    expiration: new Date(now.getTime() + 10 * 60 * 1000).toISOString(),
    conditions: [{ bucket: up.bucket }, ...Object.entries(fields).map(([name, value]) => ({ [name]: value }))],
  };
  const encoded = btoa(String.fromCodePoint(...new TextEncoder().encode(JSON.stringify(policy))));
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('policy', encoded);
  form.append('x-amz-signature', await session.signPolicy(encoded, date.slice(0, 8)));
  // The file goes last: S3 ignores every field after it.
  form.append('file', up.file);
  const res = await fetch(`${session.origin}${objectPath(up.bucket)}`, { method: 'POST', body: form });
  const doc = xmlOf(await res.text());
  if (!res.ok) throw new ApiError(textOf(doc, 'Code') ?? `HTTP ${res.status}`, textOf(doc, 'Message') ?? '', res.status);
  return { etag: textOf(doc, 'ETag') ?? '' };
}
