/**
 * A scripted AWS CLI session against the embedded KMS (the Debian CLI, /usr/bin/aws): keys,
 * aliases, rotation, deletion, and importing key material wrapped with `openssl`, as AWS's
 * import guide does it (RSAES-OAEP-SHA-256 with `openssl pkeyutl`, and RSA-AES key wrap with
 * `openssl enc -id-aes256-wrap-pad`).
 *
 * That CLI predates RotateKeyOnDemand, ListKeyRotations, RotationPeriodInDays and the KeyId
 * ImportKeyMaterial now answers. AWS CLIs load
 * service models from ~/.aws/models first, so the session registers (`aws configure add-model`)
 * the CLI's own KMS model with those members added as the current AWS API defines them.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { useGateway } from '../harness.js';

const run = promisify(execFile);
const AWS = '/usr/bin/aws';
const OPENSSL = '/usr/bin/openssl';
const CLI_KMS_MODEL = '/usr/lib/python3/dist-packages/awscli/botocore/data/kms/2014-11-01/service-2.json';

const fx = useGateway();
const file = (name: string): string => join(fx.gw.dataDir, name);

async function aws(...args: string[]): Promise<Record<string, unknown>> {
  const { stdout } = await run(AWS, ['--endpoint-url', fx.gw.endpoint, '--output', 'json', ...args], { env: fx.gw.env, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
}

async function awsFailure(...args: string[]): Promise<string> {
  try {
    await aws(...args);
  } catch (err) {
    return (err as { stderr: string }).stderr;
  }
  throw new Error(`aws ${args.join(' ')} succeeded`);
}

function openssl(...args: string[]): Promise<unknown> {
  return run(OPENSSL, args);
}

interface Model {
  operations: Record<string, unknown>;
  shapes: Record<string, { members?: Record<string, unknown>; required?: string[] } & Record<string, unknown>>;
}

/** The CLI's KMS model plus the rotation members added to the API since it was released. */
async function extendedModel(): Promise<Model> {
  const model = JSON.parse(await readFile(CLI_KMS_MODEL, 'utf8')) as Model;
  const operation = (name: string): unknown => ({
    name,
    http: { method: 'POST', requestUri: '/' },
    input: { shape: `${name}Request` },
    output: { shape: `${name}Response` },
    errors: [{ shape: 'NotFoundException' }, { shape: 'DisabledException' }, { shape: 'KMSInvalidStateException' }, { shape: 'LimitExceededException' }],
  });
  model.operations.RotateKeyOnDemand ??= operation('RotateKeyOnDemand');
  model.operations.ListKeyRotations ??= operation('ListKeyRotations');
  model.shapes.RotationPeriodInDaysType ??= { type: 'integer', min: 90, max: 2560 };
  model.shapes.RotateKeyOnDemandRequest ??= { type: 'structure', required: ['KeyId'], members: { KeyId: { shape: 'KeyIdType' } } };
  model.shapes.RotateKeyOnDemandResponse ??= { type: 'structure', members: { KeyId: { shape: 'KeyIdType' } } };
  model.shapes.ListKeyRotationsRequest ??= {
    type: 'structure',
    required: ['KeyId'],
    members: { KeyId: { shape: 'KeyIdType' }, Limit: { shape: 'LimitType' }, Marker: { shape: 'MarkerType' } },
  };
  model.shapes.RotationsListEntry ??= {
    type: 'structure',
    members: { KeyId: { shape: 'KeyIdType' }, KeyMaterialId: { shape: 'KeyIdType' }, RotationDate: { shape: 'DateType' }, RotationType: { shape: 'KeyIdType' } },
  };
  model.shapes.RotationsList ??= { type: 'list', member: { shape: 'RotationsListEntry' } };
  model.shapes.ListKeyRotationsResponse ??= {
    type: 'structure',
    members: { Rotations: { shape: 'RotationsList' }, NextMarker: { shape: 'MarkerType' }, Truncated: { shape: 'BooleanType' } },
  };
  model.shapes.EnableKeyRotationRequest.members!.RotationPeriodInDays ??= { shape: 'RotationPeriodInDaysType' };
  const status = model.shapes.GetKeyRotationStatusResponse.members!;
  status.RotationPeriodInDays ??= { shape: 'RotationPeriodInDaysType' };
  status.NextRotationDate ??= { shape: 'DateType' };
  status.KeyId ??= { shape: 'KeyIdType' };
  const imported = model.shapes.ImportKeyMaterialResponse.members!;
  imported.KeyId ??= { shape: 'KeyIdType' };
  imported.KeyMaterialId ??= { shape: 'KeyIdType' };
  return model;
}

beforeAll(async () => {
  await writeFile(file('kms-model.json'), JSON.stringify(await extendedModel()));
  await run(AWS, ['configure', 'add-model', '--service-model', `file://${file('kms-model.json')}`, '--service-name', 'kms'], { env: fx.gw.env });
});

describe('AWS CLI session', () => {
  it('create-key, create-alias, enable-key-rotation, rotate-key-on-demand, schedule-key-deletion', async () => {
    const created = (await aws('kms', 'create-key', '--description', 'cli session')).KeyMetadata as Record<string, unknown>;
    expect(created).toMatchObject({ KeyState: 'Enabled', KeyManager: 'CUSTOMER', Origin: 'AWS_KMS' });
    const keyId = created.KeyId as string;
    const arn = created.Arn as string;
    expect(await aws('kms', 'create-alias', '--alias-name', 'alias/cli-session', '--target-key-id', keyId)).toEqual({});

    await aws('kms', 'enable-key-rotation', '--key-id', keyId, '--rotation-period-in-days', '180');
    expect(await aws('kms', 'get-key-rotation-status', '--key-id', keyId)).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 180, KeyId: arn });

    await writeFile(file('plain.txt'), 'hello from the cli');
    const enc = await aws('kms', 'encrypt', '--key-id', 'alias/cli-session', '--plaintext', `fileb://${file('plain.txt')}`);
    expect(enc.KeyId).toBe(arn);
    await writeFile(file('ciphertext.bin'), Buffer.from(enc.CiphertextBlob as string, 'base64'));

    expect(await aws('kms', 'rotate-key-on-demand', '--key-id', keyId)).toEqual({ KeyId: arn });
    const rotations = (await aws('kms', 'list-key-rotations', '--key-id', keyId)).Rotations as { RotationType: string }[];
    expect(rotations.map((r) => r.RotationType)).toEqual(['ON_DEMAND']);

    const dec = await aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${file('ciphertext.bin')}`);
    expect(Buffer.from(dec.Plaintext as string, 'base64').toString()).toBe('hello from the cli');

    const scheduled = await aws('kms', 'schedule-key-deletion', '--key-id', keyId, '--pending-window-in-days', '7');
    expect(scheduled).toMatchObject({ KeyId: arn, KeyState: 'PendingDeletion', PendingWindowInDays: 7 });
    expect(await awsFailure('kms', 'encrypt', '--key-id', keyId, '--plaintext', `fileb://${file('plain.txt')}`)).toContain(
      `An error occurred (KMSInvalidStateException) when calling the Encrypt operation: ${arn} is pending deletion.`,
    );
    await aws('kms', 'cancel-key-deletion', '--key-id', keyId);
    expect(((await aws('kms', 'describe-key', '--key-id', 'alias/cli-session')).KeyMetadata as Record<string, unknown>).KeyState).toBe('Disabled');
  });

  it('cloudtrail lookup-events reads the audit trail the session wrote, filtered by key', async () => {
    const keyId = ((await aws('kms', 'create-key', '--description', 'audited')).KeyMetadata as Record<string, unknown>).KeyId as string;
    await aws('kms', 'disable-key', '--key-id', keyId);
    const found = await aws('cloudtrail', 'lookup-events', '--lookup-attributes', `AttributeKey=ResourceName,AttributeValue=${keyId}`);
    const events = found.Events as { EventName: string; EventSource: string; CloudTrailEvent: string }[];
    expect(events.map((e) => e.EventName)).toEqual(['DisableKey', 'CreateKey']);
    expect(events.every((e) => e.EventSource === 'kms.amazonaws.com')).toBe(true);
    expect((JSON.parse(events[0]!.CloudTrailEvent) as { requestParameters: { keyId: string } }).requestParameters.keyId).toBe(keyId);
  });

  it('get-parameters-for-import and import-key-material with openssl-wrapped material', async () => {
    const created = (await aws('kms', 'create-key', '--origin', 'EXTERNAL', '--description', 'imported by the cli')).KeyMetadata as Record<string, unknown>;
    expect(created).toMatchObject({ KeyState: 'PendingImport', Origin: 'EXTERNAL', Enabled: false });
    const keyId = created.KeyId as string;
    await openssl('rand', '-out', file('material.bin'), '32');

    const importWith = async (algorithm: 'RSAES_OAEP_SHA_256' | 'RSA_AES_KEY_WRAP_SHA_256'): Promise<void> => {
      const params = await aws('kms', 'get-parameters-for-import', '--key-id', keyId, '--wrapping-algorithm', algorithm, '--wrapping-key-spec', 'RSA_2048');
      await writeFile(file('public.der'), Buffer.from(params.PublicKey as string, 'base64'));
      await writeFile(file('token.bin'), Buffer.from(params.ImportToken as string, 'base64'));
      const oaep = ['-pubin', '-inkey', file('public.der'), '-keyform', 'DER', '-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', 'rsa_oaep_md:sha256', '-pkeyopt', 'rsa_mgf1_md:sha256'];
      if (algorithm === 'RSAES_OAEP_SHA_256') {
        await openssl('pkeyutl', '-encrypt', '-in', file('material.bin'), '-out', file('wrapped.bin'), ...oaep);
      } else {
        await openssl('rand', '-out', file('aes.bin'), '32');
        const aesHex = (await readFile(file('aes.bin'))).toString('hex');
        await openssl('enc', '-id-aes256-wrap-pad', '-K', aesHex, '-iv', 'A65959A6', '-in', file('material.bin'), '-out', file('material.kwp'));
        await openssl('pkeyutl', '-encrypt', '-in', file('aes.bin'), '-out', file('aes.wrapped'), ...oaep);
        await writeFile(file('wrapped.bin'), Buffer.concat([await readFile(file('aes.wrapped')), await readFile(file('material.kwp'))]));
      }
      const out = await aws(
        'kms', 'import-key-material', '--key-id', keyId,
        '--encrypted-key-material', `fileb://${file('wrapped.bin')}`,
        '--import-token', `fileb://${file('token.bin')}`,
        '--expiration-model', 'KEY_MATERIAL_DOES_NOT_EXPIRE',
      );
      expect(out.KeyId).toBe(created.Arn);
    };

    await importWith('RSAES_OAEP_SHA_256');
    expect(((await aws('kms', 'describe-key', '--key-id', keyId)).KeyMetadata as Record<string, unknown>)).toMatchObject({
      KeyState: 'Enabled',
      ExpirationModel: 'KEY_MATERIAL_DOES_NOT_EXPIRE',
    });
    await writeFile(file('plain.txt'), 'under imported material');
    const enc = await aws('kms', 'encrypt', '--key-id', keyId, '--plaintext', `fileb://${file('plain.txt')}`);
    await writeFile(file('imported.bin'), Buffer.from(enc.CiphertextBlob as string, 'base64'));

    await aws('kms', 'delete-imported-key-material', '--key-id', keyId);
    expect(await awsFailure('kms', 'decrypt', '--ciphertext-blob', `fileb://${file('imported.bin')}`)).toContain('(KMSInvalidStateException)');

    await importWith('RSA_AES_KEY_WRAP_SHA_256');
    const dec = await aws('kms', 'decrypt', '--ciphertext-blob', `fileb://${file('imported.bin')}`);
    expect(Buffer.from(dec.Plaintext as string, 'base64').toString()).toBe('under imported material');
  });
});
