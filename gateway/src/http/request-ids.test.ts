import { describe, expect, it } from '@jest/globals';
import { newHostId, newRequestId } from './request-ids.js';

describe('request ids', () => {
  it('have the shapes S3 sends', () => {
    expect(newRequestId()).toMatch(/^[0-9A-F]{16}$/);
    expect(newHostId()).toMatch(/^[A-Za-z0-9+/]{32}$/);
  });

  it('never repeat across many refills of the pool', () => {
    const ids = new Set<string>();
    const hosts = new Set<string>();
    // 20,000 requests take 640,000 bytes: over 150 pools of random bytes.
    for (let i = 0; i < 20_000; i++) {
      ids.add(newRequestId());
      hosts.add(newHostId());
    }
    expect(ids.size).toBe(20_000);
    expect(hosts.size).toBe(20_000);
  });
});
