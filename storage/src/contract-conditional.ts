// ObjectStore contract: conditional commits. The precondition sees the version the commit
// would replace, and no other commit of the key lands between that check and the commit.
import { describe, expect, it } from '@jest/globals';
import { getData, keysOf, meta, putObject, type ContractContext } from './contract-helpers.js';

class Refused extends Error {}

/** The create-only condition (If-None-Match: *) as a gateway would state it. */
const createOnly = { precondition: (current: Buffer | null): void => { if (current !== null) throw new Refused('exists'); } };

export function describeConditionalCommitCases(ctx: ContractContext): void {
  const { bucket } = ctx;
  describe('conditional commits', () => {
    it('show the precondition the current version, or null when there is none', async () => {
      const seen: (string | null)[] = [];
      const record = { precondition: (current: Buffer | null) => void seen.push(current && current.toString()) };
      await putObject(ctx.store(), bucket, 'c/seen', Buffer.from('1'), meta('one'), record);
      await putObject(ctx.store(), bucket, 'c/seen', Buffer.from('2'), meta('two'), record);
      expect(seen).toEqual([null, 'meta:one']);
    });

    it('commit nothing when the precondition throws, and reject with its error', async () => {
      await putObject(ctx.store(), bucket, 'c/kept', Buffer.from('first'), meta('first'));
      const err = await putObject(ctx.store(), bucket, 'c/kept', Buffer.from('second'), meta('second'), createOnly).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Refused);
      expect(await getData(ctx.store(), bucket, 'c/kept')).toEqual({ data: Buffer.from('first'), metadata: meta('first') });
      const none = await putObject(ctx.store(), bucket, 'c/never', Buffer.from('x'), meta('x'), {
        precondition: (current) => { if (current === null) throw new Refused('absent'); },
      }).catch((e: unknown) => e);
      expect(none).toBeInstanceOf(Refused);
      expect(keysOf(await ctx.store().listObjects(bucket, { prefix: 'c/never', limit: 10 }))).toEqual([]);
    });

    it('let exactly one of racing create-only commits win', async () => {
      for (let round = 0; round < 10; round++) {
        const key = `c/race-${round}`;
        const writers = 2 + (round % 7);
        // Every writer streams its data first, then all commit at once.
        const pendings = await Promise.all(Array.from({ length: writers }, () => ctx.store().beginPut(bucket, key)));
        await Promise.all(pendings.map((p, i) => new Promise<void>((resolve, reject) => {
          p.stream.once('error', reject);
          p.stream.end(Buffer.from(`writer ${i}`), resolve);
        })));
        const outcomes = await Promise.allSettled(pendings.map((p, i) => p.commit(meta(`w${i}`), createOnly)));
        const winners = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(Refused);
        expect(await getData(ctx.store(), bucket, key)).toEqual({ data: Buffer.from(`writer ${winners[0]}`), metadata: meta(`w${winners[0]}`) });
      }
    });
  });
}
