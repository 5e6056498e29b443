/**
 * Steps 5 and 6: the key's life. Rotation adds key material and keeps the old, so every blob
 * still opens and new ones use the new material; disabling the key stops every read of every
 * object under it until it is enabled again, with the error S3 gives for it.
 */
import { DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, ListKeyRotationsCommand, RotateKeyOnDemandCommand } from '@aws-sdk/client-kms';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { refusalOf } from './actors.js';
import type { DemoRun, Step } from './context.js';
import { readObjectOnDisk } from './disk.js';
import { download, quarterlyReport, uploadDocument } from './steps-envelope.js';

async function describe(run: DemoRun): Promise<{ state: string; material: string | undefined; requestId: string | undefined }> {
  const out = await run.bob.kms.send(new DescribeKeyCommand({ KeyId: run.key.id }));
  return { state: out.KeyMetadata!.KeyState!, material: out.KeyMetadata!.CurrentKeyMaterialId, requestId: out.$metadata.requestId };
}

export const rotate: Step = async (run) => {
  const before = await describe(run);
  const rotated = await run.bob.kms.send(new RotateKeyOnDemandCommand({ KeyId: run.key.id }));
  const after = await describe(run);
  const rotations = await run.bob.kms.send(new ListKeyRotationsCommand({ KeyId: run.key.id, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' }));
  const materials = (rotations.Rotations ?? []).map((r) => ({ keyMaterialId: r.KeyMaterialId, state: r.KeyMaterialState, rotationType: r.RotationType ?? null }));
  const old = await download(run, run.bob, run.documents[0]!);
  const uploaded = await uploadDocument(run, { key: 'reports/q4.txt', body: quarterlyReport('Q4') });
  const lines = [
    `RotateKeyOnDemand: ${rotated.$metadata.httpStatusCode}; current key material ${before.material} -> ${after.material}`,
    'ListKeyRotations (all material):',
    ...materials.map((m) => `  ${m.keyMaterialId}: ${m.state}${m.rotationType ? ` (${m.rotationType})` : ''}`),
    `GetObject ${run.documents[0]!.key} (wrapped before the rotation): ${old.status}, ${old.matches ? 'intact' : 'CHANGED'}`,
    ...uploaded.lines.slice(0, 1),
  ];
  const wrappedBy: Array<{ key: string; keyMaterialVersion: number }> = [];
  if (run.dataDir !== undefined) {
    for (const doc of run.documents) {
      const disk = await readObjectOnDisk(run.dataDir, run.bucket, doc.key, doc.body);
      wrappedBy.push({ key: doc.key, keyMaterialVersion: disk.wrappedKey.keyMaterialVersion });
    }
    lines.push('which key material wraps each data key (read from the wrapped key in each metadata record):', ...wrappedBy.map((w) => `  ${w.key}: material version ${w.keyMaterialVersion}`));
  }
  return {
    step: 5,
    title: 'The key is rotated',
    lines,
    facts: { before: before.material, after: after.material, rotations: materials, oldDocument: old, newDocument: uploaded.facts, wrappedBy },
    audit: await run.audit.recordsOf([before.requestId, rotated.$metadata.requestId, after.requestId, rotations.$metadata.requestId, old.requestId, uploaded.requestId]),
  };
};

export const disable: Step = async (run) => {
  const disabled = await run.bob.kms.send(new DisableKeyCommand({ KeyId: run.key.id }));
  const state = await describe(run);
  const refusals = [];
  for (const doc of run.documents) refusals.push({ key: doc.key, ...(await refusalOf(download(run, run.bob, doc))) });
  const head = await run.bob.s3.send(new HeadObjectCommand({ Bucket: run.bucket, Key: run.documents[0]!.key }));
  const enabled = await run.bob.kms.send(new EnableKeyCommand({ KeyId: run.key.id }));
  const stateAfter = await describe(run);
  const back = await download(run, run.bob, run.documents[0]!);
  return {
    step: 6,
    title: 'The key is disabled',
    lines: [
      `DisableKey: ${disabled.$metadata.httpStatusCode}; DescribeKey: ${state.state}`,
      ...refusals.map((r) => `GetObject ${r.key}: ${r.status} ${r.code}: ${r.message}`),
      `HeadObject ${run.documents[0]!.key}: ${head.$metadata.httpStatusCode} (the record is readable; only its data key is locked)`,
      `EnableKey: ${enabled.$metadata.httpStatusCode}; DescribeKey: ${stateAfter.state}; GetObject ${run.documents[0]!.key}: ${back.status}, ${back.matches ? 'intact' : 'CHANGED'}`,
    ],
    facts: { stateWhileDisabled: state.state, refusals, headWhileDisabled: head.$metadata.httpStatusCode, stateAfterEnable: stateAfter.state, readAfterEnable: back },
    audit: await run.audit.recordsOf([disabled.$metadata.requestId, ...refusals.map((r) => r.requestId), enabled.$metadata.requestId, back.requestId]),
  };
};
