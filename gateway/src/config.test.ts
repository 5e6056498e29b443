import { describe, it, expect } from '@jest/globals';
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

  it('reads the virtual-host domain, lower-cased, and refuses what is not a DNS name', () => {
    expect(resolveConfig({}).domain).toBeUndefined();
    expect(resolveConfig({ KMSGATE_DOMAIN: 'S3.Localhost' }).domain).toBe('s3.localhost');
    expect(resolveConfig({}, ['--domain', 'localhost']).domain).toBe('localhost');
    expect(() => resolveConfig({ KMSGATE_DOMAIN: 'bad_domain..x' })).toThrow(/DNS name/);
  });
});
