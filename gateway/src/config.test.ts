import { describe, it, expect } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig, parseAddress, ConfigError } from './config.js';

describe('configuration', () => {
  it('has embedded defaults', () => {
    const cfg = resolveConfig({});
    expect(cfg).toMatchObject({ host: '127.0.0.1', port: 9000, dataDir: './data', region: 'us-east-1', accountId: '111122223333' });
    expect(cfg.accessKeyId).toBeUndefined();
  });

  it('reads the environment and lets flags win', () => {
    const env = { KMSGATE_ADDRESS: '127.0.0.1:9100', KMSGATE_REGION: 'eu-west-1', KMSGATE_DATA_DIR: '/srv/a' };
    const cfg = resolveConfig(env, ['--data-dir', '/srv/b', '--account-id=123456789012']);
    expect(cfg).toMatchObject({ port: 9100, region: 'eu-west-1', dataDir: '/srv/b', accountId: '123456789012' });
  });

  it('refuses half a credential pair, bad flags and bad values', () => {
    expect(() => resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA' })).toThrow(ConfigError);
    expect(() => resolveConfig({}, ['--nope', 'x'])).toThrow(/unknown option/);
    expect(() => resolveConfig({}, ['--region'])).toThrow(/needs a value/);
    expect(() => resolveConfig({ KMSGATE_ACCOUNT_ID: '12' })).toThrow(/twelve digits/);
  });

  it('parses IPv6 and port-only addresses', () => {
    expect(parseAddress('[::1]:9000')).toEqual({ host: '::1', port: 9000 });
    expect(parseAddress(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(() => parseAddress('localhost')).toThrow(ConfigError);
  });

  it('accepts SigV2 unless KMSGATE_SIGV2 or --sigv2 says off', () => {
    expect(resolveConfig({}).sigv2).toBe(true);
    expect(resolveConfig({ KMSGATE_SIGV2: 'off' }).sigv2).toBe(false);
    expect(resolveConfig({ KMSGATE_SIGV2: 'off' }, ['--sigv2', 'on']).sigv2).toBe(true);
    expect(() => resolveConfig({ KMSGATE_SIGV2: 'no' })).toThrow(/sigv2 must be on or off/);
  });

  it('reads the virtual-host domain, lower-cased, and refuses what is not a DNS name', () => {
    expect(resolveConfig({}).domain).toBeUndefined();
    expect(resolveConfig({ KMSGATE_DOMAIN: 'S3.Localhost' }).domain).toBe('s3.localhost');
    expect(resolveConfig({}, ['--domain', 'localhost']).domain).toBe('localhost');
    expect(() => resolveConfig({ KMSGATE_DOMAIN: 'bad_domain..x' })).toThrow(/DNS name/);
  });

  it('takes the secrets from the environment or from files, never from plain flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kmsgate-config-'));
    try {
      const secretFile = join(dir, 'secret');
      writeFileSync(secretFile, 'from-a-file\n');
      expect(resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA', KMSGATE_SECRET_ACCESS_KEY: 'from-env' }).secretAccessKey).toBe('from-env');
      expect(resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA' }, ['--secret-access-key-file', secretFile]).secretAccessKey).toBe('from-a-file');
      expect(resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA', KMSGATE_SECRET_ACCESS_KEY_FILE: secretFile }).secretAccessKey).toBe('from-a-file');
      expect(resolveConfig({ KMSGATE_ROOT_KEY: 'cm9vdA==' })).toMatchObject({ rootKey: 'cm9vdA==', rootKeyFile: undefined });
      expect(resolveConfig({}, ['--root-key-file=/k'])).toMatchObject({ rootKey: undefined, rootKeyFile: '/k' });

      expect(() => resolveConfig({}, ['--secret-access-key', 'x'])).toThrow(/process list.*KMSGATE_SECRET_ACCESS_KEY.*--secret-access-key-file/);
      expect(() => resolveConfig({}, ['--secret-access-key=x'])).toThrow(/not accepted/);
      expect(() => resolveConfig({}, ['--root-key', 'x'])).toThrow(/process list.*KMSGATE_ROOT_KEY.*--root-key-file/);
      expect(() => resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA', KMSGATE_SECRET_ACCESS_KEY: 'a' }, ['--secret-access-key-file', secretFile])).toThrow(/not both/);
      expect(() => resolveConfig({ KMSGATE_ROOT_KEY: 'cm9vdA==' }, ['--root-key-file', '/k'])).toThrow(/not both/);
      expect(() => resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA' }, ['--secret-access-key-file', join(dir, 'missing')])).toThrow(/cannot read .*ENOENT/);
      writeFileSync(secretFile, '\n');
      expect(() => resolveConfig({ KMSGATE_ACCESS_KEY_ID: 'AKIA' }, ['--secret-access-key-file', secretFile])).toThrow(/empty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
