import { describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { FsLayout } from './fs-layout.js';

// keyDir and recordPath put a key's entries after the bucket's keys/ path by hand: they must
// name exactly what join() would, for every shape of key.
describe('FsLayout key paths', () => {
  const keys = ['a', 'a/b/c', '/', 'a//b', 'dir/', `${'x'.repeat(64)}/${'y'.repeat(130)}`, 'é ü/%2F/..', '.', '../..'];

  for (const root of ['/srv/data', 'relative/./data/', '/srv//data/']) {
    it(`names what join() names under ${JSON.stringify(root)}`, () => {
      const layout = new FsLayout(root);
      for (const key of keys) {
        const { path } = layout.keyRef('photos', key);
        const dir = join(root, 'buckets', 'bphotos', 'keys', ...path.dirs);
        expect(layout.keyDir('photos', path)).toBe(dir);
        expect(layout.recordPath('photos', path)).toBe(join(dir, path.record));
      }
    });
  }

  it('keeps naming each bucket rightly once its memo has started again', () => {
    const layout = new FsLayout('/srv/data');
    const { path } = layout.keyRef('b0', 'k');
    for (let i = 0; i < 600; i++) {
      expect(layout.recordPath(`b${i}`, path)).toBe(join('/srv/data', 'buckets', `bb${i}`, 'keys', path.record));
    }
    expect(layout.recordPath('b5', path)).toBe(join('/srv/data', 'buckets', 'bb5', 'keys', path.record));
  });
});
