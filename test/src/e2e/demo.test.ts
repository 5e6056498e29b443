/**
 * `kmsgate demo` as a user runs it: the real CLI process, its embedded gateway or a running
 * one (--endpoint), every step's readings checked against what the gateway, the disk and the
 * KMS say independently, and no secret or key bytes anywhere in what it prints.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { DecryptCommand } from '@aws-sdk/client-kms';
import type { DataKeyEvent, DataKeyObserver } from '@kmsgate/gateway';
import { CLI } from '../cli-process.js';
import { findObjectFiles, gatewayRecordIn } from '../disk.js';
import { startTestGateway, type TestGateway } from '../harness.js';

interface DemoOutput {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `answer` is called on every stderr chunk with what was printed so far and may write to its stdin. */
function demo(args: string[], env: NodeJS.ProcessEnv = {}, answer?: (out: DemoOutput, stdin: NodeJS.WritableStream) => void): Promise<DemoOutput> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: DemoOutput = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      out.stderr += d.toString();
      answer?.(out, child.stdin);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      out.code = code;
      resolve(out);
    });
    if (!answer) child.stdin.end();
  });
}

interface Step {
  step: number;
  title: string;
  lines: string[];
  facts: Record<string, any>;
  audit: Array<{ eventName: string; requestId: string; user: string; invokedBy?: string; errorCode?: string }> | null;
}

function stepsOf(out: DemoOutput): Step[] {
  expect(out.code).toBe(0);
  return out.stdout.trim().split('\n').map((line) => JSON.parse(line) as Step);
}

/** A standalone run of exactly 40 base64 characters that is not plain hex: what a secret access key looks like. */
function secretLookalikes(text: string): string[] {
  return [...text.matchAll(/(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{40}(?![A-Za-z0-9+/=])/g)].map((m) => m[0]).filter((t) => !/^[0-9a-f]+$/.test(t));
}

const fingerprint = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex').slice(0, 8);
const REQUEST_ID = /^[0-9A-Za-z-]{16,}$/;

describe('kmsgate demo, embedded', () => {
  let steps: Step[];
  let json: DemoOutput;
  beforeAll(async () => {
    json = await demo(['--json']);
    steps = stepsOf(json);
  }, 120_000);

  it('prints one JSON line per step, seven steps, each naming its audit records with request ids', () => {
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const step of steps.slice(0, 6)) {
      expect(step.audit!.length).toBeGreaterThan(0);
      for (const record of step.audit!) expect(record.requestId).toMatch(REQUEST_ID);
    }
    expect(steps[6]!.audit).toEqual([]);
  });

  it('1: Bob\'s key with its ARN, state and key policy', () => {
    const { facts, audit } = steps[0]!;
    expect(facts.keyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    expect(facts).toMatchObject({ keyState: 'Enabled', keyManager: 'CUSTOMER' });
    expect(facts.keyPolicy.Statement[0]).toMatchObject({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*' });
    expect(audit!.map((a) => [a.eventName, a.user])).toEqual([['CreateKey', 'bob'], ['DescribeKey', 'bob'], ['GetKeyPolicy', 'bob']]);
  });

  it('2: the upload: data key fingerprints, zeros after the wipe, ciphertext unlike the plaintext, the record', () => {
    const { facts, audit } = steps[1]!;
    const keyArn = steps[0]!.facts.keyArn;
    expect(facts.put).toMatchObject({ serverSideEncryption: 'aws:kms', sseKmsKeyId: keyArn });
    expect(facts.dataKey).toEqual({ fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/), wipedToZeros: true, length: 32 });
    expect(facts.disk.wrappedKey).toEqual({ bytes: expect.any(Number), fingerprint: expect.stringMatching(/^[0-9a-f]{8}$/), keyMaterialVersion: 1 });
    expect(facts.disk.wrappedKey.fingerprint).not.toBe(facts.dataKey.fingerprint);
    expect(Buffer.from(facts.disk.plaintextStart, 'hex').toString()).toMatch(/^Q3 REPORT/);
    expect(facts.disk.ciphertextStart).toHaveLength(facts.disk.plaintextStart.length);
    expect(facts.disk.ciphertextStart).not.toBe(facts.disk.plaintextStart);
    expect(facts.disk.plaintextInFile).toBe(false);
    // The report is small: its stored bytes are inside its record, and the demo says so.
    expect(facts.disk).toMatchObject({ inline: true });
    expect(facts.disk.dataFile).toBe(facts.disk.recordFile);
    expect(steps[1]!.lines).toContainEqual(expect.stringContaining(`on disk, inside its metadata record ${facts.disk.recordFile} (`));
    expect(facts.disk).toMatchObject({ kmsKeyArn: keyArn, encryptionContext: { 'aws:s3:arn': 'arn:aws:s3:::bob-documents/reports/q3.txt' } });
    expect(audit).toEqual([expect.objectContaining({ eventName: 'GenerateDataKey', user: 'bob', invokedBy: 's3.amazonaws.com', requestId: facts.put.requestId })]);
  });

  it('3: the download unwraps the key (Decrypt) and gives the document back', () => {
    const { facts, audit } = steps[2]!;
    expect(facts.get).toMatchObject({ status: 200, matches: true, sse: 'aws:kms', kmsKey: steps[0]!.facts.keyArn });
    expect(audit).toEqual([expect.objectContaining({ eventName: 'Decrypt', user: 'bob', requestId: facts.get.requestId })]);
    expect(audit![0]!.errorCode).toBeUndefined();
  });

  it('4: Alice refused (403) with her refused Decrypt audited, reads with the grant, refused after the revoke', () => {
    const { facts, audit } = steps[3]!;
    expect(facts.aliceHead).toBe(200);
    expect(facts.refused).toMatchObject({ code: 'AccessDenied', status: 403, message: expect.stringContaining('kms:Decrypt') });
    expect(facts.grant.listed).toEqual([{ grantId: facts.grant.grantId, grantee: 'arn:aws:iam::111122223333:user/alice', operations: ['Decrypt'] }]);
    expect(facts.readWithGrant).toMatchObject({ status: 200, matches: true });
    expect(facts.revoked.listed).toEqual([]);
    expect(facts.refusedAgain).toMatchObject({ code: 'AccessDenied', status: 403 });
    const decrypts = audit!.filter((a) => a.eventName === 'Decrypt');
    expect(decrypts.map((a) => [a.user, a.requestId, a.errorCode])).toEqual([
      ['alice', facts.refused.requestId, 'AccessDeniedException'],
      ['alice', facts.readWithGrant.requestId, undefined],
      ['alice', facts.refusedAgain.requestId, 'AccessDeniedException'],
    ]);
    expect(audit!.map((a) => a.eventName)).toEqual(expect.arrayContaining(['CreateGrant', 'RevokeGrant', 'ListGrants']));
  });

  it('5: rotation: new current material, the old document reads, the new one is wrapped by material version 2', () => {
    const { facts, audit } = steps[4]!;
    expect(facts.after).not.toBe(facts.before);
    expect(facts.rotations).toEqual([
      { keyMaterialId: facts.before, state: 'NON_CURRENT', rotationType: null },
      { keyMaterialId: facts.after, state: 'CURRENT', rotationType: 'ON_DEMAND' },
    ]);
    expect(facts.oldDocument).toMatchObject({ status: 200, matches: true });
    expect(facts.wrappedBy).toEqual([{ key: 'reports/q3.txt', keyMaterialVersion: 1 }, { key: 'reports/q4.txt', keyMaterialVersion: 2 }]);
    expect(audit!.map((a) => a.eventName)).toEqual(expect.arrayContaining(['RotateKeyOnDemand', 'Decrypt', 'GenerateDataKey']));
  });

  it('6: disabled: every download fails with KMS.DisabledException, HEAD still answers, enabled again it reads', () => {
    const { facts, audit } = steps[5]!;
    const keyArn = steps[0]!.facts.keyArn;
    expect(facts.stateWhileDisabled).toBe('Disabled');
    expect(facts.refusals).toEqual([
      expect.objectContaining({ key: 'reports/q3.txt', code: 'KMS.DisabledException', status: 400, message: `${keyArn} is disabled.` }),
      expect.objectContaining({ key: 'reports/q4.txt', code: 'KMS.DisabledException', status: 400, message: `${keyArn} is disabled.` }),
    ]);
    expect(facts.headWhileDisabled).toBe(200);
    expect(facts).toMatchObject({ stateAfterEnable: 'Enabled', readAfterEnable: { status: 200, matches: true } });
    expect(audit!.filter((a) => a.errorCode === 'DisabledException').map((a) => a.requestId)).toEqual(facts.refusals.map((r: { requestId: string }) => r.requestId));
  });

  it('7: the copied data directory, without the root key, opens neither as a gateway nor as a keystore', () => {
    const { facts } = steps[6]!;
    expect(facts.rootKeyInDataDir).toBe(false);
    expect(facts.filesCopied).toBeGreaterThan(5);
    expect(facts).toMatchObject({ gatewayOpened: false, keystoreOpened: false });
    expect(facts.gatewayRefusal).toMatch(/sealed under a different root key/);
    expect(facts.keystoreRefusal).toMatch(/keystore.*sealed under a different root key/);
  });

  it('prints no secret access key; the human output heads every step, and --step waits for Enter before each next one', async () => {
    expect(secretLookalikes(json.stdout)).toEqual([]);
    const seenAtPrompt: string[] = [];
    const human = await demo(['--step'], {}, (now, stdin) => {
      const prompts = now.stderr.match(/\[Enter\] for step \d+ /g) ?? [];
      if (prompts.length === seenAtPrompt.length) return;
      seenAtPrompt.push(now.stdout);
      stdin.write('\n');
      if (prompts.length === 6) stdin.end();
    });
    expect(human.code).toBe(0);
    for (const step of steps) expect(human.stdout).toContain(`Step ${step.step}. ${step.title}\n`);
    expect(human.stdout).toMatch(/\ndone: 7 steps in \d+ ms; the temporary data directory is removed\n$/);
    expect(secretLookalikes(human.stdout)).toEqual([]);
    // At each prompt, the step before it is printed and the next has not begun.
    expect(seenAtPrompt).toHaveLength(6);
    seenAtPrompt.forEach((printed, i) => {
      expect(printed).toContain(`Step ${i + 1}. `);
      expect(printed).not.toContain(`Step ${i + 2}. `);
    });
  }, 120_000);
});

describe('kmsgate demo --endpoint, against a running gateway', () => {
  let gw: TestGateway;
  const events: Array<DataKeyEvent & { kind: string; zeroed?: boolean }> = [];
  const observer: DataKeyObserver = {
    generated: (e) => events.push({ ...e, kind: 'generated' }),
    wiped: (e) => events.push({ ...e, kind: 'wiped' }),
  };
  let out: DemoOutput;
  let steps: Step[];

  beforeAll(async () => {
    gw = await startTestGateway({ dataKeyObserver: observer });
    out = await demo(['--json', '--endpoint', gw.endpoint, '--data-dir', gw.dataDir], {
      KMSGATE_ACCESS_KEY_ID: gw.credentials.accessKeyId,
      KMSGATE_SECRET_ACCESS_KEY: gw.credentials.secretAccessKey,
    });
    steps = stepsOf(out);
  }, 120_000);
  afterAll(async () => {
    await gw?.stop();
  });

  it('plays every step on it, with its own names, the disk and audit readings from the given data dir', () => {
    expect(steps.map((s) => s.step)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    const bucket = steps[1]!.facts.bucket as string;
    expect(bucket).toMatch(/^bob-documents-[0-9a-f]{6}$/);
    // The data key lives in another process: the demo says so rather than showing anything.
    expect(steps[1]!.facts.dataKey).toBeNull();
    expect(steps[1]!.audit![0]).toMatchObject({ eventName: 'GenerateDataKey', user: expect.stringMatching(/^bob-[0-9a-f]{6}$/) });
    expect(steps[3]!.facts.refused).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(steps[4]!.facts.wrappedBy.map((w: { keyMaterialVersion: number }) => w.keyMaterialVersion)).toEqual([1, 2]);
    expect(steps[5]!.facts.refusals.map((r: { code: string }) => r.code)).toEqual(['KMS.DisabledException', 'KMS.DisabledException']);
    expect(steps[6]!.facts).toMatchObject({ gatewayOpened: false, keystoreOpened: false });
  });

  it('shows fingerprints of the real keys, never the keys, and never the admin secret', async () => {
    const bucket = steps[1]!.facts.bucket as string;
    expect(out.stdout).not.toContain(gw.credentials.secretAccessKey);
    expect(secretLookalikes(out.stdout)).toEqual([]);
    for (const key of ['reports/q3.txt', 'reports/q4.txt']) {
      const record = await gatewayRecordIn<{ wrappedDek: string; encryptionContext: Record<string, string> }>((await findObjectFiles(gw.dataDir, bucket, key)).recordPath);
      const wrapped = Buffer.from(record.wrappedDek, 'base64');
      const dek = Buffer.from((await gw.kms.send(new DecryptCommand({ CiphertextBlob: wrapped, EncryptionContext: record.encryptionContext }))).Plaintext!);
      for (const encoded of [dek.toString('hex'), dek.toString('base64'), dek.toString('base64url'), record.wrappedDek]) expect(out.stdout).not.toContain(encoded);
      // The hook the gateway was started with saw this very key by its fingerprint, and saw it wiped.
      expect(events.filter((e) => e.key === key).map((e) => [e.kind, e.fingerprint, e.zeroed])).toEqual([
        ['generated', fingerprint(dek), undefined],
        ['wiped', fingerprint(dek), true],
      ]);
      if (key === 'reports/q3.txt') expect(steps[1]!.facts.disk.wrappedKey.fingerprint).toBe(fingerprint(wrapped));
      dek.fill(0);
    }
  });
});
