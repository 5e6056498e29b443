/**
 * Step 4: the key decides, not the bucket. Alice may read Bob's bucket but has no right to his
 * key: S3 refuses her the document because the KMS refused her Decrypt. A grant from Bob lets
 * her read it; revoking the grant takes that back.
 */
import { CreateGrantCommand, ListGrantsCommand, RevokeGrantCommand } from '@aws-sdk/client-kms';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { refusalOf } from './actors.js';
import type { DemoRun, Step } from './context.js';
import { download } from './steps-envelope.js';

async function grantsOf(run: DemoRun): Promise<{ grants: Array<{ grantId: string; grantee: string; operations: string[] }>; requestId: string | undefined }> {
  const listed = await run.bob.kms.send(new ListGrantsCommand({ KeyId: run.key.id }));
  const grants = (listed.Grants ?? []).map((g) => ({ grantId: g.GrantId!, grantee: g.GranteePrincipal!, operations: g.Operations ?? [] }));
  return { grants, requestId: listed.$metadata.requestId };
}

export const grantAndRevoke: Step = async (run) => {
  const doc = run.documents[0]!;
  const { alice, bob } = run;
  const head = await alice.s3.send(new HeadObjectCommand({ Bucket: run.bucket, Key: doc.key }));
  const refused = await refusalOf(download(run, alice, doc));
  const granted = await bob.kms.send(new CreateGrantCommand({ KeyId: run.key.id, GranteePrincipal: alice.arn, Operations: ['Decrypt'], Name: 'alice-reads-reports' }));
  const withGrant = await grantsOf(run);
  const read = await download(run, alice, doc);
  const revoked = await bob.kms.send(new RevokeGrantCommand({ KeyId: run.key.id, GrantId: granted.GrantId! }));
  const afterRevoke = await grantsOf(run);
  const refusedAgain = await refusalOf(download(run, alice, doc));
  const grantLine = (g: { grantId: string; grantee: string; operations: string[] }): string => `  grant ${g.grantId.slice(0, 12)}... to ${g.grantee}: ${g.operations.join(', ')}`;
  return {
    step: 4,
    title: 'Alice may read the bucket, not use the key',
    lines: [
      `HeadObject as ${alice.name}: ${head.$metadata.httpStatusCode} (metadata needs no key: her S3 policy allows the read)`,
      `GetObject as ${alice.name}: ${refused.status} ${refused.code}: ${refused.message}`,
      `${bob.name} calls CreateGrant: ${alice.name} may Decrypt under the key (grant ${granted.GrantId!.slice(0, 12)}...); ListGrants:`,
      ...withGrant.grants.map(grantLine),
      `GetObject as ${alice.name}: ${read.status}, the document ${read.matches ? 'as Bob stored it' : 'CHANGED'}`,
      `${bob.name} calls RevokeGrant: ${revoked.$metadata.httpStatusCode}; ListGrants shows ${afterRevoke.grants.length} grant${afterRevoke.grants.length === 1 ? '' : 's'}`,
      `GetObject as ${alice.name}: ${refusedAgain.status} ${refusedAgain.code} again`,
    ],
    facts: {
      aliceHead: head.$metadata.httpStatusCode,
      refused,
      grant: { grantId: granted.GrantId, requestId: granted.$metadata.requestId, listed: withGrant.grants },
      readWithGrant: read,
      revoked: { requestId: revoked.$metadata.requestId, listed: afterRevoke.grants },
      refusedAgain,
    },
    audit: await run.audit.recordsOf([
      refused.requestId, granted.$metadata.requestId, withGrant.requestId, read.requestId, revoked.$metadata.requestId, afterRevoke.requestId, refusedAgain.requestId,
    ]),
  };
};
