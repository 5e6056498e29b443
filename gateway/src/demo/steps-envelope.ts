/**
 * Steps 1 to 3 of the walkthrough: Bob's customer managed key, an SSE-KMS upload seen from the
 * response, the audit trail and the disk, and the download that unwraps the data key again.
 */
import { CreateKeyCommand, DescribeKeyCommand, GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { DemoRun, Document, Step } from './context.js';
import { HEADER_SIZE } from '../sse/format/gwse.js';
import { readObjectOnDisk } from './disk.js';
import { hexBytes, printable } from './narrate.js';

interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: unknown;
}

function principalText(principal: unknown): string {
  if (typeof principal === 'string') return principal;
  const aws = (principal as { AWS?: unknown }).AWS;
  return Array.isArray(aws) ? aws.join(', ') : String(aws);
}

export const createKey: Step = async (run) => {
  const created = await run.bob.kms.send(new CreateKeyCommand({ Description: "Bob's documents" }));
  run.key = { id: created.KeyMetadata!.KeyId!, arn: created.KeyMetadata!.Arn! };
  const described = await run.bob.kms.send(new DescribeKeyCommand({ KeyId: run.key.id }));
  const meta = described.KeyMetadata!;
  const policyOut = await run.bob.kms.send(new GetKeyPolicyCommand({ KeyId: run.key.id, PolicyName: 'default' }));
  const policy = JSON.parse(policyOut.Policy!) as { Statement: PolicyStatement[] };
  return {
    step: 1,
    title: "Bob creates a customer managed key",
    lines: [
      `CreateKey answered with the key's ARN: ${run.key.arn}`,
      `DescribeKey: state ${meta.KeyState}, ${meta.KeyManager === 'CUSTOMER' ? 'customer managed' : meta.KeyManager}, ${meta.KeySpec} for ${meta.KeyUsage}`,
      `GetKeyPolicy "default" (${policy.Statement.length} statement${policy.Statement.length === 1 ? '' : 's'}):`,
      ...policy.Statement.map((s) => `  ${s.Sid ?? '(no Sid)'}: ${s.Effect} ${principalText(s.Principal)} ${JSON.stringify(s.Action)}`),
      'The key policy lets the account decide through IAM: Bob may use the key because his identity policy allows kms:*.',
    ],
    facts: { keyArn: run.key.arn, keyId: run.key.id, keyState: meta.KeyState, keyManager: meta.KeyManager, keySpec: meta.KeySpec, keyPolicy: policy },
    audit: await run.audit.recordsOf([created.$metadata.requestId, described.$metadata.requestId, policyOut.$metadata.requestId]),
  };
};

/** A report of about 100 KiB: two GWSE segments, and readable text to put beside its ciphertext. */
export function quarterlyReport(quarter: string): Buffer {
  const lines = [`${quarter} REPORT - Bob's team - confidential\n`];
  for (let i = 1; lines.join('').length < 100_000; i++) lines.push(`${quarter} line ${i}: revenue, costs and the plans nobody outside the team may read.\n`);
  return Buffer.from(lines.join(''), 'utf8');
}

/** Bob stores a document with SSE-KMS under his key: the response, the data key as observed, the disk. */
export async function uploadDocument(run: DemoRun, doc: Document): Promise<{ lines: string[]; facts: Record<string, unknown>; requestId: string | undefined }> {
  const put = await run.bob.s3.send(new PutObjectCommand({ Bucket: run.bucket, Key: doc.key, Body: doc.body, ServerSideEncryption: 'aws:kms', SSEKMSKeyId: run.key.arn }));
  run.documents.push(doc);
  const lines = [`PutObject ${doc.key} (${doc.body.length} bytes): ${put.ServerSideEncryption} under ${put.SSEKMSKeyId}, ETag ${put.ETag}`];
  const observed = run.dataKeys.of(run.bucket, doc.key);
  if (observed) {
    lines.push(
      `GenerateDataKey gave the gateway a ${observed.length * 8}-bit plaintext data key, fingerprint ${observed.fingerprint} (SHA-256, first 8 hex; never the key)`,
      `after the PUT the gateway wiped it: the key's buffer now holds ${observed.wipedToZeros ? `${observed.length} zero bytes` : 'SOMETHING OTHER THAN ZEROS'}`,
    );
  } else {
    lines.push('the data key lives in the gateway process, which this demo does not run: its wipe is not observable from here');
  }
  const facts: Record<string, unknown> = { put: { requestId: put.$metadata.requestId, etag: put.ETag, serverSideEncryption: put.ServerSideEncryption, sseKmsKeyId: put.SSEKMSKeyId }, dataKey: observed };
  if (run.dataDir !== undefined) {
    const disk = await readObjectOnDisk(run.dataDir, run.bucket, doc.key, doc.body);
    const plaintextStart = doc.body.subarray(0, disk.ciphertextStart.length);
    // A small object's stored bytes are kept inside its metadata record (one file, one fsync).
    const stored = disk.inline ? `inside its metadata record ${disk.dataFile}` : `data file ${disk.dataFile}`;
    lines.push(
      `on disk, ${stored} (${disk.dataFileSize} bytes stored: a ${HEADER_SIZE}-byte header starting "${printable(disk.headerStart.subarray(0, 4))}", then AES-256-GCM segments and their tags):`,
      `  plaintext  first bytes: ${hexBytes(plaintextStart)}  |${printable(plaintextStart)}|`,
      `  ciphertext first bytes: ${hexBytes(disk.ciphertextStart)}  |${printable(disk.ciphertextStart)}|`,
      `  the plaintext occurs in the ${disk.inline ? 'record' : 'data file'}: ${disk.plaintextInFile ? 'YES' : 'no'}`,
      `metadata record ${disk.recordFile}:`,
      `  KMS key ${disk.metadata.kmsKeyArn}`,
      `  wrapped data key: ${disk.wrappedKey.bytes} bytes, fingerprint ${disk.wrappedKey.fingerprint}, wrapped by key material version ${disk.wrappedKey.keyMaterialVersion}`,
      `  encryption context ${JSON.stringify(disk.metadata.encryptionContext)}`,
      `  ${disk.metadata.algorithm}, ${disk.metadata.segmentSize}-byte segments, ${disk.metadata.plaintextSize} plaintext bytes in ${disk.metadata.ciphertextSize}`,
    );
    facts.disk = {
      dataFile: disk.dataFile,
      inline: disk.inline,
      dataFileSize: disk.dataFileSize,
      recordFile: disk.recordFile,
      plaintextStart: plaintextStart.toString('hex'),
      ciphertextStart: disk.ciphertextStart.toString('hex'),
      plaintextInFile: disk.plaintextInFile,
      kmsKeyArn: disk.metadata.kmsKeyArn,
      wrappedKey: disk.wrappedKey,
      encryptionContext: disk.metadata.encryptionContext,
      algorithm: disk.metadata.algorithm,
    };
  }
  return { lines, facts, requestId: put.$metadata.requestId };
}

export const upload: Step = async (run) => {
  const bucket = await run.bob.s3.send(new CreateBucketCommand({ Bucket: run.bucket }));
  const uploaded = await uploadDocument(run, { key: 'reports/q3.txt', body: quarterlyReport('Q3') });
  return {
    step: 2,
    title: 'Bob uploads a document with SSE-KMS',
    lines: [`CreateBucket ${run.bucket}: ${bucket.$metadata.httpStatusCode}`, ...uploaded.lines],
    facts: { bucket: run.bucket, ...uploaded.facts },
    audit: await run.audit.recordsOf([uploaded.requestId]),
  };
};

/** GetObject as `who`: the body and what the response says of its encryption. */
export async function download(run: DemoRun, who: DemoRun['bob'], doc: Document): Promise<{ status: number | undefined; matches: boolean; requestId: string | undefined; sse?: string; kmsKey?: string }> {
  const got = await who.s3.send(new GetObjectCommand({ Bucket: run.bucket, Key: doc.key }));
  const body = Buffer.from(await got.Body!.transformToByteArray());
  return { status: got.$metadata.httpStatusCode, matches: body.equals(doc.body), requestId: got.$metadata.requestId, sse: got.ServerSideEncryption, kmsKey: got.SSEKMSKeyId };
}

export const downloadBack: Step = async (run) => {
  const doc = run.documents[0]!;
  const got = await download(run, run.bob, doc);
  const start = doc.body.subarray(0, 40);
  return {
    step: 3,
    title: 'Bob downloads it',
    lines: [
      `GetObject ${doc.key}: ${got.status}, ${got.sse} under ${got.kmsKey}`,
      'the gateway sent the wrapped data key to the KMS (Decrypt, as Bob, via S3), got the data key back and decrypted the segments',
      `the body is the document Bob uploaded, byte for byte: ${got.matches ? 'yes' : 'NO'}; it begins "${printable(start)}"`,
    ],
    facts: { get: got },
    audit: await run.audit.recordsOf([got.requestId]),
  };
};
